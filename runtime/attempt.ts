// One HTTP attempt: the request, any redirects, and the response body read up to the size
// limit, all under one per-attempt timeout. Whatever happens, the attempt's deadline and
// listeners are removed and an unfinished response is aborted, so no socket outlives it.
//
// This is the per-request hot path: one object per attempt carries its state, and serves as
// the deadline's and the abort listener's target, rather than a closure for each.
import { clearDeadline, startDeadline, type Deadline, type DeadlineTarget } from "./deadlines.js";
import { ACCEPT_ENCODING, contentCodings, readBody, type BodyRead } from "./decode.js";
import { declaredLength, type FetchResponse } from "./fetch.js";
import type { Clock } from "./clock.js";
import type { HttpStepFields } from "./contract.js";
import type { PreparedRequest } from "./request.js";
import { transportErrorMessage } from "./transport-errors.js";
import type { Abortable, Caller, Transport, TransportRequest } from "./transport.js";
import type { RunError, Writable } from "./trace.js";

export interface AttemptSettings {
  readonly transport: Transport;
  /** The run's signal: aborting it cancels the attempt. */
  readonly signal: AbortSignal | undefined;
  readonly maxRedirects: number;
  /** Where the attempt's timeout is scheduled and redirects are timed (RunOptions.clock). */
  readonly clock: Clock;
}

/** The step's resolved settings an attempt obeys (`httpStepSettings`, runtime/options.ts). */
export type AttemptStep = Pick<HttpStepFields, "timeoutMs" | "followRedirects" | "maxResponseBytes">;

/** A redirect the attempt followed, for the trace: URLs in their trace form (`PreparedRequest.traceUrl`). */
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
  /** `url` in its trace form. */
  readonly traceUrl: string;
  readonly redirects?: readonly Redirect[];
}

export interface AttemptFailure {
  readonly kind: "error";
  readonly error: RunError;
  /** Network errors and timeouts; the retry loop decides whether attempts remain. */
  readonly retriable: boolean;
  readonly method: string;
  readonly url: string;
  /** `url` in its trace form. */
  readonly traceUrl: string;
  readonly status?: number;
  readonly bytes?: number;
  readonly redirects?: readonly Redirect[];
}

export type AttemptResult = AttemptResponse | AttemptFailure;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What the runtime asks for from a fetch that decodes by itself: codings whose decoders use a 32 KiB window. */
const DECODED_BY_FETCH = "gzip, deflate";

function decodedByFetch(header: string | null): boolean {
  const codings = contentCodings(header);
  return codings !== undefined && !codings.includes("br");
}

/** The origin of a URL in its trace form, or the mask's stand-in when hidden values make it unparsable. */
function traceOrigin(traceUrl: string): string {
  try {
    return new URL(traceUrl).origin;
  } catch {
    return traceUrl;
  }
}

/** A redirect's target in trace form: resolved against the trace form of the URL it came from. */
function traceTarget(location: string, next: URL, traceUrl: string): string {
  if (URL.canParse(location)) return next.href; // absolute: the server's text, searched by the redactor
  try {
    return new URL(location, traceUrl).href;
  } catch {
    return traceUrl; // a hidden base URL: the whole URL stays hidden
  }
}

/**
 * Sends the request and settles once: with the response, a failure, a timeout or a cancel,
 * whichever comes first. A timeout or cancel settles at once, even if a fetch implementation
 * ignores its signal.
 */
export function sendAttempt(
  request: PreparedRequest,
  settings: AttemptSettings,
  step: AttemptStep,
  propagated: ReadonlyArray<readonly [string, string]> = [],
): Promise<AttemptResult> {
  if (settings.signal?.aborted) return Promise.resolve(cancelled(request.method, request.url, request.traceUrl));
  return new Promise((resolve) => new Attempt(request, settings, step, propagated, resolve).start());
}

function cancelled(method: string, url: string, traceUrl: string): AttemptFailure {
  const error: RunError = { code: "cancelled", message: "run cancelled" };
  return { kind: "error", error, retriable: false, method, url, traceUrl };
}

class Attempt implements DeadlineTarget, Caller {
  method: string;
  url: string;
  traceUrl: string;
  settled = false;
  redirects: Redirect[] | undefined;
  /** What ends the request in flight (each redirect's replaces the last's, which is complete). */
  #held: Abortable | undefined;
  readonly #deadline: Deadline;

  constructor(
    readonly request: PreparedRequest,
    readonly settings: AttemptSettings,
    readonly step: AttemptStep,
    /** Trace context headers (runtime/telemetry.ts), sent with every request of the attempt. */
    readonly propagated: ReadonlyArray<readonly [string, string]>,
    readonly resolve: (result: AttemptResult) => void,
  ) {
    this.method = request.method;
    this.url = request.url;
    this.traceUrl = request.traceUrl;
    this.#deadline = startDeadline(step.timeoutMs, this, settings.clock);
  }

  start(): void {
    // Not `once`: #settle removes it whichever way the attempt ends.
    this.settings.signal?.addEventListener("abort", this);
    void this.#exchange();
  }

