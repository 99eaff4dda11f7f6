// The language in one table: each widget kind with its settings and exits, in canonical print
// order, with one line of documentation each, and the facts of the kind (its step kind, entries,
// effect and layout; whether it ends the run follows from its exits). The lexer's keywords, the
// parser's setting and exit rules, the AST's setting fields, the checker's required parts and loop
// warning, the printer's order and layout, the differ's fields, the graph's edges, the emitter's
// simple fields and exit fields and the docs' settings table all come from here. Numeric bounds and
// defaults, and which step kinds end a run, are the runtime's contract (runtime/contract.ts): a
// setting names its field there, the compiler reads the bounds from it, and test/kinds.test.ts holds
// the step kinds equal.
import type { MessageKey } from "./diagnostics.js";

/**
 * How a setting's value is written, and so which AST node holds it:
 * - `method`: a bare name (`GET`); the checker knows the methods.
 * - `value`: any value (string, number, name, `secret.X`, object, array).
 * - `string`: a string, `{{...}}` allowed. `plainString`: a string taken as written (no `{{...}}`).
 * - `count`: a whole number. `duration`: `250ms`, `5s`, `2m`. `flag`: `true` or `false`.
 * - `keyValues`: `{ key = value ... }`. `body`: `json VALUE`, `form { ... }` or `text STRING`.
 * - `results`: `{ SOURCE -> NAME ... }`.
 */
export type ValueKind =
  "method" | "value" | "string" | "plainString" | "count" | "duration" | "flag" | "keyValues" | "body" | "results";

/** A part a widget cannot do without: its diagnostic (reported on the widget id) and the fix. */
export interface Requirement {
  readonly code: MessageKey;
  readonly hint: string;
}

/** Value kinds the emitter writes into a step field as they are (`retry 2` is `retry: 2`); the others need code. */
export type FieldValueKind = "count" | "duration" | "flag" | "plainString";

interface SettingSpecBase {
  /** As written in source. */
  readonly keyword: string;
  /** The least value the language accepts where it is more than the contract's (retry: 0 is "no retry"). */
  readonly least?: number;
  readonly required?: Requirement;
  /** One line for docs, hover and completion. */
  readonly doc: string;
  /** A line as a user would write it. */
  readonly example: string;
}

export type SettingSpec =
  | (SettingSpecBase & {
      readonly value: FieldValueKind;
      /** The step field in the runtime's FlowDefinition, for settings the emitter writes as they are. */
      readonly field?: string;
    })
  | (SettingSpecBase & { readonly value: Exclude<ValueKind, FieldValueKind>; readonly field?: never });

/** `on` is a status exit (`on 404 -> w`): an entry of the http widget, see `statusExits`. */
export type ExitLabel = "start" | "success" | "fail" | "next" | "else" | "when" | "on";

export interface ExitSpec {
  readonly label: ExitLabel;
  /** The field of the runtime's step (or of the FlowDefinition, for `start`) that names the target. */
  readonly field: string;
  readonly required?: Requirement;
  readonly doc: string;
}

export interface WidgetSpec {
  readonly keyword: string;
  /** The AST node kind. */
  readonly kind: string;
  /** The step kind in the runtime's FlowDefinition. */
  readonly step: string;
  readonly doc: string;
  /** Settings in canonical print order; each may appear once. */
  readonly settings: readonly SettingSpec[];
  /** Exits other than `when` branches, in canonical print order. */
  readonly exits: readonly ExitSpec[];
  /** Entries of the widget's own shape: `when` branches, assignments or `on STATUS -> w` exits. */
  readonly entries?: "branches" | "assignments" | "statusExits";
  /** How a parse error inside the block describes what may go there. */
  readonly contents: string;
  /**
   * Whether running it acts outside the run (calls an API, sends a message, hands the contact to a
   * queue), so a loop through it may end differently each round; a loop without one is CF2036.
   */
  readonly effect: boolean;
  /** How the formatter lays it out; see `Layout`. */
  readonly layout: Layout;
}

