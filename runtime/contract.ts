// The contract between compiled flows and the runtime, stated once: the methods and variable
// types a FlowDefinition may use, the bounds and defaults of its http steps, and which result paths
// run in bounded time. The runtime checks definitions against it (validate.ts), the compiler's checker
// reports source that would break it, and docs/language.md's settings table is tested against it.
// Imports nothing.

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const VAR_TYPES = [
  "string",
  "number",
  "boolean",
  "json",
  "array",
  "email",
  "url",
  "phone",
  "currency",
  "percentage",
  "date_time",
] as const;
export type VarType = (typeof VAR_TYPES)[number];

/** Types that are strings of a checked form: a value fits only when `fitsFormat` says so. */
export const STRING_FORMATS = ["email", "url", "phone"] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

export function isStringFormat(type: string): type is StringFormat {
  return (STRING_FORMATS as readonly string[]).includes(type);
}

// An address with one @, no spaces, and a dotted domain: what a mail system can route, not RFC 5322.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/;
// E.164: a plus and 8 to 15 digits, the first not 0.
const PHONE = /^\+[1-9]\d{7,14}$/;

/** Whether `text` has the form of `format`: an email address, an absolute http(s) URL, an E.164 number. */
export function fitsFormat(format: StringFormat, text: string): boolean {
  switch (format) {
    case "email":
      return text.length <= 254 && EMAIL.test(text);
    case "url": {
      if (!URL.canParse(text)) return false;
      const { protocol, hostname } = new URL(text);
      return (protocol === "http:" || protocol === "https:") && hostname !== "";
    }
    case "phone":
      return PHONE.test(text);
  }
}

/**
 * Types that are numbers of a checked range. A currency amount is a number of whole cents: flows
 * store and compare amounts but never compute with them, so refusing a sub-cent value where it
 * arrives keeps every amount exact to the cent. A percentage is 0 to 100 (12.5 is 12.5%).
 */
export const NUMBER_FORMATS = ["currency", "percentage"] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

export function isNumberFormat(type: string): type is NumberFormat {
  return (NUMBER_FORMATS as readonly string[]).includes(type);
}

/** Whether a finite `value` fits `format`. */
export function fitsNumberFormat(format: NumberFormat, value: number): boolean {
  switch (format) {
    case "currency": {
      // Within float noise of a whole number of cents: 0.29 is 28.999999999999996 cents.
      const cents = value * 100;
      return Number.isFinite(cents) && Math.abs(cents - Math.round(cents)) < 1e-6;
    }
    case "percentage":
      return value >= 0 && value <= 100;
  }
}

/**
 * A `date_time` is stored as `Date.prototype.toISOString()` writes it, in UTC with milliseconds
 * (`2026-12-24T09:30:00.000Z`): one fixed-width form, so equal instants are equal strings and
 * strings order as instants do. Years 0000 to 9999 only, where that form has four-digit years.
 */
export type DateTime = `${number}-${number}-${number}T${number}:${number}:${number}.${number}Z`;

const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
// ISO 8601 extended form with an offset; seconds and a fraction (kept to milliseconds) optional.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