  /** The deadline passed. */
  expire(): void {
    this.#settle(
      this.#failure({ code: "timeout", message: `no complete response within ${this.step.timeoutMs} ms` }, true),
    );
  }

  /** The run's signal aborted (an EventTarget listener object). */
  handleEvent(): void {
    this.#settle(cancelled(this.method, this.url, this.traceUrl));
  }

  /** The transport started a request. */
  hold(request: Abortable): void {
    this.#held = request;
  }

  /** The transport saw the connection close before the body was complete. */
  truncated(): void {
    const message = "connection closed before the response was complete";
    this.#settle(this.#failure({ code: "network", message }, true));
  }

  #settle(result: Writable<AttemptResult>): void {
    if (this.settled) return;
    this.settled = true;
    clearDeadline(this.#deadline);
    this.settings.signal?.removeEventListener("abort", this);
    // An unfinished response is aborted so its socket is released.
    if (result.kind !== "response") this.#held?.abort();
    if (this.redirects !== undefined) result.redirects = this.redirects;
    this.resolve(result);
  }

  #failure(error: RunError, retriable: boolean, status?: number, bytes?: number): Writable<AttemptFailure> {
    const result: Writable<AttemptFailure> = {
      kind: "error",
      error,
      retriable,
      method: this.method,
      url: this.url,
      traceUrl: this.traceUrl,
    };
    if (status !== undefined) result.status = status;
    if (bytes !== undefined) result.bytes = bytes;
    return result;
  }

  /** Never rejects: every ending settles the attempt (a no-op once a timeout or cancel has). */
  async #exchange(): Promise<void> {
    const { request, settings } = this;
    const { transport } = settings;
    const encoded = !transport.decodes;
    // The flow's own Accept-Encoding stands; otherwise the runtime asks for what it can bound.
    const asked = !request.headers.some(([name]) => name.toLowerCase() === "accept-encoding");
    let body = request.body;
    let headers = request.headers;
    try {
      for (let redirects = 0; ; redirects++) {
        const sent = headers.map(([name, value]): [string, string] => [name, value]);
        if (asked) sent.push(["Accept-Encoding", encoded ? ACCEPT_ENCODING : DECODED_BY_FETCH]);
        for (const [name, value] of this.propagated) sent.push([name, value]);
        const sending: TransportRequest =
          body === undefined ? { method: this.method, headers: sent } : { method: this.method, headers: sent, body };
        const response: FetchResponse = await transport.send(this.url, sending, this);
        if (this.settled) return;
        const { status } = response;
        if (asked && !encoded && !decodedByFetch(response.headers.get("content-encoding"))) {
          // A fetch that decodes by itself does so unbounded in memory for br (and zstd): a
          // coding the runtime did not ask for is a hostile answer, and is not read at all.
          const message = "the response uses a content encoding that was not asked for; not read";
          return this.#settle(this.#failure({ code: "network", message }, false, status));
        }
        const location = this.step.followRedirects && REDIRECTS.has(status) ? response.headers.get("location") : null;
        const limit = this.step.maxResponseBytes;
        let read: BodyRead;
        // A declared length bounds an unencoded body (the HTTP parser stops there), so it can be
        // read whole as text, the cheapest read fetch offers. A compressed body may inflate past
        // its declared length, so it is counted chunk by chunk like a body of unknown length.
        const declared = declaredLength(response.headers);
        const whole = !Number.isNaN(declared);
        if (whole && declared > limit) return this.#settle(this.#tooLarge(status, declared));
        if (whole && response.text !== undefined) {
          read = { text: await response.text(), bytes: declared };
        } else if (response.body === null) {
          read = { text: "", bytes: 0 };
        } else {
          const codings = encoded ? contentCodings(response.headers.get("content-encoding")) : [];
          read = await readBody(response.body, codings ?? [], limit);
        }
        if ("tooLarge" in read) return this.#settle(this.#tooLarge(status, read.tooLarge));
        const { text, bytes } = read;
        if (location === null) {
          return this.#settle({
            kind: "response",
            status,
            headers: response.headers,
            text,
            bytes,
            method: this.method,
            url: this.url,
            traceUrl: this.traceUrl,
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
        const crossOrigin = next.origin !== new URL(this.url).origin;
        const traceNext = traceTarget(location, next, this.traceUrl);
        // As browsers do: 303, and 301/302 after POST, become a GET without a body.
        if (status === 303 || ((status === 301 || status === 302) && this.method === "POST")) {
          this.method = "GET";
          body = undefined;
          headers = headers.filter(([name]) => name.toLowerCase() !== "content-type");
        } else if (body !== undefined && request.bodyHidden && crossOrigin) {
          // A redirect keeping the body would hand the hidden value to an origin the server chose.
          const message =
            `status ${status} redirects to another origin (${traceOrigin(this.traceUrl)} to ${traceOrigin(traceNext)}); ` +
            "a body holding a secret or masked value is not sent there";
          return this.#settle(this.#failure({ code: "redirect", message }, false, status, bytes));
        }
        // Credentials go to the origin they were meant for, never to one a redirect names.
        if (crossOrigin) headers = headers.filter(([name]) => !request.credentials.includes(name.toLowerCase()));
        if (this.settled) return;
        (this.redirects ??= []).push({
          status,
          from: this.traceUrl,
          to: traceNext,
          method: this.method,
          at: settings.clock.now(),
        });
        this.url = next.href;
        this.traceUrl = traceNext;
      }
    } catch (error) {
      this.#settle(this.#failure({ code: "network", message: transportErrorMessage(error) }, true));
    }
  }

  #tooLarge(status: number, bytes: number): Writable<AttemptFailure> {
    const message = `response body is larger than maxResponseBytes (${this.step.maxResponseBytes})`;
    return this.#failure({ code: "too-large", message }, false, status, bytes);
  }
}
