// One HTTP attempt: the request, any redirects, and the response body read up to the size
// limit, all under one per-attempt timeout. Whatever happens, the attempt's deadline and
// listeners are removed and an unfinished response is aborted, so no socket outlives it.
//
// This is the per-request hot path: one object per attempt carries its state, and serves as
// the deadline's and the abort listener's target, rather than a closure for each.
import { clearDeadline, startDeadline, type Deadline, type DeadlineTarget } from "./deadlines.js";
import {
  abortHandle,
  declaredLength,
  type AbortHandle,
  type FetchInit,
  type FetchLike,
  type FetchResponse,
} from "./fetch.js";
import type { Clock } from "./clock.js";
import type { PreparedRequest } from "./request.js";
import type { RunError, Writable } from "./trace.js";

export interface AttemptSettings {
  readonly fetch: FetchLike;
  /** The run's signal: aborting it cancels the attempt. */
  readonly signal: AbortSignal | undefined;
  readonly maxRedirects: number;
  readonly maxResponseBytes: number;
  /** Where the attempt's timeout is scheduled and redirects are timed (RunOptions.clock). */
  readonly clock: Clock;
}

/** A redirect the attempt followed, for the trace. */
export interface Redirect {
  readonly status: number;
  readonly from: string;
  readonly to: string;
  /** The method of the request to `to`. */
  readonly method: string;
  /** When, as a reading of the run's clock. */
  readonly at: number;
}

export interface AttemptResponse {
  readonly kind: "response";
  readonly status: number;
  readonly headers: FetchResponse["headers"];
  /** The body decoded as UTF-8 (JSON text is UTF-8), and its size in bytes as received. */
  readonly text: string;
  readonly bytes: number;
  readonly method: string;
  readonly url: string;
  readonly redirects?: readonly Redirect[];
}

export interface AttemptFailure {
  readonly kind: "error";
  readonly error: RunError;
  /** Network errors and timeouts; the retry loop decides whether attempts remain. */
  readonly retriable: boolean;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly bytes?: number;
  readonly redirects?: readonly Redirect[];
}

export type AttemptResult = AttemptResponse | AttemptFailure;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function originOf(url: string): string {
  return new URL(url).origin;
}

/** The message of a fetch error, with its cause (undici puts the real reason there). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message}: ${cause.message}${typeof code === "string" && !cause.message.includes(code) ? ` (${code})` : ""}`;
  }
  return error.message;
}

const decoder = new TextDecoder();

/** A body of unknown or encoded length, counted chunk by chunk: its text, or the bytes seen when it passed `limit`. */
async function readChunks(
  body: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ text: string; bytes: number } | number> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) return size; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  let text = "";
  for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return { text: text + decoder.decode(), bytes: size };
}

/**
 * Sends the request and settles once: with the response, a failure, a timeout or a cancel,
 * whichever comes first. A timeout or cancel settles at once, even if a fetch implementation
 * ignores its signal.
 */
export function sendAttempt(
  request: PreparedRequest,
  settings: AttemptSettings,
  timeoutMs: number,
): Promise<AttemptResult> {
  if (settings.signal?.aborted) return Promise.resolve(cancelled(request.method, request.url));
  return new Promise((resolve) => new Attempt(request, settings, timeoutMs, resolve).start());
}

function cancelled(method: string, url: string): AttemptFailure {
  return { kind: "error", error: { code: "cancelled", message: "run cancelled" }, retriable: false, method, url };
}

class Attempt implements DeadlineTarget {
  method: string;
  url: string;
  settled = false;
  redirects: Redirect[] | undefined;
  readonly #abort: AbortHandle;
  readonly #deadline: Deadline;

  constructor(
    readonly request: PreparedRequest,
    readonly settings: AttemptSettings,
    readonly timeoutMs: number,
    readonly resolve: (result: AttemptResult) => void,
  ) {
    this.method = request.method;
    this.url = request.url;
    this.#abort = abortHandle(settings.fetch);
    this.#deadline = startDeadline(timeoutMs, this, settings.clock);
  }

  start(): void {
    this.settings.signal?.addEventListener("abort", this, { once: true });
    void this.#exchange();
  }

  /** The deadline passed. */
  expire(): void {
    this.#settle(this.#failure({ code: "timeout", message: `no complete response within ${this.timeoutMs} ms` }, true));
  }

