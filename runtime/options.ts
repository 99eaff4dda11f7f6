// What a host passes to `run`, and the defaults for every limit.
import { realClock, type Clock } from "./clock.js";
import { HTTP_STEP, RETRY_WAITS, type HttpStepFields } from "./contract.js";
import type { FetchLike } from "./fetch.js";
import { asTransport, type Transport } from "./transport.js";
import { envSecrets, type SecretProvider } from "./secrets.js";
import type { TraceEvent } from "./trace.js";
import type { Vars } from "./flow.js";

/** What `send` and `route` handlers are told about the step that called them. */
export interface StepContext<V extends Vars, W extends string> {
  readonly flow: string;
  readonly widget: W;
  /** The variables as they are when the step runs. */
  readonly variables: Readonly<V>;
  /** Aborted when the run is cancelled; a handler doing I/O should pass it on. */
  readonly signal: AbortSignal;
}

/** Numeric limits; each has a default in `RUNTIME_DEFAULTS`. */
export interface RuntimeLimits {
  /** Widgets executed per run, terminal ones included; flows may loop. */
  readonly maxSteps: number;
  /** Response body size for http steps without `max_response_bytes`; a larger body fails the step and is read no further. */
  readonly maxResponseBytes: number;
  /** Redirects followed within one attempt; one more fails the step. */
  readonly maxRedirects: number;
  /** Nesting of a JSON response body whose results are mapped; a deeper one fails the step as `too-deep`. */
  readonly maxJsonDepth: number;
  /** Per attempt (connect, redirects and reading the body) for http steps without `timeout`. */
  readonly timeoutMs: number;
  /** First backoff delay before a retry; doubles each attempt, with jitter. */
  readonly retryBaseDelayMs: number;
  /** Largest backoff delay. */
  readonly retryMaxDelayMs: number;
  /** Largest wait a `Retry-After` header can ask for; longer requests wait this long. */
  readonly retryAfterCapMs: number;
}

export const RUNTIME_DEFAULTS: RuntimeLimits = Object.freeze({
  maxSteps: 1000,
  maxResponseBytes: HTTP_STEP.maxResponseBytes.default,
  maxRedirects: 5,
  maxJsonDepth: 100,
  timeoutMs: HTTP_STEP.timeoutMs.default,
  ...RETRY_WAITS,
});

export interface RunOptions<V extends Vars = Vars, W extends string = string> extends Partial<RuntimeLimits> {
  /**
   * How requests are sent. Default: on Node, the undici transport (`undiciTransport()`, one shared
   * keep-alive pool); elsewhere `crossFetchTransport`. Any fetch function (Node's global `fetch`,
   * a test double) is a transport too.
   */
  readonly transport?: Transport | FetchLike;
  /**
   * The values of the flow's `config` declarations: the environment's, never the caller's. A host
   * builds this once per environment and passes it with every run; a missing, unknown or
   * mistyped entry is a FlowConfigError before any step runs.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Default: `envSecrets()`, reading `CALLFLOW_SECRET_<NAME>`. */
  readonly secrets?: SecretProvider;
  /** Cancels the run: the current request is aborted and the run ends with a `cancelled` failure. */
  readonly signal?: AbortSignal;
  /** Each trace event as it happens, already redacted. */
  readonly onEvent?: (event: TraceEvent<W>) => void;
  readonly onSend?: (message: string, ctx: StepContext<V, W>) => void | Promise<void>;
  readonly onRoute?: (queue: string, ctx: StepContext<V, W>) => void | Promise<void>;
  /** Jitter source in [0, 1); inject a seeded one for reproducible waits. Default `Math.random`. */
  readonly random?: () => number;
  /**
   * Where the run reads time (trace times and durations) and schedules its waits (attempt
   * timeouts, retry backoff and Retry-After). Default: the real clock. A test runner passes a
   * virtual one so waits take no real time.
   */
  readonly clock?: Clock;
}