/**
 * - `block`: settings and exits on lines of their own inside `{ }`; `{}` when it holds nothing.
 * - `inline`: as `block`, but one short setting alone, with no comment inside, goes on one line
 *   (`route agents { queue "support" }`).
 * - `bare`: as `block`, but nothing at all when it holds nothing (`end done`).
 */
export type Layout = "block" | "inline" | "bare";

const next: ExitSpec = {
  label: "next",
  field: "next",
  required: { code: "missingNextExit", hint: "add `next -> WIDGET`" },
  doc: "The widget that comes next.",
};

export const WIDGETS = {
  http: {
    keyword: "http",
    effect: true,
    layout: "block",
    kind: "HttpWidget",
    step: "http",
    doc: "Calls an HTTP API, maps the response into variables, and exits through success or fail.",
    contents: "an http setting or '}'",
    entries: "statusExits",
    settings: [
      {
        keyword: "method",
        value: "method",
        required: { code: "missingMethod", hint: "add a method, for example `method GET`" },
        doc: "The HTTP method; the runtime's contract lists the methods it sends.",
        example: "method GET",
      },
      {
        keyword: "url",
        value: "value",
        required: { code: "missingUrl", hint: 'add `url "https://..."`' },
        doc: "The request URL, absolute http(s); interpolated values are percent-encoded.",
        example: 'url "{{api_base}}/orders/{{order_id}}"',
      },
      {
        keyword: "query",
        value: "keyValues",
        doc: "Query parameters, appended to the URL and encoded.",
        example: 'query { include = "items" }',
      },
      {
        keyword: "authorization",
        value: "value",
        doc: "The Authorization header value; hidden in traces.",
        example: 'authorization "Bearer {{secret.CRM_TOKEN}}"',
      },
      {
        keyword: "headers",
        value: "keyValues",
        doc: "Custom request headers; a header whose value uses a secret is hidden in traces.",
        example: 'headers { "X-Request-Source" = "ivr" }',
      },
      {
        keyword: "content_type",
        value: "plainString",
        field: "contentType",
        doc: "The request body's media type; defaults from the body kind when absent.",
        example: 'content_type "application/json"',
      },
      {
        keyword: "body",
        value: "body",
        doc: "The request body: `json VALUE`, `form { key = value }` or `text STRING`.",
        example: 'body json { "order": order_id }',
      },
      {
        keyword: "retry",
        value: "count",
        field: "retry",
        least: 1,
        doc: "Attempts after a failed one (network error, timeout, 408, 429, 5xx); leave it out for none.",
        example: "retry 2",
      },
      {
        keyword: "timeout",
        value: "duration",
        field: "timeoutMs",
        doc: "The time one attempt may take: connecting, redirects and reading the body.",
        example: "timeout 5s",
      },
      {
        keyword: "follow_redirects",
        value: "flag",
        field: "followRedirects",
        doc: "Whether a 3xx response with a Location is followed; with `false` it is the final response.",
        example: "follow_redirects false",
      },
      {
        keyword: "max_response_bytes",
        value: "count",
        field: "maxResponseBytes",
        doc: "The largest response body this widget reads, in bytes; a larger one fails it. Left out: the run's limit.",
        example: "max_response_bytes 65536",
      },
      {
        keyword: "results",
        value: "results",
        doc: "Maps a JSONPath of the JSON body, `status` or `header NAME` into variables, on a 2xx response.",
        example: 'results { "$.shipDate" -> ship_date }',
      },
      {
        keyword: "error_results",
        value: "results",
        doc: "Like `results`, from a non-2xx final response, before its status exit or `fail` is taken.",
        example: 'error_results { "$.error.code" -> error_code }',
      },
    ],
    exits: [
      {
        label: "success",
        field: "success",
        required: { code: "missingSuccessExit", hint: "add `success -> WIDGET`" },
        doc: "Taken on a 2xx response with every result mapped.",
      },
      {
        label: "fail",
        field: "fail",
        required: { code: "missingFailExit", hint: "add `fail -> WIDGET`" },
        doc: "Taken on a network error, a timeout, a non-2xx status after the retries, or a result that does not fit, unless an `on` exit matches.",
      },
    ],
  },
  condition: {
    keyword: "condition",
    effect: false,
    layout: "block",
    kind: "ConditionWidget",
    step: "condition",
    doc: "Tries its `when` branches in order and takes the first that holds, else `else`.",
    contents: "'when', 'else' or '}'",
    settings: [],
    entries: "branches",
    exits: [
      {
        label: "else",
        field: "else",
        required: { code: "missingElse", hint: "add `else -> WIDGET` for when no branch matches" },
        doc: "Taken when no `when` branch holds.",
      },
    ],
  },
  set: {
    keyword: "set",
    effect: false,
    layout: "block",
    kind: "SetWidget",
    step: "set",
    doc: "Assigns values to variables.",
    contents: "an assignment, 'next' or '}'",
    settings: [],
    entries: "assignments",
    exits: [next],
  },
  send: {
    keyword: "send",
    effect: true,
    layout: "block",
    kind: "SendWidget",
    step: "send",
    doc: "Sends a message to the contact.",
    contents: "'message', 'next' or '}'",
    settings: [
      {
        keyword: "message",
        value: "string",
        required: { code: "missingMessage", hint: 'add `message "..."`' },
        doc: "The text sent; `{{name}}` interpolates a variable.",
        example: 'message "Your order ships on {{ship_date}}."',
      },
    ],
    exits: [next],
  },
  route: {
    keyword: "route",
    effect: true,
    layout: "inline",
    kind: "RouteWidget",
    step: "route",
    doc: "Hands the contact to a queue; the flow ends here.",
    contents: "'queue' or '}'",
    settings: [
      {
        keyword: "queue",
        value: "plainString",
        field: "queue",
        required: { code: "missingQueue", hint: 'add `queue "QUEUE_NAME"`' },
        doc: "The queue's name, as the contact center knows it.",
        example: 'queue "support"',
      },
    ],
    exits: [],
  },
  end: {
    keyword: "end",
    effect: false,
    layout: "bare",
    kind: "EndWidget",
    step: "end",
    doc: "Ends the flow.",
    contents: "'}'",
    settings: [],
    exits: [],
  },
} as const satisfies Readonly<Record<string, WidgetSpec>>;

