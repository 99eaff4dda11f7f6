// Trace events: what a run reports as it goes, live through `onEvent` and collected in the
// result. Every string in an event has passed through the run's redactor before anyone sees it.
// Times are epoch milliseconds: the wall clock read once as the run starts, advanced by the
// monotonic clock, so they never go backwards within a run and each costs one clock read.
// Durations are milliseconds from performance.now().
import type { HttpMethod, Step } from "./flow.js";

/** Events and outcomes are built field by field on the hot path (no spreads), then handed out readonly. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

export type StepKind = Step<Record<string, unknown>, string, string>["kind"];

/** Why a step or a run failed. Messages name variables, paths, secrets and types, never values. */
export type ErrorCode =
  /** A secret the step reads has no value. */
  | "missing-secret"
  /** The secret provider threw or rejected. */
  | "secret-provider"
  /** A header value with CR, LF, NUL or another character HTTP forbids. */
  | "invalid-header"
  /** The request could not be built: a bad URL, a body on GET, a builder that threw. */
  | "invalid-request"
  | "network"
  | "timeout"
  /** A non-2xx status once retries are spent (or one that is never retried). */
  | "status"
  | "too-many-redirects"
  /** A redirect to another origin would re-send a body holding a secret or masked value. */
  | "redirect"
  /** The response body exceeded `maxResponseBytes`. */
  | "too-large"
  /** JSON results are mapped but the body is not JSON. */
  | "invalid-json"
  /** The JSON body is nested deeper than `maxJsonDepth`. */
  | "too-deep"
  /** A JSONPath that jsonpath-plus rejected, or a compiled reader that threw. */
  | "invalid-path"
  /** A result whose value does not have the target variable's type. */
  | "result-type"
  /** The run's AbortSignal fired. */
  | "cancelled"
  /** The run executed `maxSteps` widgets without reaching a terminal one. */
  | "step-limit"
  /** An `onSend`/`onRoute`/`onEvent` handler threw or rejected. */
  | "handler"
  /** A condition test or set assignment threw (a step with no fail exit). */
  | "step";

export interface RunError {
  readonly code: ErrorCode;
  readonly message: string;
}

export type Outcome<W extends string> =
  | { readonly kind: "end"; readonly widget: W }
  | { readonly kind: "route"; readonly widget: W; readonly queue: string }
  | { readonly kind: "failed"; readonly widget: W; readonly error: RunError };

/**
 * Which exit a step took. `when` is a condition branch (its text is in `condition`); `on 404`,
 * `on 5xx`, `on timeout` is an http status exit, named by what matched.
 */
export type ExitName = "success" | "fail" | "next" | "when" | "else" | `on ${string}`;

/** A variable a step set. `value` is `••••` for masked variables. */
export interface VariableChange {
  readonly name: string;
  readonly value: unknown;
}

/** A result whose source had no match: the variable kept its value. */
export interface UnmatchedResult {
  readonly target: string;
  readonly source: string;
}

/** What every step-level event carries. */
interface StepEventBase<W extends string> {
  readonly widget: W;
  readonly kind: StepKind;
  /** The display name, when the widget has one. */
  readonly name?: string;
  /** Epoch ms when the event was emitted. */
  readonly time: number;
}

export interface RunStartEvent {
  readonly type: "run.start";
  readonly flow: string;
  readonly name?: string;
  readonly source: string;
  readonly time: number;
  /** Initial values (globals given and defaults), masked ones as `••••`. */
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface StepStartEvent<W extends string> extends StepEventBase<W> {
  readonly type: "step.start";
  /** `file.flow:line` of the widget. */
  readonly source: string;
  /** 1-based count of steps executed in this run. */
  readonly step: number;
}

export interface HttpAttemptStartEvent<W extends string> extends StepEventBase<W> {
  readonly type: "http.attempt.start";
  /** 1-based. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly method: HttpMethod;
  readonly url: string;
  /** Request headers; `Authorization` and secret-sourced values appear as `••••`. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface HttpRedirectEvent<W extends string> extends StepEventBase<W> {
  readonly type: "http.redirect";
  readonly attempt: number;
  readonly status: number;
  readonly from: string;
  readonly to: string;
  /** The method used for the next request (303, and 301/302 after POST, switch to GET). */
  readonly method: string;
}

export interface RetryWait {
  readonly waitMs: number;
  /** `retry-after` when the server's header set the wait, else `backoff`. */
  readonly reason: "backoff" | "retry-after";
  /** The server asked for longer than `retryAfterCapMs`. */
  readonly capped?: true;
}

export interface HttpAttemptEndEvent<W extends string> extends StepEventBase<W> {
  readonly type: "http.attempt.end";
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly method: string;
  /** The last URL requested, after any redirects. */
  readonly url: string;
  readonly startTime: number;
  readonly durationMs: number;
  /** Absent when no response arrived (network error, timeout, cancel). */
  readonly status?: number;
  /** Body bytes read, after any content decoding. */
  readonly bytes?: number;
  readonly error?: RunError;
  /** Present when another attempt follows after this wait. */
  readonly retry?: RetryWait;
}

export interface StepEndEvent<W extends string> extends StepEventBase<W> {
  readonly type: "step.end";
  readonly source: string;
  readonly step: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly durationMs: number;
  /** Absent for terminal widgets and for a step that failed without an exit. */
  readonly exit?: ExitName;
  /** The branch's text when `exit` is `when`. */
  readonly condition?: string;
  readonly next?: W;
  readonly changes: readonly VariableChange[];
  /** http: results whose path, status or header had no match. */
  readonly unmatched?: readonly UnmatchedResult[];
  /**
   * http: why `error_results` could not be mapped from a non-2xx response (a body that is not
   * JSON, a value of the wrong type). None of them was assigned; the exit still follows the status.
   */
  readonly errorResults?: RunError;
  /** http: attempts made and the final status. */
  readonly attempts?: number;
  readonly status?: number;
  /** send: the message. */
  readonly message?: string;
  /** route: the queue. */
  readonly queue?: string;
  readonly error?: RunError;
}

export interface RunEndEvent<W extends string> {
  readonly type: "run.end";
  readonly flow: string;
  readonly time: number;
  readonly durationMs: number;
  readonly steps: number;
  readonly outcome: Outcome<W>;
}

export type TraceEvent<W extends string = string> =
  | RunStartEvent
  | StepStartEvent<W>
  | HttpAttemptStartEvent<W>
  | HttpRedirectEvent<W>
  | HttpAttemptEndEvent<W>
  | StepEndEvent<W>
  | RunEndEvent<W>;

/** Durations in traces keep two decimals: finer digits are noise in a timeline. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
