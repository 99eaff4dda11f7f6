// Mapping a response to variables: JSON paths (compiled readers or jsonpath-plus), the status
// and headers, each checked against the target's declared type. All results map or none do.
import { JSONPath } from "jsonpath-plus";
import type { ResultSource, ResultSpec, VarType, Vars } from "./flow.js";
import type { RunError, UnmatchedResult } from "./trace.js";
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
    if (value === null || typeof value !== "object") continue;
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
          json = JSON.parse(response.text.charCodeAt(0) === 0xfeff ? response.text.slice(1) : response.text);
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
    const stored = toStored(value, type);
    if (stored === undefined) {
      const message = `result ${describeSource(source)} -> ${target}: expected ${type}, got ${describeType(value)}`;
      return { ok: false, error: { code: "result-type", message } };
    }
    assignments.push({ target, value: stored });
  }
  return { ok: true, assignments, unmatched: unmatched ?? NONE };
}
