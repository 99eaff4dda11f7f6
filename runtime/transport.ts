// The one way the runtime sends a request: a Transport sends it and hands the attempt that asked
// one way to end it early (timeout, cancel, a body not read). Three implementations: undici
// (runtime/undici.ts), cross-fetch (runtime/cross-fetch.ts) and any fetch function (here).
import type { FetchLike, FetchResponse } from "./fetch.js";

/** A request as a transport sends it; the runtime follows redirects itself, to count them and to drop credentials across origins. */
export interface TransportRequest {
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly body?: string;
}

/** How a request in flight is ended early: the attempt calls it at most once, only if it stops waiting. */
export interface Abortable {
  abort(): void;
}

/** The attempt a transport sends for. */
export interface Caller {
  /** Called by `send` before it returns, with what ends this request. */
  hold(request: Abortable): void;
  /** The connection closed before the body was complete, where the body itself would not say so. */
  truncated(): void;
}

export interface Transport {
  /**
   * Whether the transport decodes compressed bodies itself. When false, it hands bodies over as
   * sent, and the runtime asks for `gzip, deflate, br` and decodes them with counted decoders
   * (runtime/decode.ts); when true, the runtime asks only for codings with small windows.
   */
  readonly decodes: boolean;
  /**
   * Starts or joins the import of the transport's implementation, undefined once it is loaded:
   * awaited before an attempt's timeout starts, so loading a module never counts as the server's time.
   */
  loading(): Promise<unknown> | undefined;
  /** Sends one request; a redirect is a response like any other. */
  send(url: string, request: TransportRequest, caller: Caller): Promise<FetchResponse>;
}

/** Any fetch function as a transport; a class, since a run given a fetch function makes one. */
class FetchTransport implements Transport {
  readonly decodes = true;
  readonly #fetch: FetchLike;

  constructor(fetch: FetchLike) {
    this.#fetch = fetch;
  }

  loading(): undefined {
    return undefined;
  }

  send(url: string, request: TransportRequest, caller: Caller): Promise<FetchResponse> {
    const controller = new AbortController();
    caller.hold(controller);
    const init = {
      method: request.method,
      headers: request.headers,
      redirect: "manual" as const,
      signal: controller.signal,
    };
    const fetch = this.#fetch; // called unbound: a browser's fetch refuses another `this`
    return fetch(url, request.body === undefined ? init : { ...init, body: request.body });
  }
}

/**
 * Any fetch function as a transport (Node's global fetch, a test double): each request gets an
 * AbortController, its one way to end. Such a fetch decodes bodies by itself.
 */
export function fetchTransport(fetch: FetchLike): Transport {
  return new FetchTransport(fetch);
}

/** What RunOptions.transport accepts, as a Transport: a fetch function is wrapped. */
export function asTransport(transport: Transport | FetchLike): Transport {
  return typeof transport === "function" ? fetchTransport(transport) : transport;
}
