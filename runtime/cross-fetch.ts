// The cross-fetch transport: on Node, node-fetch 2 over `node:http` with the global keep-alive
// agent. cross-fetch is imported on first use: on Node, where undici is the default transport, a
// run that never names cross-fetch never loads it (node-fetch and whatwg-url: a tenth of
// `callflow run`'s start).
//
// A request is ended without an AbortSignal: node-fetch's listeners on a signal cost more per
// request than anything else it is asked to do. Instead the transport holds the node:http request
// node-fetch creates (runtime/node-requests.ts) and the response's body, a Node Readable as
// node-fetch documents, and destroys both.
import type { ClientRequest } from "node:http";
import type { FetchResponse } from "./fetch.js";
import { watchingRequest, type RequestWatcher } from "./node-requests.js";
import type { Abortable, Caller, Transport, TransportRequest } from "./transport.js";

/** cross-fetch as the transport calls it: without a signal, and with node-fetch's `compress: false`. */
type CrossFetch = (
  url: string,
  init: TransportRequest & { redirect: "manual"; compress: false },
) => Promise<FetchResponse>;

let crossFetch: CrossFetch | undefined;
let importing: Promise<CrossFetch> | undefined;

function load(): Promise<CrossFetch> {
  return (importing ??= import("cross-fetch").then((loaded) => (crossFetch = loaded.default as unknown as CrossFetch)));
}

/** One request: what ends it, and the watcher of its node:http request. */
class CrossFetchRequest implements Abortable, RequestWatcher {
  #request: ClientRequest | undefined;
  #body: FetchResponse["body"] = null;
  #ended = false;
  readonly #caller: Caller;

  constructor(caller: Caller) {
    this.#caller = caller;
  }

  send(fetch: CrossFetch, url: string, request: TransportRequest): Promise<FetchResponse> {
    // node-fetch's documented `compress: false` hands the body over as sent: the runtime decodes it.
    const init = {
      method: request.method,
      headers: request.headers,
      redirect: "manual" as const,
      compress: false as const,
    };
    const sent = watchingRequest(this, () =>
      fetch(url, request.body === undefined ? init : { ...init, body: request.body }),
    );
    return sent.then((response) => {
      this.#body = response.body;
      return response;
    });
  }

  created(request: ClientRequest): void {
    this.#request = request;
  }

  truncated(): void {
    this.#caller.truncated();
  }

  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    const error = new Error("attempt ended");
    this.#request?.destroy(error);
    // node-fetch's documented body is a Node Readable: destroyed, a pending read of it ends too.
    (this.#body as { destroy?: (error: Error) => void } | null)?.destroy?.(error);
  }

  get ended(): boolean {
    return this.#ended;
  }
}

/** cross-fetch, which hands bodies over as sent when asked (`compress: false`); the runtime decodes them. */
export const crossFetchTransport: Transport = {
  decodes: false,
  loading: () => (crossFetch === undefined ? load() : undefined),
  send(url, request, caller) {
    const held = new CrossFetchRequest(caller);
    caller.hold(held);
    if (crossFetch !== undefined) return held.send(crossFetch, url, request);
    return load().then((fetch) => {
      if (held.ended) throw new Error("attempt ended");
      return held.send(fetch, url, request);
    });
  },
};