  /** The run's signal aborted (an EventTarget listener object). */
  handleEvent(): void {
    this.#settle(cancelled(this.method, this.url));
  }

  #settle(result: Writable<AttemptResult>): void {
    if (this.settled) return;
    this.settled = true;
    clearDeadline(this.#deadline);
    this.settings.signal?.removeEventListener("abort", this);
    // An unfinished response is aborted so its socket is released.
    if (result.kind !== "response") this.#abort.abort();
    if (this.redirects !== undefined) result.redirects = this.redirects;
    this.resolve(result);
  }

  #failure(error: RunError, retriable: boolean, status?: number, bytes?: number): Writable<AttemptFailure> {
    const result: Writable<AttemptFailure> = { kind: "error", error, retriable, method: this.method, url: this.url };
    if (status !== undefined) result.status = status;
    if (bytes !== undefined) result.bytes = bytes;
    return result;
  }

  /** Never rejects: every ending settles the attempt (a no-op once a timeout or cancel has). */
  async #exchange(): Promise<void> {
    const { request, settings } = this;
    let body = request.body;
    let headers = request.headers;
    try {
      for (let redirects = 0; ; redirects++) {
        const init: Writable<FetchInit> = {
          method: this.method,
          headers: headers.map(([name, value]) => [name, value]),
          redirect: "manual",
          signal: this.#abort.signal,
        };
        if (body !== undefined) init.body = body;
        const response = await settings.fetch(this.url, init);
        const { status } = response;
        const location = request.followRedirects && REDIRECTS.has(status) ? response.headers.get("location") : null;
        const limit = settings.maxResponseBytes;
        let text: string;
        let bytes: number;
        // A declared length bounds an unencoded body (the HTTP parser stops there), so it can be
        // read whole as text, the cheapest read fetch offers. A compressed body may inflate past
        // its declared length, so it is counted chunk by chunk like a body of unknown length.
        const declared = declaredLength(settings.fetch, response.headers);
        const whole = !Number.isNaN(declared);
        if (whole && declared > limit) return this.#settle(this.#tooLarge(status, declared));
        if (whole && response.text !== undefined) {
          text = await response.text();
          bytes = declared;
        } else if (response.body === null) {
          text = "";
          bytes = 0;
        } else {
          const read = await readChunks(response.body, limit);
          if (typeof read === "number") return this.#settle(this.#tooLarge(status, read));
          ({ text, bytes } = read);
        }
        if (location === null) {
          return this.#settle({
            kind: "response",
            status,
            headers: response.headers,
            text,
            bytes,
            method: this.method,
            url: this.url,
          });
        }

        let next: URL | undefined;
        try {
          next = new URL(location, this.url);
        } catch {
          next = undefined;
        }
        if (next === undefined || (next.protocol !== "http:" && next.protocol !== "https:")) {
          const message = `status ${status} redirects to a location that is not an http(s) URL`;
          return this.#settle(this.#failure({ code: "status", message }, false, status, bytes));
        }
        if (redirects >= settings.maxRedirects) {
          const message = `more than maxRedirects (${settings.maxRedirects}) redirects`;
          return this.#settle(this.#failure({ code: "too-many-redirects", message }, false, status, bytes));
        }
        // As browsers do: 303, and 301/302 after POST, become a GET without a body.
        if (status === 303 || ((status === 301 || status === 302) && this.method === "POST")) {
          this.method = "GET";
          body = undefined;
          headers = headers.filter(([name]) => name.toLowerCase() !== "content-type");
        }
        // Credentials go to the origin they were meant for, never to one a redirect names.
        if (next.origin !== originOf(this.url))
          headers = headers.filter(([name]) => !request.credentials.includes(name.toLowerCase()));
        if (this.settled) return;
        (this.redirects ??= []).push({
          status,
          from: this.url,
          to: next.href,
          method: this.method,
          at: settings.clock.now(),
        });
        this.url = next.href;
      }
    } catch (error) {
      this.#settle(this.#failure({ code: "network", message: describeError(error) }, true));
    }
  }

  #tooLarge(status: number, bytes: number): Writable<AttemptFailure> {
    const message = `response body is larger than maxResponseBytes (${this.settings.maxResponseBytes})`;
    return this.#failure({ code: "too-large", message }, false, status, bytes);
  }
}
