// A generic walk over the AST, keyed by node kind (as graphql-js's `visit`): a tool names the kinds
// it cares about and the walk finds them, however they nest. Iterative, so no input can exhaust
// the stack (a 10,000-term `and` chain is 10,000 levels deep).
import type {
  AnySetting,
  ArrayValue,
  Assignment,
  BinaryExpr,
  BooleanLiteral,
  Comment,
  Declaration,
  Duration,
  Exit,
  Flow,
  FormBody,
  HeaderSource,
  Identifier,
  Interpolation,
  JsonBody,
  JsonPathSource,
  Key,
  KeyValue,
  KeyValueBlock,
  MethodName,
  NotExpr,
  NullLiteral,
  NumberLiteral,
  ObjectEntry,
  ObjectValue,
  ResultMapping,
  ResultsBlock,
  SecretRef,
  StatusSource,
  StringLiteral,
  TextBody,
  TextPart,
  TypeRef,
  VarRef,
  WhenBranch,
  Widget,
} from "./ast.js";

/** Every node of the AST. */
export type AstNode =
  | Flow
  | Declaration
  | TypeRef
  | Widget
  | AnySetting
  | Exit
  | WhenBranch
  | Assignment
  | Identifier
  | StringLiteral
  | TextPart
  | Interpolation
  | NumberLiteral
  | BooleanLiteral
  | NullLiteral
  | VarRef
  | SecretRef
  | ObjectValue
  | ObjectEntry
  | ArrayValue
  | BinaryExpr
  | NotExpr
  | KeyValue
  | Key
  | Duration
  | MethodName
  | KeyValueBlock
  | JsonBody
  | FormBody
  | TextBody
  | ResultsBlock
  | ResultMapping
  | JsonPathSource
  | StatusSource
  | HeaderSource
  | Comment;

export type NodeKind = AstNode["kind"];

/** Handlers by node kind. One that returns `false` skips the node's children. */
export type Visitor = {
  readonly [K in NodeKind]?: (node: Extract<AstNode, { readonly kind: K }>) => void | false;
};

function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}

/**
 * Calls the visitor's handler for `root` and every node inside it, parents before children, each
 * node's children in the order of its fields (a widget's settings in the description's order).
 */
export function visit(root: AstNode, visitor: Visitor): void {
  const stack: AstNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const handler = visitor[node.kind] as ((node: AstNode) => void | false) | undefined;
    if (handler?.(node) === false) continue;
    // Children pushed in reverse, so they are visited in field order.
    const children: AstNode[] = [];
    for (const [field, value] of Object.entries(node)) {
      if (field === "span") continue;
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) if (isNode(item)) children.push(item);
      } else if (isNode(value)) {
        children.push(value);
      } else if (typeof value === "object" && value !== null) {
        // A widget's `settings` and `exits`: nodes by name.
        for (const item of Object.values(value as Record<string, unknown>)) if (isNode(item)) children.push(item);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AstNode);
  }
}
