// The undici transport: undici's documented Dispatcher API (`Agent.dispatch` with a handler
// object) on a keep-alive Agent. It hands the response over as soon as its headers arrive and
// keeps the body's chunks in an array: no stream, no per-request promise chain beyond the two the
// runtime awaits (headers, then body). The runtime on it runs at 0.84x to 0.97x of a bare caller
// of undici's `request` (bench/README.md). undici is imported on the first request, so a build of
// the runtime for another platform never loads it. Bodies arrive as sent: the runtime decodes
// them itself (runtime/decode.ts).
import type { Agent, Dispatcher } from "undici";
import type { FetchResponse } from "./fetch.js";
import type { Abortable, Caller, Transport, TransportRequest } from "./transport.js";

export interface UndiciTransportOptions {
  /**
   * Connections per origin; requests beyond them wait for a free one. Default
   * `UNDICI_DEFAULTS.connections`; `null` for no limit (undici's own default).
   */
  readonly connections?: number | null;
  /** Requests pipelined per connection; 1 (no pipelining) when absent. */
  readonly pipelining?: number;
  /** Time to establish a connection, TLS included; undici's default (10 s) when absent. */
  readonly connectTimeoutMs?: number;
  /**
   * How long an idle connection is kept before it is closed. Default
   * `UNDICI_DEFAULTS.keepAliveTimeoutMs`. A server's `Keep-Alive: timeout=N` may shorten it,
   * never lengthen it.
   */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * The pool's bounds when a transport's options leave them out. undici's own defaults keep every
 * connection a burst opens (no cap per origin) for as long as the server's keep-alive hint says
 * (up to 10 minutes): 853 idle sockets after a burst at concurrency 500. 256 is the highest
 * concurrency bench/runtime.ts measures; 4 s is undici's idle timeout without a hint.
 */
export const UNDICI_DEFAULTS: Readonly<{ connections: number; keepAliveTimeoutMs: number }> = Object.freeze({
  connections: 256,
  keepAliveTimeoutMs: 4_000,
});

type Headers = Record<string, string | string[] | undefined>;

/** A response's headers as undici gives them (lower-case names; repeated ones as arrays). */
class UndiciHeaders {
  readonly #raw: Headers;

  constructor(raw: Headers) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

/** Until the response arrives (never read: the response is handed over with its own). */
const NO_HEADERS = new UndiciHeaders({});

/** Body bytes kept unread before the connection is paused (a reader slower than the server). */
const HIGH_WATER = 256 * 1024;

/**
 * One request: undici's handler, the response the runtime reads, and what ends it early, in one
 * object. Chunks are kept until read; reading waits for the next one.
 */
class Exchange implements Dispatcher.DispatchHandler, FetchResponse, Abortable, AsyncIterableIterator<Uint8Array> {
  status = 0;
  headers: UndiciHeaders = NO_HEADERS;
  /** The exchange is its own body: iterating it reads the chunks. */
  readonly body: AsyncIterable<Uint8Array> = this;
  #controller: Dispatcher.DispatchController | undefined;
  #chunks: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  /** Settles the request's promise (headers) or, after it, the pending read of the body. */
  #resolve: ((response: FetchResponse) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  #wake: (() => void) | undefined;

  constructor(resolve: (response: FetchResponse) => void, reject: (error: Error) => void) {
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** Ends the request early: the attempt's timeout or cancel, or a response it will not read. */
  abort(): void {
    if (this.#ended || this.#error !== undefined) return;
    const reason = new Error("request aborted");
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#error !== undefined) controller.abort(this.#error);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Headers): void {
    if (statusCode < 200) return; // an informational answer; the response follows
    this.status = statusCode;
    this.headers = new UndiciHeaders(headers);
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve?.(this);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > HIGH_WATER) controller.pause();
    this.#wakeReader();
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.#wakeReader();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.failed(error);
  }

  /** The request failed (or undici could not be loaded). */
  failed(error: Error): void {
    this.#fail(error);
  }

  #fail(error: Error): void {
    this.#error ??= error;
    const reject = this.#reject;
    this.#resolve = undefined;
    this.#reject = undefined;
    reject?.(error);
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Waits for a chunk, the end or an error. */
  #arrival(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.#controller?.paused === true && this.#queued <= HIGH_WATER) this.#controller.resume();
        return { done: false, value: chunk };
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return { done: true, value: undefined };
      await this.#arrival();
    }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#ended && this.#error === undefined) this.#controller?.abort(new Error("body not read to its end"));
    return { done: true, value: undefined };
  }

  /** The whole body as UTF-8 text (the runtime asks only for a body of declared, bounded length). */
  async text(): Promise<string> {
    while (!this.#ended) {
      if (this.#error !== undefined) throw this.#error;
      await this.#arrival();
    }
    if (this.#error !== undefined) throw this.#error;
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#queued = 0;
    return chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
  }
}

/**
 * A transport on undici's Dispatcher API with its own keep-alive Agent: pass it as `transport` in
 * `RunOptions` (on Node, `run` uses one by default). Create one per process (or per configuration)
 * and share it: each holds a pool.
 */
export function undiciTransport(options: UndiciTransportOptions = {}): Transport {
  let agent: Agent | undefined;
  let loading: Promise<Agent> | undefined;
  const load = async (): Promise<Agent> => {
    const undici = await import("undici");
    const idle = options.keepAliveTimeoutMs ?? UNDICI_DEFAULTS.keepAliveTimeoutMs;
    const settings: Agent.Options = {
      connections: options.connections === undefined ? UNDICI_DEFAULTS.connections : options.connections,
      // Without a hint undici waits keepAliveTimeout; with one, the hint up to keepAliveMaxTimeout.
      keepAliveTimeout: idle,
      keepAliveMaxTimeout: idle,
    };
    if (options.pipelining !== undefined) settings.pipelining = options.pipelining;
    if (options.connectTimeoutMs !== undefined) settings.connect = { timeout: options.connectTimeoutMs };
    return (agent = new undici.Agent(settings));
  };
  const dispatch = (dispatcher: Agent, url: string, request: TransportRequest, exchange: Exchange): void => {
    // `url` is a WHATWG URL's href (the runtime parsed it): origin, then the path from the first
    // slash after the scheme's; a fragment is never sent.
    const slash = url.indexOf("/", url.indexOf("//") + 2);
    const hash = url.indexOf("#", slash);
    dispatcher.dispatch(
      {
        origin: url.slice(0, slash),
        path: hash === -1 ? url.slice(slash) : url.slice(slash, hash),
        method: request.method as Dispatcher.HttpMethod,
        headers: request.headers.flat(), // undici takes name, value, name, value...
        body: request.body ?? null,
      },
      exchange,
    );
  };
  return {
    decodes: false,
    loading: () => (agent === undefined ? (loading ??= load()) : undefined),
    send: (url: string, request: TransportRequest, caller: Caller) =>
      new Promise((resolve, reject) => {
        const exchange = new Exchange(resolve, reject);
        caller.hold(exchange);
        if (agent !== undefined) return dispatch(agent, url, request, exchange);
        (loading ??= load()).then(
          (loaded) => dispatch(loaded, url, request, exchange),
          (error: Error) => exchange.failed(error),
        );
      }),
  };
}
