// Seeing the node:http request behind a call to cross-fetch. node-fetch 2 pipes the response
// into a stream of its own and never tells it when the connection closed before the body was
// complete (Content-Length not reached), so reading it would hang until the attempt's timeout.
// Holding the request also lets the cross-fetch transport end it (`destroy`) without an AbortSignal, whose
// controller and listeners cost more per request than anything else node-fetch is asked to do.
// Node's documented diagnostics channel `http.client.request.created` hands over each request as
// it is created, synchronously inside `http.request`, which node-fetch calls synchronously inside
// `fetch()`: so the request created during that call is the watcher's own (runtime/cross-fetch.ts).
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";

/** Given the node:http request of the watched call, and told when its response closes before its body was complete. */
export interface RequestWatcher {
  created(request: ClientRequest): void;
  truncated(): void;
}

let watching: RequestWatcher | undefined;
let subscribed = false;

function onCreated(message: unknown): void {
  const target = watching;
  if (target === undefined) return;
  watching = undefined;
  const request = (message as { request: ClientRequest }).request;
  target.created(request);
  request.once("response", (response: IncomingMessage) => {
    response.once("close", () => {
      if (!response.complete) target.truncated();
    });
  });
}

/** Calls `send`, handing `target` the node:http request it creates and telling it when its response is cut short. */
export function watchingRequest<T>(target: RequestWatcher, send: () => T): T {
  if (!subscribed) {
    subscribe("http.client.request.created", onCreated);
    subscribed = true;
  }
  watching = target;
  try {
    return send();
  } finally {
    watching = undefined;
  }
}