/** Milliseconds since the epoch of an ISO 8601 date and time with an offset; undefined when it is not a real one. */
function parseIsoDateTime(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) =>
    Number(m[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (day < 1 || day > days || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59)
    return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((m[7] ?? "").padEnd(3, "0").slice(0, 3)));
  const offset = (m[8] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() - offset;
}

/**
 * A value as a `date_time` stores it, or undefined when it is not one: an ISO 8601 string with
 * an offset (`2026-12-24T10:30:00+01:00`), or a finite number of Unix seconds, rounded to the
 * millisecond; either within the years 0000 to 9999 in UTC. A millisecond timestamp of any
 * date after 1978 is out of range as seconds, so it is refused rather than read as a far-future date.
 */
export function toDateTime(value: unknown): DateTime | undefined {
  const ms =
    typeof value === "string"
      ? parseIsoDateTime(value)
      : typeof value === "number" && Number.isFinite(value)
        ? Math.round(value * 1000)
        : undefined;
  return ms === undefined || ms < MIN_MS || ms > MAX_MS ? undefined : (new Date(ms).toISOString() as DateTime);
}

/** The types whose values have a checked form, beyond their JSON kind. */
export type CheckedType = StringFormat | NumberFormat | "date_time";

export function isCheckedType(type: string): type is CheckedType {
  return Object.hasOwn(FORMAT_DESCRIPTIONS, type);
}

/** How a checked type's form is described in messages. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<CheckedType, string>> = {
  email: "an email address (name@domain.tld)",
  url: "an absolute http or https URL",
  phone: "an E.164 phone number (+ and 8 to 15 digits)",
  currency: "an amount in whole cents (at most two decimals)",
  percentage: "a percentage from 0 to 100",
  date_time: "an ISO 8601 date and time with an offset (2026-12-24T09:30:00Z)",
};

/**
 * The kinds of step a FlowDefinition holds. A terminal step ends the run when it is reached: it
 * has no exit. The language's description of widgets is checked against this (test/kinds.test.ts).
 */
export const STEP_KINDS = {
  http: { terminal: false },
  condition: { terminal: false },
  set: { terminal: false },
  send: { terminal: false },
  route: { terminal: true },
  end: { terminal: true },
} as const;
export type StepKind = keyof typeof STEP_KINDS;
export type TerminalStepKind = {
  [K in StepKind]: (typeof STEP_KINDS)[K]["terminal"] extends true ? K : never;
}[StepKind];

/** Whether a step ends the run, narrowing it to the terminal kinds. */
export function isTerminal<T extends { readonly kind: StepKind }>(
  step: T,
): step is Extract<T, { readonly kind: TerminalStepKind }> {
  return STEP_KINDS[step.kind].terminal;
}

/** A whole-number bound: `min` to `max` inclusive; `default` applies when the field is absent. */
export interface Bound<T> {
  readonly min: number;
  readonly max: number;
  readonly default: T;
  /** How the value is counted, for messages: "" for counts, "ms" for durations, "bytes" for sizes. */
  readonly unit: "" | "ms" | "bytes";
}

/**
 * Bounds and defaults of the optional fields of an http step, by field name. `retry` counts
 * attempts after a failed one; `timeoutMs` is per attempt and `maxResponseBytes` caps the body
 * (absent: the host's `RunOptions` of the same name, whose default is this default);
 * `followRedirects` is on unless false. The runtime resolves every field in one place
 * (`httpStepSettings`, runtime/options.ts), and a test runs each against a real server.
 */
export const HTTP_STEP = {
  retry: { min: 0, max: 3, default: 0, unit: "" } satisfies Bound<number>,
  timeoutMs: { min: 1, max: 10 * 60 * 1000, default: 10_000, unit: "ms" } satisfies Bound<number>,
  followRedirects: { default: true },
  // 16 MiB: far above any API answer a call flow maps, and a bound on what one widget may hold in memory.
  maxResponseBytes: { min: 1, max: 16 * 1024 * 1024, default: 1024 * 1024, unit: "bytes" } satisfies Bound<number>,
} as const;

/**
 * The waits between attempts of an http step, as the runtime applies them (runtime/retry.ts): before
 * attempt n + 1, a backoff of `retryBaseDelayMs`·2^(n−1) capped at `retryMaxDelayMs`, half of it jittered;
 * or, after a response with `Retry-After`, what it asks for up to `retryAfterCapMs`. These are the
 * defaults of the run options of the same names; the checker's time budgets read them here.
 */
export const RETRY_WAITS = { retryBaseDelayMs: 200, retryMaxDelayMs: 5_000, retryAfterCapMs: 10_000 } as const;

export type RetryWaits = { readonly [K in keyof typeof RETRY_WAITS]: number };

/** The backoff before attempt `attempt + 1` with its jitter at the maximum: the exponential, capped. */
export function backoffCeilingMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** (attempt - 1));
}

/** The longest wait before attempt `attempt + 1`: the backoff at full jitter or a Retry-After at the cap. */
export function longestRetryWaitMs(attempt: number, waits: RetryWaits): number {
  return Math.max(backoffCeilingMs(attempt, waits.retryBaseDelayMs, waits.retryMaxDelayMs), waits.retryAfterCapMs);
}

/** The HTTP_STEP fields as values: optional in a step (`HttpStep`), all present once resolved. */
export type HttpStepFields = {
  readonly [K in keyof typeof HTTP_STEP]: (typeof HTTP_STEP)[K]["default"] extends boolean ? boolean : number;
};

/**
 * Methods a result path's filter may call. Each runs in time linear in its receiver and arguments;
 * `includes`, `indexOf` and the like are left out because V8 searches a string in quadratic time in
 * the worst case (70 s for a 1 MB body), and regular expressions can backtrack for ever.
 */
export const FILTER_METHODS: ReadonlySet<string> = new Set([
  "startsWith",
  "endsWith",
  "toLowerCase",
  "toUpperCase",
  "trim",
]);

