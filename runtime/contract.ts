// The contract between compiled flows and the runtime, stated once: the methods and variable
// types a FlowDefinition may use, and the bounds and defaults of its http steps. The runtime
// checks definitions against it (validate.ts), the compiler's checker reports source that would
// break it, and docs/language.md's settings table is tested against it. Imports nothing.

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const VAR_TYPES = ["string", "number", "boolean", "json"] as const;
export type VarType = (typeof VAR_TYPES)[number];

/** A whole-number bound: `min` to `max` inclusive; `default` applies when the field is absent. */
export interface Bound<T> {
  readonly min: number;
  readonly max: number;
  readonly default: T;
  /** How the value is counted, for messages: "" for counts, "ms" for durations. */
  readonly unit: "" | "ms";
}

/**
 * Bounds and defaults of the optional fields of an http step, by field name. `retry` counts
 * attempts after a failed one; `timeoutMs` is per attempt (absent: the host's
 * `RunOptions.timeoutMs`, whose default is this default); `followRedirects` is on unless false.
 */
export const HTTP_STEP = {
  retry: { min: 0, max: 3, default: 0, unit: "" } satisfies Bound<number>,
  timeoutMs: { min: 1, max: 10 * 60 * 1000, default: 10_000, unit: "ms" } satisfies Bound<number>,
  followRedirects: { default: true },
} as const;
