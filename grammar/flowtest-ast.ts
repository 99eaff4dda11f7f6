// The .flowtest abstract syntax tree: a file of tests for one flow. Values, strings, bodies and
// spans are the .flow AST's own (grammar/ast.ts); every node carries the span it was built from.
import type { Body, Identifier, NumberLiteral, Span, StringLiteral, Value } from "./ast.js";

/** `tests for "FLOW"` and the tests, in source order. */
export interface FlowTestFile {
  readonly kind: "FlowTestFile";
  /** The flow's path, relative to the test file. */
  readonly target: StringLiteral;
  readonly tests: readonly TestCase[];
  readonly span: Span;
}

/** `NAME = VALUE` in `globals { ... }`, `config { ... }` or `secrets { ... }`. */
export interface InputEntry {
  readonly kind: "InputEntry";
  readonly name: Identifier;
  readonly value: Value;
  readonly span: Span;
}

export interface InputBlock {
  readonly kind: "InputBlock";
  readonly keyword: "globals" | "config" | "secrets";
  readonly entries: readonly InputEntry[];
  readonly span: Span;
}

/** `header "NAME" = "VALUE"` in a request assertion or a reply. */
export interface HeaderEntry {
  readonly kind: "HeaderEntry";
  readonly name: StringLiteral;
  readonly value: StringLiteral;
  readonly span: Span;
}

/** `method NAME` in a request assertion. */
export interface MethodAssertion {
  readonly kind: "MethodAssertion";
  readonly name: Identifier;
  readonly span: Span;
}

/** `url "..."` in a request assertion. */
export interface UrlAssertion {
  readonly kind: "UrlAssertion";
  readonly url: StringLiteral;
  readonly span: Span;
}

/** `body json VALUE | form { ... } | text "..."` in a request assertion. */
export interface BodyAssertion {
  readonly kind: "BodyAssertion";
  readonly body: Body;
  readonly span: Span;
}

export type RequestItem = MethodAssertion | UrlAssertion | HeaderEntry | BodyAssertion;

/** `request { ... }`: what every attempt of the mocked widget must send. */
export interface RequestBlock {
  readonly kind: "RequestBlock";
  readonly items: readonly RequestItem[];
  readonly span: Span;
}

/** `json VALUE` or `text "..."` in a reply. */
export interface ReplyBody {
  readonly kind: "ReplyBody";
  readonly body: Body;
  readonly span: Span;
}

export type ReplyItem = HeaderEntry | ReplyBody;

/** `reply STATUS { ... }`, `reply timeout` or `reply network_error`. */
export type Reply =
  | {
      readonly kind: "StatusReply";
      readonly status: NumberLiteral;
      /** Present when the reply has a block, even an empty one. */
      readonly items: readonly ReplyItem[] | undefined;
      readonly span: Span;
    }
  | { readonly kind: "FailureReply"; readonly failure: "timeout" | "network_error"; readonly span: Span };

/** `mock WIDGET { request { ... }? reply ... }`. */
export interface Mock {
  readonly kind: "Mock";
  readonly widget: Identifier;
  readonly request: RequestBlock | undefined;
  readonly replies: readonly Reply[];
  /** Requests and replies in source order, for the printer. */
  readonly items: readonly (RequestBlock | Reply)[];
  readonly span: Span;
}

export type Expectation =
  | { readonly kind: "PathExpect"; readonly widgets: readonly Identifier[]; readonly span: Span }
  | { readonly kind: "EndExpect"; readonly widget: Identifier; readonly span: Span }
  | { readonly kind: "RouteExpect"; readonly queue: StringLiteral; readonly span: Span }
  | { readonly kind: "FailExpect"; readonly span: Span }
  | { readonly kind: "AttemptsExpect"; readonly widget: Identifier; readonly count: NumberLiteral; readonly span: Span }
  | { readonly kind: "SentExpect"; readonly message: StringLiteral; readonly span: Span }
  | { readonly kind: "VarExpect"; readonly name: Identifier; readonly value: Value; readonly span: Span };

export interface ExpectBlock {
  readonly kind: "ExpectBlock";
  readonly items: readonly Expectation[];
  readonly span: Span;
}

export type TestItem = InputBlock | Mock | ExpectBlock;

/** `test "NAME" { ... }`. */
export interface TestCase {
  readonly kind: "TestCase";
  readonly name: StringLiteral;
  /** Blocks in source order. */
  readonly items: readonly TestItem[];
  readonly span: Span;
}
