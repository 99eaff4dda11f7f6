// Seeing the node:http request behind a call to the default fetch. node-fetch 2 pipes the
// response into a stream of its own and never tells it when the connection closed before the
// body was complete (Content-Length not reached), so reading it would hang until the attempt's
// timeout. Node's documented diagnostics channel `http.client.request.created` hands over each
// request as it is created, synchronously inside `http.request`, which node-fetch calls
// synchronously inside `fetch()`: so the request created during that call is the attempt's own.
import { subscribe } from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";

/** Told when the response to the watched request closes before its body was complete. */
export interface TruncationTarget {
  truncated(): void;
}

let watching: TruncationTarget | undefined;
let subscribed = false;

function onCreated(message: unknown): void {
  const target = watching;
  if (target === undefined) return;
  watching = undefined;
  (message as { request: ClientRequest }).request.once("response", (response: IncomingMessage) => {
    response.once("close", () => {
      if (!response.complete) target.truncated();
    });
  });
}

/** Calls `send` and has `target` told when the response of the node:http request it creates is cut short. */
export function watchingTruncation<T>(target: TruncationTarget, send: () => T): T {
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
