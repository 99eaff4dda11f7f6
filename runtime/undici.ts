// The undici transport: a FetchLike over undici's documented Dispatcher API (`Agent.dispatch`
// with a handler object) on a keep-alive Agent. It hands the response over as soon as its headers
// arrive and keeps the body's chunks in an array: no stream, no per-request promise chain beyond
// the two the runtime awaits (headers, then body), which is what makes the runtime on it as fast as
// a caller of undici's `request` (bench/README.md). undici is imported on the first request, so a
// build of the runtime for another platform never loads it. Bodies arrive as sent: the runtime
// decodes them itself (runtime/decode.ts), as for cross-fetch.
import type { Agent, Dispatcher } from "undici";
import { markLeavesBodiesEncoded, type FetchInit, type FetchLike, type FetchResponse } from "./fetch.js";

export interface UndiciTransportOptions {
  /** Connections per origin; unlimited when absent (undici's default). */
  readonly connections?: number;
  /** Requests pipelined per connection; 1 (no pipelining) when absent. */
  readonly pipelining?: number;
  /** Time to establish a connection, TLS included; undici's default (10 s) when absent. */
  readonly connectTimeoutMs?: number;
  /** How long an idle connection is kept; undici's default (4 s) when absent. */
  readonly keepAliveTimeoutMs?: number;
}

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

/** Body bytes kept unread before the connection is paused (a reader slower than the server). */
const HIGH_WATER = 256 * 1024;

/**
 * One request: undici's handler, the response the runtime reads, and the abort listener of the
 * attempt's signal, in one object. Chunks are kept until read; reading waits for the next one.
 */
class Exchange implements Dispatcher.DispatchHandler, FetchResponse, AsyncIterator<Uint8Array> {
  status = 0;
  headers: UndiciHeaders = new UndiciHeaders({});
  readonly body: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => this };
  #controller: Dispatcher.DispatchController | undefined;
  #chunks: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  /** Settles the request's promise (headers) or, after it, the pending read of the body. */
  #resolve: ((response: FetchResponse) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  #wake: (() => void) | undefined;
  readonly #signal: AbortSignal;

  constructor(signal: AbortSignal, resolve: (response: FetchResponse) => void, reject: (error: Error) => void) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal.addEventListener("abort", this, { once: true });
  }

  /** The attempt's signal aborted: its timeout, the run's cancel, or a response it will not read. */
  handleEvent(): void {
    const reason = new Error("request aborted");
    this.#controller?.abort(reason);
    this.#fail(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#signal.aborted) controller.abort(new Error("request aborted"));
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
    this.#signal.removeEventListener("abort", this);
    this.#wakeReader();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#signal.removeEventListener("abort", this);
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
 * A transport on undici's Dispatcher API with its own keep-alive Agent: pass it as `fetch` in
 * `RunOptions` (on Node, `run` uses one by default). Create one per process (or per configuration)
 * and share it: each holds a pool.
 */
export function undiciTransport(options: UndiciTransportOptions = {}): FetchLike {
  let agent: Agent | undefined;
  let loading: Promise<Agent> | undefined;
  const load = async (): Promise<Agent> => {
    const undici = await import("undici");
    const settings: Agent.Options = {};
    if (options.connections !== undefined) settings.connections = options.connections;
    if (options.pipelining !== undefined) settings.pipelining = options.pipelining;
    if (options.keepAliveTimeoutMs !== undefined) settings.keepAliveTimeout = options.keepAliveTimeoutMs;
    if (options.connectTimeoutMs !== undefined) settings.connect = { timeout: options.connectTimeoutMs };
    return (agent = new undici.Agent(settings));
  };
  const send = (dispatcher: Agent, url: string, init: FetchInit): Promise<FetchResponse> => {
    // `url` is a WHATWG URL's href (the runtime parsed it): origin, then the path from the first
    // slash after the scheme's; a fragment is never sent.
    const slash = url.indexOf("/", url.indexOf("//") + 2);
    const hash = url.indexOf("#", slash);
    return new Promise((resolve, reject) => {
      const exchange = new Exchange(init.signal, resolve, reject);
      if (init.signal.aborted) return exchange.handleEvent();
      dispatcher.dispatch(
        {
          origin: url.slice(0, slash),
          path: hash === -1 ? url.slice(slash) : url.slice(slash, hash),
          method: init.method as Dispatcher.HttpMethod,
          headers: init.headers.flat(), // undici takes name, value, name, value...
          body: init.body ?? null,
        },
        exchange,
      );
    });
  };
  const transport: FetchLike = (url: string, init: FetchInit) =>
    agent !== undefined ? send(agent, url, init) : (loading ??= load()).then((loaded) => send(loaded, url, init));
  markLeavesBodiesEncoded(transport);
  return transport;
}
