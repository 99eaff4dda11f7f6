// Mapping a response to variables: JSON paths (compiled readers or jsonpath-plus), the status
// and headers, each checked against the target's declared type. All results map or none do.
import { JSONPath } from "jsonpath-plus";
import type { ResultSource, ResultSpec, VarType, Vars } from "./flow.js";
import type { RunError, UnmatchedResult } from "./trace.js";
import { setOwn } from "./own-property.js";
import { describeType, toStored } from "./types.js";

export interface ResponseView {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The body as UTF-8 text. */
  readonly text: string;
}

export interface Assignment {
  readonly target: string;
  readonly value: unknown;
}

export type MappingResult =
  | { readonly ok: true; readonly assignments: readonly Assignment[]; readonly unmatched: readonly UnmatchedResult[] }
  | { readonly ok: false; readonly error: RunError };

const NONE: readonly UnmatchedResult[] = Object.freeze([]);

/**
 * A JSON number whose digits a JavaScript number does not hold (9007199254740993 parses as
 * ...992), kept with its source text so that a string variable gets the exact digits and a
 * number variable refuses it rather than store another number.
 */
class InexactNumber {
  // Private: a path walking the parsed body (`$..*`) sees no properties inside the number.
  readonly #value: number;
  readonly #source: string;

  constructor(value: number, source: string) {
    this.#value = value;
    this.#source = source;
  }

  get value(): number {
    return this.#value;
  }

  get source(): string {
    return this.#source;
  }

  /** A path's filter comparing it (`@.n > 5`) compares the number, as before. */
  valueOf(): number {
    return this.#value;
  }
}

/** A decimal's digits and exponent, without leading or trailing zeros: `1.50e1`, `15` and `15.0` are all `15e0`. */
function canonicalDecimal(text: string): string {
  const match = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return text;
  const fraction = match[2] ?? "";
  let digits = (match[1]! + fraction).replace(/^0+/, "");
  let exponent = Number(match[3] ?? "0") - fraction.length;
  const trimmed = digits.replace(/0+$/, "");
  exponent += digits.length - trimmed.length;
  digits = trimmed;
  if (digits === "") return "0";
  return `${text.startsWith("-") ? "-" : ""}${digits}e${exponent}`;
}

/**
 * Only a number of 16 or more digits can read back as another decimal, so text without a run of
 * 16 digits (a dot allowed inside) is parsed without a reviver, at full speed.
 */
const MAY_BE_INEXACT = /[\d.]{16}/;

/** What JSON.parse gives a reviver as its third argument (Node 22+): the source text of a primitive. */
interface ReviverContext {
  readonly source?: string;
}

/** Boxes a number that does not read back as the decimal it was written as. */
function keepInexact(_key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== "number" || context?.source === undefined || !Number.isFinite(value)) return value;
  const source = context.source;
  return canonicalDecimal(source) === canonicalDecimal(String(value)) ? value : new InexactNumber(value, source);
}

/** A value read from a parsed body with every InexactNumber back as the number JSON.parse made (a json or array variable). */
function plain(value: unknown): unknown {
  if (value instanceof InexactNumber) return value.value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setOwn(copy, key, plain(item));
  return copy;
}

/** How a source is named in traces and errors: the path, `status`, or `header "Name"`. */
export function describeSource(source: ResultSource): string {
  switch (source.kind) {
    case "json":
      return source.path;
    case "status":
      return "status";
    case "header":
      return `header ${JSON.stringify(source.name)}`;
  }
}

/**
 * The first value jsonpath-plus finds for `path`, or undefined when nothing matches. Paths
 * that select several values (wildcards, slices, filters) yield the first in document order.
 */
export function firstMatch(path: string, json: unknown): unknown {
  const matches = JSONPath({ path, json, wrap: true, eval: "safe" });
  return Array.isArray(matches) ? matches[0] : undefined;
}

/**
 * Whether `json`, parsed from `text`, nests arrays and objects deeper than `limit` (a scalar has
 * depth 0). Walked with lists rather than recursion: the data comes from a server, and no depth
 * may overflow the stack. Each level takes two characters of text, so a short body is not walked.
 */
export function deeperThan(json: unknown, text: string, limit: number): boolean {
  if (text.length < 2 * (limit + 1)) return false;
  const values: unknown[] = [json];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== "object" || value instanceof InexactNumber) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(value)) {
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

/** Status codes are numbers; a string variable gets their decimal text. */
function fromStatus(status: number, type: VarType): unknown {
  return type === "string" ? String(status) : status;
}

/**
 * Maps `results` from a response. With `metaOnly` (a non-2xx final response) only status and
 * header sources are mapped, so a flow can branch on them after its Fail exit.
 */
export function mapResults<V extends Vars>(
  results: readonly ResultSpec<V>[],
  response: ResponseView,
  metaOnly: boolean,
  maxJsonDepth: number,
): MappingResult {
  const assignments: Assignment[] = [];
  let unmatched: UnmatchedResult[] | undefined;
  let json: unknown;
  let parsed = false;
  /** Whether the body may hold an InexactNumber: then values read from it are unboxed before they are stored. */
  let inexact = false;
  for (const result of results) {
    const { source, target, type } = result;
    let value: unknown;
    if (source.kind === "status") {
      value = fromStatus(response.status, type);
    } else if (source.kind === "header") {
      value = response.headers.get(source.name) ?? undefined;
    } else {
      if (metaOnly) continue;
      if (!parsed) {
        try {
          // A byte order mark is not JSON, but servers send one and decoders drop it.
          const text = response.text.charCodeAt(0) === 0xfeff ? response.text.slice(1) : response.text;
          // Numbers a double cannot hold exactly are boxed as InexactNumber.
          inexact = MAY_BE_INEXACT.test(text);
          json = inexact ? JSON.parse(text, keepInexact as (key: string, value: unknown) => unknown) : JSON.parse(text);
        } catch {
          const message =
            response.text === "" ? "response body is empty, expected JSON" : "response body is not valid JSON";
          return { ok: false, error: { code: "invalid-json", message } };
        }
        parsed = true;
        // Everything after (paths, the redactor, traces, a CLI printing them) may recurse over it.
        if (deeperThan(json, response.text, maxJsonDepth)) {
          const message = `response body is nested deeper than maxJsonDepth (${maxJsonDepth})`;
          return { ok: false, error: { code: "too-deep", message } };
        }
      }
      try {
        value = source.read ? source.read(json) : firstMatch(source.path, json);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          ok: false,
          error: { code: "invalid-path", message: `result ${describeSource(source)} -> ${target}: ${reason}` },
        };
      }
    }
    if (value === undefined) {
      (unmatched ??= []).push({ target, source: describeSource(source) });
      continue;
    }
    if (value instanceof InexactNumber) {
      if (type === "string") {
        assignments.push({ target, value: value.source });
        continue;
      }
      if (type !== "json") {
        const message = `result ${describeSource(source)} -> ${target}: expected ${type}, got a number with more digits than a number holds exactly (map it to a string)`;
        return { ok: false, error: { code: "result-type", message } };
      }
    }
    if (inexact) value = plain(value);
    const stored = toStored(value, type);
    if (stored === undefined) {
      const message = `result ${describeSource(source)} -> ${target}: expected ${type}, got ${describeType(value)}`;
      return { ok: false, error: { code: "result-type", message } };
    }
    assignments.push({ target, value: stored });
  }
  return { ok: true, assignments, unmatched: unmatched ?? NONE };
}