export type WidgetKeyword = keyof typeof WIDGETS;

/** The widget descriptions in canonical order. */
export const WIDGET_SPECS: readonly WidgetSpec[] = Object.values(WIDGETS);

/** The description of each AST widget kind. */
export const WIDGET_BY_KIND: ReadonlyMap<string, WidgetSpec> = new Map(WIDGET_SPECS.map((w) => [w.kind, w]));

/**
 * Whether a widget of this kind ends the run: it has no way out, neither an exit nor entries that
 * are exits (`when` branches, status exits). The runtime's terminal step kinds (`STEP_KINDS` in
 * runtime/contract.ts) are these; test/kinds.test.ts holds them equal.
 */
export function isTerminal(spec: WidgetSpec): boolean {
  return spec.exits.length === 0 && (spec.entries === undefined || spec.entries === "assignments");
}

/** The `start -> WIDGET` line of a flow. */
export const START_EXIT: ExitSpec = {
  label: "start",
  field: "start",
  required: { code: "missingStart", hint: "add `start -> WIDGET` to name the first widget" },
  doc: "The first widget of the flow.",
};

/** `on STATUS, ... -> WIDGET` in an http widget: the widget's `statusExits` entries. */
export const STATUS_EXIT: ExitSpec = {
  label: "on",
  field: "statusExits",
  doc: "Taken when the last attempt ends with a listed status (`404`), class (`5xx`), `timeout` or `network_error`.",
};

/** Words that begin a flow item: declarations, `start` and the widget keywords. */
export const ITEM_KEYWORDS: readonly string[] = [
  "global",
  "local",
  "config",
  "secret",
  "start",
  ...Object.keys(WIDGETS),
];