/** A node of a filter's expression as jsep parses it (jsonpath-plus's safe evaluator runs that tree). */
export interface ScriptNode {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** The `@` forms of jsonpath-plus's safe evaluator, renamed to the identifiers it defines (`@` is `_$_v`). */
export const SCRIPT_AT = /@(parentProperty|parent|property|root|path)?(?![\w$])/g;

// A filter reading anything but the node it tests (`@`) or that node's name can read the same large
// value once per node: time quadratic in the body.
const SHARED_READS: ReadonlyMap<string, string> = new Map([
  ["_$_root", "@root"],
  ["_$_parent", "@parent"],
  ["_$_parentProperty", "@parentProperty"],
  ["_$_path", "@path"],
]);
const SCRIPT_NODES: ReadonlySet<string> = new Set([
  "Literal",
  "Identifier",
  "MemberExpression",
  "UnaryExpression",
  "BinaryExpression",
  "ConditionalExpression",
  "ArrayExpression",
  "Compound",
  "CallExpression",
]);

/**
 * Why evaluating a JSONPath may take more than time linear in the body, or undefined. jsonpath-plus evaluates
 * synchronously, so such a path would block the event loop and no timeout could stop it. `segments` are the
 * path as jsonpath-plus reads it (`JSONPath.toPathArray`: what runs, whatever the spelling: `.[` and `[[` are
 * recursive descents there, `'?(...)'` a filter). `parse` is jsep set up as jsonpath-plus's safe evaluator
 * (regex and assignment plugins); it may throw. Bounded paths: at most one recursive descent (each one more
 * multiplies the work by the body's depth), no parent operator `^` and no union that can select a member
 * twice (each repeats the rest of the path), and filters and scripts `(...)` that read only `@` and
 * `@property`, call only FILTER_METHODS, and hold no regular expression or assignment.
 */
export function unboundedPathReason(
  segments: readonly (string | undefined)[],
  parse: (script: string) => ScriptNode,
): string | undefined {
  let descents = 0;
  for (const segment of segments) {
    // jsonpath-plus reads `#5` as its own placeholder: undefined, which selects nothing.
    if (segment === undefined) continue;
    let problem: string | undefined;
    if (segment === "..") {
      if (++descents > 1) problem = "a second recursive descent '..' multiplies the work by the depth of the body";
    } else if (segment === "^") problem = "the parent operator '^' repeats a node once for each of its children";
    else if (segment.startsWith("?(") || segment.startsWith("("))
      problem = scriptReason(segment.slice(segment.startsWith("?") ? 2 : 1, -1), parse);
    else if (segment.includes(",")) problem = unionReason(segment);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Calls `visit` with each character of `text` from `start` that is outside a quoted string (single
 * or double quotes, a backslash escaping the next character inside) and its index, until `visit`
 * returns true. Returns where it stopped: that index, `text.length` at the end, or -1 when the
 * text ends inside a quote. The compiler's JSONPath syntax check scans with it too.
 */
export function scanUnquoted(text: string, start: number, visit: (c: string, i: number) => boolean): number {
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (visit(c, i)) return i;
  }
  return quote === undefined ? text.length : -1;
}

/** Splits `0,'a',2:4` on commas outside quotes. */
export function splitUnion(text: string): string[] {
  const items: string[] = [];
  let start = 0;
  scanUnquoted(text, 0, (c, i) => {
    if (c === ",") {
      items.push(text.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  items.push(text.slice(start));
  return items;
}

/** A union selects each member once: names and indexes (`0` and `'0'` are one member), no slices or `*`. */
function unionReason(union: string): string | undefined {
  const items = splitUnion(union).map((item) => item.trim());
  const seen = new Set<string>();
  for (const item of items) {
    if (item.includes(":") || item === "*") return `${item} in a union can select a member twice`;
    const quoted = item.length > 1 && /^['"]/.test(item) && item.endsWith(item[0]!);
    const name = quoted ? item.slice(1, -1).replaceAll(/\\(['"\\])/g, "$1") : item;
    if (name.startsWith("-")) return `the negative index ${item} in a union can select a member twice`;
    if (seen.has(name)) return `the union names ${item} twice`;
    seen.add(name);
  }
  return undefined;
}

function scriptReason(script: string, parse: (script: string) => ScriptNode): string | undefined {
  let root: ScriptNode;
  try {
    root = parse(script.replace(SCRIPT_AT, (_, name: string | undefined) => `_$_${name ?? "v"}`));
  } catch {
    return `the filter (${script}) does not parse`;
  }
  // A call off the list is reported last: a regular expression in its arguments says more.
  let call: string | undefined;
  const stack: ScriptNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (!SCRIPT_NODES.has(node.type)) return `the filter (${script}) holds ${describeNode(node)}, which is not allowed`;
    if (node.type === "Literal" && node["value"] instanceof RegExp)
      return `the filter (${script}) holds a regular expression, which can backtrack for ever`;
    const shared = node.type === "Identifier" ? SHARED_READS.get(String(node["name"])) : undefined;
    if (shared !== undefined)
      return `the filter (${script}) reads ${shared}, which every node would read again; compare only @ and its members`;
    if (node.type === "CallExpression") {
      const callee = node["callee"] as ScriptNode;
      const method =
        callee.type === "MemberExpression" && callee["computed"] !== true
          ? String((callee["property"] as ScriptNode)["name"])
          : undefined;
      if (call === undefined && (method === undefined || !FILTER_METHODS.has(method)))
        call = `the filter (${script}) calls ${method ?? "a function"}; a filter may call only ${[...FILTER_METHODS].join(", ")}`;
    }
    for (const [key, value] of Object.entries(node)) {
      if (node.type === "MemberExpression" && key === "property" && node["computed"] !== true) continue;
      for (const child of Array.isArray(value) ? value : [value])
        if (typeof child === "object" && child !== null && typeof (child as ScriptNode).type === "string")
          stack.push(child as ScriptNode);
    }
  }
  return call;
}

function describeNode(node: ScriptNode): string {
  switch (node.type) {
    case "AssignmentExpression":
    case "UpdateExpression":
      return "an assignment";
    default:
      return `a ${node.type}`;
  }
}