export interface ResolvedOptions<V extends Vars, W extends string> extends RuntimeLimits {
  readonly transport: Transport;
  readonly secrets: SecretProvider;
  readonly signal: AbortSignal | undefined;
  readonly onEvent: ((event: TraceEvent<W>) => void) | undefined;
  readonly onSend: ((message: string, ctx: StepContext<V, W>) => void | Promise<void>) | undefined;
  readonly onRoute: ((queue: string, ctx: StepContext<V, W>) => void | Promise<void>) | undefined;
  readonly random: () => number;
  readonly clock: Clock;
}

const defaultSecrets = envSecrets();

/** `value`, or `fallback` when it is absent; `key` only names it in the error. */
function limit(key: keyof RuntimeLimits, value: number | undefined, fallback: number, minimum: number): number {
  const chosen = value ?? fallback;
  if (!Number.isSafeInteger(chosen) || chosen < minimum) {
    throw new RangeError(`run option ${key} must be an integer of at least ${minimum}, got ${String(chosen)}`);
  }
  return chosen;
}

/**
 * Fills in defaults (`transport` when the options name none); an invalid limit is a programmer error
 * (RangeError), and so is the old name of `transport` (TypeError). Each option is read by name: `options[key]` with a different key each time is a
 * megamorphic read, whose entries in V8's shared stub cache evict node:http's and slow every
 * request (bench/README.md).
 */
export function resolveOptions<V extends Vars, W extends string>(
  options: RunOptions<V, W>,
  transport: Transport,
): ResolvedOptions<V, W> {
  // The option's name until `transport`: ignored, a caller's mock would be bypassed for the real network.
  if ("fetch" in options) throw new TypeError("run option fetch is now named transport");
  return {
    maxSteps: limit("maxSteps", options.maxSteps, RUNTIME_DEFAULTS.maxSteps, 1),
    maxResponseBytes: limit("maxResponseBytes", options.maxResponseBytes, RUNTIME_DEFAULTS.maxResponseBytes, 0),
    maxRedirects: limit("maxRedirects", options.maxRedirects, RUNTIME_DEFAULTS.maxRedirects, 0),
    maxJsonDepth: limit("maxJsonDepth", options.maxJsonDepth, RUNTIME_DEFAULTS.maxJsonDepth, 1),
    timeoutMs: limit("timeoutMs", options.timeoutMs, RUNTIME_DEFAULTS.timeoutMs, 1),
    retryBaseDelayMs: limit("retryBaseDelayMs", options.retryBaseDelayMs, RUNTIME_DEFAULTS.retryBaseDelayMs, 0),
    retryMaxDelayMs: limit("retryMaxDelayMs", options.retryMaxDelayMs, RUNTIME_DEFAULTS.retryMaxDelayMs, 0),
    retryAfterCapMs: limit("retryAfterCapMs", options.retryAfterCapMs, RUNTIME_DEFAULTS.retryAfterCapMs, 0),
    transport: options.transport === undefined ? transport : asTransport(options.transport),
    secrets: options.secrets ?? defaultSecrets,
    signal: options.signal,
    onEvent: options.onEvent,
    onSend: options.onSend,
    onRoute: options.onRoute,
    random: options.random ?? Math.random,
    clock: options.clock ?? realClock,
  };
}

/**
 * Every HTTP_STEP field of an http step, resolved (the return type has them all, so a new field fails
 * to type-check until it is resolved here). The one place an http step's own value is chosen over the run's option and the contract's
 * default; every consumer (the retry loop, the attempt) reads the result, never the step's field.
 */
export function httpStepSettings(step: Partial<HttpStepFields>, options: RuntimeLimits): HttpStepFields {
  return {
    retry: step.retry ?? HTTP_STEP.retry.default,
    timeoutMs: step.timeoutMs ?? options.timeoutMs,
    followRedirects: step.followRedirects ?? HTTP_STEP.followRedirects.default,
    maxResponseBytes: step.maxResponseBytes ?? options.maxResponseBytes,
  };
}
