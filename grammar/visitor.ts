// A generic walk over the AST, keyed by node kind (as graphql-js's `visit`): a tool names the kinds
// it cares about and the walk finds them, however they nest. The walk reads each node's children
// from VISITOR_KEYS (graphql-js's `QueryDocumentKeys`), whose type lists every node kind and every
// field that holds nodes, so a new kind or field does not compile until it is listed there.
// Iterative, so no input can exhaust the stack (a 10,000-term `and` chain is 10,000 levels deep).
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
  LengthExpr,
  MethodName,
  NotExpr,
  NullLiteral,
  NumberLiteral,
  ObjectEntry,
  ObjectValue,
  ResultMapping,
  ResultsBlock,
  SecretRef,
  StatusExit,
  StatusMatch,
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
  | StatusExit
  | StatusMatch
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
  | LengthExpr
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

/** The node of a kind. */
export type NodeOf<K extends NodeKind> = Extract<AstNode, { readonly kind: K }>;

/** The nodes a field's value holds: itself, an array's items, or a record's values (a widget's settings and exits). */
type NodesIn<T> = T extends readonly (infer I)[]
  ? NodesIn<I>
  : T extends { readonly kind: string }
    ? T
    : T extends object
      ? NodesIn<T[keyof T]>
      : never;

/** The fields of a node that hold nodes. */
export type ChildKey<N> = { [F in keyof N]-?: [NodesIn<N[F]>] extends [never] ? never : F }[keyof N];

/** Nodes some field holds that are not in AstNode: a kind the visitor does not know. */
type UnknownChildren = Exclude<{ [K in NodeKind]: NodesIn<NodeOf<K>[ChildKey<NodeOf<K>>]> }[NodeKind], AstNode>;

/**
 * The keys map as written, checked: every kind listed, each with its fields and every one that holds
 * nodes among them (an unlisted one is named in the error), and no field holding a node AstNode lacks.
 */
function childFields<const T extends { readonly [K in NodeKind]: readonly (keyof NodeOf<K>)[] }>(
  keys: T & {
    readonly [K in NodeKind]: [Exclude<ChildKey<NodeOf<K>>, T[K][number]>] extends [never]
      ? unknown
      : { readonly unlisted: Exclude<ChildKey<NodeOf<K>>, T[K][number]> };
  } & ([UnknownChildren] extends [never] ? object : { readonly notAstNodes: UnknownChildren }),
): T {
  return keys;
}

/**
 * Each node kind's fields that hold nodes, in the order the walk visits them: the printer's order.
 * A widget lists `settings` and `exits` even where its description has none yet.
 */
export const VISITOR_KEYS = childFields({
  Flow: ["id", "displayName", "declarations", "start", "widgets"],
  VarDecl: ["name", "type", "default"],
  SecretDecl: ["name"],
  TypeRef: [],
  HttpWidget: ["id", "displayName", "settings", "statusExits", "exits"],
  ConditionWidget: ["id", "displayName", "branches", "settings", "exits"],
  SetWidget: ["id", "displayName", "assignments", "settings", "exits"],
  SendWidget: ["id", "displayName", "settings", "exits"],
  RouteWidget: ["id", "displayName", "settings", "exits"],
  EndWidget: ["id", "displayName", "settings", "exits"],
  Setting: ["value"],
  Exit: ["target"],
  StatusExit: ["statuses", "target"],
  StatusMatch: [],
  When: ["condition", "target"],
  Assignment: ["target", "value"],
  Identifier: [],
  String: ["parts"],
  Text: [],
  Interpolation: ["ref"],
  Number: [],
  Boolean: [],
  Null: [],
  VarRef: [],
  SecretRef: [],
  Object: ["entries"],
  ObjectEntry: ["key", "value"],
  Array: ["items"],
  Binary: ["left", "right"],
  Not: ["operand"],
  Length: ["target"],
  KeyValue: ["key", "value"],
  Key: [],
  Duration: [],
  MethodName: [],
  KeyValueBlock: ["entries"],
  JsonBody: ["value"],
  FormBody: ["entries"],
  TextBody: ["value"],
  ResultsBlock: ["mappings"],
  ResultMapping: ["source", "target"],
  JsonPathSource: ["path"],
  StatusSource: [],
  HeaderSource: ["name"],
  Comment: [],
});

/** Handlers by node kind. One that returns `false` skips the node's children. */
export type Visitor = {
  readonly [K in NodeKind]?: (node: NodeOf<K>) => void | false;
};

/**
 * Calls the visitor's handler for `root` and every node inside it, parents before children, each
 * node's children in the order of VISITOR_KEYS (a widget's settings in the description's order).
 */
export function visit(root: AstNode, visitor: Visitor): void {
  const stack: AstNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const handler = visitor[node.kind] as ((node: AstNode) => void | false) | undefined;
    if (handler?.(node) === false) continue;
    // Children pushed in reverse, so they are visited in field order.
    const children: AstNode[] = [];
    // Indexed by name: the keys of the node's own kind, whose types the map checks.
    const fields = node as unknown as Readonly<Record<string, unknown>>;
    for (const key of VISITOR_KEYS[node.kind] as readonly string[]) {
      const value = fields[key] as AstNode | readonly AstNode[] | Readonly<Record<string, AstNode>> | undefined;
      if (value === undefined) continue;
      // An undefined item (none is built, but a hand-made tree may hold one) would end the walk early.
      if (Array.isArray(value)) {
        for (const item of value as readonly (AstNode | undefined)[]) if (item !== undefined) children.push(item);
      } else if ("kind" in value && typeof value.kind === "string") children.push(value as AstNode);
      // A widget's `settings` and `exits`: nodes by name, in the description's order.
      else
        for (const item of Object.values(value as Readonly<Record<string, AstNode | undefined>>))
          if (item !== undefined) children.push(item);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AstNode);
  }
}
