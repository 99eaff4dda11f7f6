// The .flow abstract syntax tree. Every node is a readonly interface discriminated by
// `kind` and carries the span of source text it was built from.

import type { ExitLabel, ValueKind, WIDGETS } from "./language.js";
import type { Span } from "./spans.js";

export type { ExitLabel, ValueKind } from "./language.js";
export type { Span } from "./spans.js";

export interface Identifier {
  readonly kind: "Identifier";
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- values

/** A double-quoted string. `value` is the decoded text with `{{...}}` left as written. */
export interface StringLiteral {
  readonly kind: "String";
  readonly value: string;
  /** The decoded string cut into text and `{{name}}` / `{{secret.NAME}}` parts, in order. */
  readonly parts: readonly TemplatePart[];
  readonly span: Span;
}

export interface TextPart {
  readonly kind: "Text";
  readonly value: string;
  readonly span: Span;
}

export interface Interpolation {
  readonly kind: "Interpolation";
  readonly ref: VarRef | SecretRef;
  readonly span: Span;
}

export type TemplatePart = TextPart | Interpolation;

export interface NumberLiteral {
  readonly kind: "Number";
  readonly value: number;
  /** As written, so the formatter keeps `1.50` as `1.50`. */
  readonly raw: string;
  readonly span: Span;
}

export interface BooleanLiteral {
  readonly kind: "Boolean";
  readonly value: boolean;
  readonly span: Span;
}

export interface NullLiteral {
  readonly kind: "Null";
  readonly span: Span;
}

export interface VarRef {
  readonly kind: "VarRef";
  readonly name: string;
  readonly span: Span;
}

export interface SecretRef {
  readonly kind: "SecretRef";
  readonly name: string;
  readonly span: Span;
}

export interface ObjectEntry {
  readonly kind: "ObjectEntry";
  readonly key: StringLiteral;
  readonly value: Value;
  readonly span: Span;
}

export interface ObjectValue {
  readonly kind: "Object";
  readonly entries: readonly ObjectEntry[];
  readonly span: Span;
}

export interface ArrayValue {
  readonly kind: "Array";
  readonly items: readonly Value[];
  readonly span: Span;
}

export type Literal = StringLiteral | NumberLiteral | BooleanLiteral | NullLiteral;
export type Value = Literal | VarRef | SecretRef | ObjectValue | ArrayValue;

// ---------------------------------------------------------------- expressions

export type ComparisonOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains";
export type LogicalOp = "and" | "or";

export interface BinaryExpr {
  readonly kind: "Binary";
  readonly op: ComparisonOp | LogicalOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

export interface NotExpr {
  readonly kind: "Not";
  readonly operand: Expr;
  readonly span: Span;
}

/** `items.length`: the number of items of an array variable (0 while it is unset). */
export interface LengthExpr {
  readonly kind: "Length";
  readonly target: VarRef;
  readonly span: Span;
}

/** Parentheses are not kept: the printer adds them back where precedence needs them. */
export type Expr = BinaryExpr | NotExpr | Literal | VarRef | LengthExpr;

// ---------------------------------------------------------------- declarations

/**
 * `global` (run input), `local` (the run's own) or `config` (the environment's: read-only, never
 * from run input, no default).
 */
export interface VarDecl {
  readonly kind: "VarDecl";
  readonly scope: "global" | "local" | "config";
  readonly name: Identifier;
  readonly type: TypeRef;
  readonly default?: Value;
  readonly masked: boolean;
  readonly span: Span;
}

/** A type name as written; the checker knows which exist (the runtime's VAR_TYPES). */
export interface TypeRef {
  readonly kind: "TypeRef";
  readonly name: string;
  readonly span: Span;
}

export interface SecretDecl {
  readonly kind: "SecretDecl";
  readonly name: Identifier;
  readonly span: Span;
}

export type Declaration = VarDecl | SecretDecl;

// ---------------------------------------------------------------- exits and widgets

/** `success -> ID`, `next -> ID`, `start -> ID`, ... The span covers the whole line. */
export interface Exit {
  readonly kind: "Exit";
  readonly label: ExitLabel;
  readonly target: Identifier;
  readonly span: Span;
}

/** One item of a status exit as written: `404`, `5xx`, `timeout` or `network_error`; the checker knows which hold. */
export interface StatusMatch {
  readonly kind: "StatusMatch";
  readonly text: string;
  readonly span: Span;
}

/** `on 404, 5xx -> ID` in an http widget. The span covers the whole line. */
export interface StatusExit {
  readonly kind: "StatusExit";
  readonly label: "on";
  readonly statuses: readonly StatusMatch[];
  readonly target: Identifier;
  readonly span: Span;
}

/** `key = value` in `query`, `headers` and `body form`. Header names are quoted; query and form keys may be either. */
export interface KeyValue {
  readonly kind: "KeyValue";
  readonly key: Key;
  readonly value: Value;
  readonly span: Span;
}

export interface Key {
  readonly kind: "Key";
  readonly name: string;
  readonly quoted: boolean;
  readonly span: Span;
}

export interface Duration {
  readonly kind: "Duration";
  readonly ms: number;
  /** As written: `250ms`, `5s`, `2m`. */
  readonly raw: string;
  readonly span: Span;
}

export interface JsonPathSource {
  readonly kind: "JsonPathSource";
  readonly path: StringLiteral;
  readonly span: Span;
}

export interface StatusSource {
  readonly kind: "StatusSource";
  readonly span: Span;
}

export interface HeaderSource {
  readonly kind: "HeaderSource";
  readonly name: StringLiteral;
  readonly span: Span;
}

export type ResultSource = JsonPathSource | StatusSource | HeaderSource;

export interface ResultMapping {
  readonly kind: "ResultMapping";
  readonly source: ResultSource;
  readonly target: Identifier;
  readonly span: Span;
}

/** A method name as written; the checker knows which exist (the runtime's HTTP_METHODS). */
export interface MethodName {
  readonly kind: "MethodName";
  readonly name: string;
  readonly span: Span;
}

/** `{ key = value ... }`: the value of `query`, `headers` and `body form`. */
export interface KeyValueBlock {
  readonly kind: "KeyValueBlock";
  readonly entries: readonly KeyValue[];
  readonly span: Span;
}

export interface JsonBody {
  readonly kind: "JsonBody";
  readonly value: Value;
  readonly span: Span;
}
export interface FormBody {
  readonly kind: "FormBody";
  readonly entries: readonly KeyValue[];
  readonly span: Span;
}
export interface TextBody {
  readonly kind: "TextBody";
  readonly value: StringLiteral;
  readonly span: Span;
}
export type Body = JsonBody | FormBody | TextBody;

/** `{ SOURCE -> NAME ... }`: the value of `results`. */
export interface ResultsBlock {
  readonly kind: "ResultsBlock";
  readonly mappings: readonly ResultMapping[];
  readonly span: Span;
}

/** The node that holds a setting's value, by the value kind of the setting (grammar/language.ts). */
export interface SettingValues {
  readonly method: MethodName;
  readonly value: Value;
  readonly string: StringLiteral;
  readonly plainString: StringLiteral;
  readonly count: NumberLiteral;
  readonly duration: Duration;
  readonly flag: BooleanLiteral;
  readonly keyValues: KeyValueBlock;
  readonly body: Body;
  readonly results: ResultsBlock;
}

/** `keyword VALUE`. The span covers the whole line (keyword to end of value or closing brace). */
export interface Setting<K extends ValueKind = ValueKind> {
  readonly kind: "Setting";
  readonly keyword: string;
  readonly valueKind: K;
  readonly value: SettingValues[K];
  readonly span: Span;
}

/** Any setting, discriminated by `valueKind`. */
export type AnySetting = { [K in ValueKind]: Setting<K> }[ValueKind];

type SpecOf<K extends keyof typeof WIDGETS> = (typeof WIDGETS)[K];

/** A widget's settings by keyword, typed from its description; each appears at most once. */
export type SettingsOf<K extends keyof typeof WIDGETS> = {
  readonly [S in SpecOf<K>["settings"][number] as S["keyword"]]?: Setting<S["value"]>;
};

/** A widget's exits by label (not `when` branches), typed from its description. */
export type ExitsOf<K extends keyof typeof WIDGETS> = {
  readonly [E in SpecOf<K>["exits"][number] as E["label"]]?: Exit;
};

interface WidgetBase {
  readonly id: Identifier;
  readonly displayName?: StringLiteral;
  readonly span: Span;
}

/** The Http Call widget. The parser reports a repeated setting or exit and keeps the first. */
export interface HttpWidget extends WidgetBase {
  readonly kind: "HttpWidget";
  /** `on STATUS -> w` exits in source order; the checker reports overlaps. */
  readonly statusExits: readonly StatusExit[];
  readonly settings: SettingsOf<"http">;
  readonly exits: ExitsOf<"http">;
}

export interface WhenBranch {
  readonly kind: "When";
  readonly condition: Expr;
  readonly target: Identifier;
  readonly span: Span;
}

export interface ConditionWidget extends WidgetBase {
  readonly kind: "ConditionWidget";
  readonly branches: readonly WhenBranch[];
  readonly settings: SettingsOf<"condition">;
  readonly exits: ExitsOf<"condition">;
}

export interface Assignment {
  readonly kind: "Assignment";
  readonly target: Identifier;
  readonly value: Value;
  readonly span: Span;
}

export interface SetWidget extends WidgetBase {
  readonly kind: "SetWidget";
  readonly assignments: readonly Assignment[];
  readonly settings: SettingsOf<"set">;
  readonly exits: ExitsOf<"set">;
}

export interface SendWidget extends WidgetBase {
  readonly kind: "SendWidget";
  readonly settings: SettingsOf<"send">;
  readonly exits: ExitsOf<"send">;
}

export interface RouteWidget extends WidgetBase {
  readonly kind: "RouteWidget";
  readonly settings: SettingsOf<"route">;
  readonly exits: ExitsOf<"route">;
}

export interface EndWidget extends WidgetBase {
  readonly kind: "EndWidget";
  readonly settings: SettingsOf<"end">;
  readonly exits: ExitsOf<"end">;
}

export type Widget = HttpWidget | ConditionWidget | SetWidget | SendWidget | RouteWidget | EndWidget;
export type WidgetKind = Widget["kind"];

// ---------------------------------------------------------------- the file

export interface Flow {
  readonly kind: "Flow";
  readonly id: Identifier;
  readonly displayName?: StringLiteral;
  /** Variable and secret declarations in source order. */
  readonly declarations: readonly Declaration[];
  readonly start?: Exit;
  /** Widgets in source order. */
  readonly widgets: readonly Widget[];
  readonly span: Span;
}

/** A `#` or `//` comment, kept for the formatter. `text` includes the marker. */
export interface Comment {
  readonly kind: "Comment";
  readonly text: string;
  readonly span: Span;
}
