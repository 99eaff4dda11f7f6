// The retry loop of an http step: which failures are retried, how long to wait (exponential
// backoff with jitter, or the server's Retry-After up to a cap), and one trace event per attempt.
import { sendAttempt, type AttemptResult, type AttemptSettings } from "./attempt.js";
import { backoffCeilingMs, type HttpStepFields } from "./contract.js";
import type { PreparedRequest } from "./request.js";
import {
  roundMs,
  type HttpAttemptEndEvent,
  type HttpAttemptStartEvent,
  type HttpRedirectEvent,
  type RetryWait,
  type Writable,
} from "./trace.js";
import { realClock, type Clock } from "./clock.js";
import type { RunTelemetry } from "./telemetry.js";

/** 408 Request Timeout, 429 Too Many Requests and every 5xx; never another 4xx. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

const HTTP_DATE = /^[A-Za-z]{3,9},?\s.*\b\d{2}:\d{2}:\d{2}\b/;

/** Milliseconds a `Retry-After` value asks for (delta seconds or an HTTP date), or undefined when unusable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the HTTP date forms (all start with a day name and carry hh:mm:ss): Date.parse alone accepts "-5".
  if (!HTTP_DATE.test(text)) return undefined;
  // asctime dates carry no zone but are GMT; Date.parse would read them as local time.
  const date = Date.parse(/\b(GMT|UTC)\b/.test(text) ? text : `${text} GMT`);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Backoff before attempt `attempt + 1`: base·2^(attempt−1), capped, with "equal jitter" (half
 * fixed, half random) so waits still grow while concurrent callers spread out.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = backoffCeilingMs(attempt, baseMs, maxMs);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** Resolves true after `ms` of `clock`'s time, or false as soon as `signal` aborts; the timer never outlives it. */
export function sleep(ms: number, signal: AbortSignal | undefined, clock: Clock = realClock): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export interface RetrySettings extends AttemptSettings {
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly retryAfterCapMs: number;
  readonly random: () => number;
}

/** The http widget, as its attempts are traced and retried. */
export interface RetryStep<W extends string> {
  readonly id: W;
  readonly name?: string | undefined;
}

export interface AttemptEvents<W extends string> {
  emit(event: HttpAttemptStartEvent<W> | HttpAttemptEndEvent<W> | HttpRedirectEvent<W>): void;
  /** Epoch milliseconds for a reading of the run's clock. */
  epochAt(at: number): number;
  /** A URL in trace form (`PreparedRequest.traceUrl`) as traces show it. */
  hide(text: string): string;
  readonly telemetry: RunTelemetry;
}

export interface RetryOutcome {
  readonly last: AttemptResult;
  readonly attempts: number;
}

function waitBefore(result: AttemptResult, attempt: number, settings: RetrySettings): RetryWait {
  const retryAfter = result.kind === "response" ? parseRetryAfter(result.headers.get("retry-after")) : undefined;
  if (retryAfter !== undefined) {
    return retryAfter > settings.retryAfterCapMs
      ? { waitMs: settings.retryAfterCapMs, reason: "retry-after", capped: true }
      : { waitMs: retryAfter, reason: "retry-after" };
  }
  return {
    waitMs: backoffDelay(attempt, settings.retryBaseDelayMs, settings.retryMaxDelayMs, settings.random),
    reason: "backoff",
  };
}

/**
 * Sends the request up to `resolved.retry + 1` times, tracing each attempt with the request's trace
 * forms. The caller turns the last result into an exit.
 */
export async function sendWithRetries<W extends string>(
  request: PreparedRequest,
  step: RetryStep<W>,
  resolved: HttpStepFields,
  settings: RetrySettings,
  events: AttemptEvents<W>,
): Promise<RetryOutcome> {
  const widget = step.id;
  const name = step.name;
  const maxAttempts = resolved.retry + 1;
  const traceUrl = events.hide(request.traceUrl);
  for (let attempt = 1; ; attempt++) {
    const started = settings.clock.now();
    const startTime = events.epochAt(started);
    // Events are assigned field by field rather than spread: this is the per-request hot path.
    const start: Writable<HttpAttemptStartEvent<W>> = {
      type: "http.attempt.start",
      widget,
      kind: "http",
      attempt,
      maxAttempts,
      method: request.method,
      url: traceUrl,
      headers: request.traceHeaders,
      time: startTime,
    };
    if (name !== undefined) start.name = name;
    events.emit(start);
    const span = events.telemetry.startAttempt(request.method, request.traceUrl, attempt, (text) => events.hide(text));
    const sent = await sendAttempt(request, settings, resolved, span.headers);
    const ended = settings.clock.now();
    // An attempt's messages may name a URL in trace form (a redirect's origins).
    const result: AttemptResult =
      sent.kind === "error"
        ? { ...sent, error: { code: sent.error.code, message: events.hide(sent.error.message) } }
        : sent;
    if (result.redirects !== undefined) {
      for (const { status, from, to, method, at } of result.redirects) {
        const redirect: Writable<HttpRedirectEvent<W>> = {
          type: "http.redirect",
          widget,
          kind: "http",
          attempt,
          status,
          from: events.hide(from),
          to: events.hide(to),
          method,
          time: events.epochAt(at),
        };
        if (name !== undefined) redirect.name = name;
        events.emit(redirect);
      }
    }

    const retriable = result.kind === "response" ? isRetriableStatus(result.status) : result.retriable;
    const retry =
      retriable && attempt < maxAttempts && !settings.signal?.aborted
        ? waitBefore(result, attempt, settings)
        : undefined;
    const end: Writable<HttpAttemptEndEvent<W>> = {
      type: "http.attempt.end",
      widget,
      kind: "http",
      attempt,
      maxAttempts,
      method: result.method,
      url: events.hide(result.traceUrl),
      startTime,
      time: events.epochAt(ended),
      durationMs: roundMs(ended - started),
    };
    if (name !== undefined) end.name = name;
    if (result.status !== undefined) end.status = result.status;
    if (result.bytes !== undefined) end.bytes = result.bytes;
    if (result.kind === "error") end.error = result.error;
    if (retry !== undefined) end.retry = retry;
    events.emit(end);
    span.end(result.status, result.kind === "error" ? result.error : undefined, ended - started);

    if (retry === undefined) return { last: result, attempts: attempt };
    if (!(await sleep(retry.waitMs, settings.signal, settings.clock))) {
      const cancelled: AttemptResult = {
        kind: "error",
        error: { code: "cancelled", message: "run cancelled" },
        retriable: false,
        method: result.method,
        url: result.url,
        traceUrl: result.traceUrl,
      };
      return { last: cancelled, attempts: attempt };
    }
  }
}
