// The fetch a flow test injects: each http widget's attempts get the replies its mock lists, in
// order (the last repeats), and every request is recorded for the test's `request` assertions.
import type { Body } from "../grammar/ast.js";
import type { Mock, Reply } from "../grammar/flowtest-ast.js";
import type { FetchInit, FetchLike, FetchResponse } from "../runtime/index.js";
import { jsonOf } from "./values.js";

/** One request as the flow sent it. */
export interface SentRequest {
  readonly widget: string;
  /** 1-based, per widget. */
  readonly attempt: number;
  readonly method: string;
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string | undefined;
}

export interface MockFetch {
  readonly fetch: FetchLike;
  /** Tells the fetch which widget the next request comes from (from the `http.attempt.start` event). */
  attemptOf(widget: string): void;
  readonly requests: readonly SentRequest[];
  /** Http widgets that sent a request without a mock, in order of first request. */
  readonly unmocked: readonly string[];
}

/** A body's text and default media type. */
export function bodyText(body: Body): { text: string; type: string } {
  switch (body.kind) {
    case "JsonBody":
      return { text: JSON.stringify(jsonOf(body.value)), type: "application/json" };
    case "FormBody":
      return {
        text: new URLSearchParams(body.entries.map((e) => [e.key.name, String(jsonOf(e.value))])).toString(),
        type: "application/x-www-form-urlencoded",
      };
    case "TextBody":
      return { text: body.value.value, type: "text/plain; charset=utf-8" };
  }
}

function response(reply: Extract<Reply, { kind: "StatusReply" }>): FetchResponse {
  const headers = new Map<string, string>();
  let text = "";
  for (const item of reply.items ?? []) {
    if (item.kind === "HeaderEntry") headers.set(item.name.value.toLowerCase(), item.value.value);
    else {
      const body = bodyText(item.body);
      text = body.text;
      if (!headers.has("content-type")) headers.set("content-type", body.type);
    }
  }
  headers.set("content-length", String(Buffer.byteLength(text)));
  return {
    status: reply.status.value,
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null },
    body: null,
    text: () => Promise.resolve(text),
  };
}

/** Rejects when the attempt gives up on it (its timeout passed): the reply that never comes. */
function never(signal: AbortSignal): Promise<FetchResponse> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
  });
}

function refused(): Promise<FetchResponse> {
  const cause = Object.assign(new Error("connect ECONNREFUSED (mocked network_error)"), { code: "ECONNREFUSED" });
  return Promise.reject(new TypeError("fetch failed", { cause }));
}

export function mockFetch(mocks: ReadonlyMap<string, Mock>): MockFetch {
  const requests: SentRequest[] = [];
  const unmocked: string[] = [];
  const counts = new Map<string, number>();
  let current = "";
  const fetch: FetchLike = (url: string, init: FetchInit) => {
    const widget = current;
    const attempt = (counts.get(widget) ?? 0) + 1;
    counts.set(widget, attempt);
    requests.push({ widget, attempt, method: init.method, url, headers: init.headers, body: init.body });
    const mock = mocks.get(widget);
    const reply = mock?.replies[Math.min(attempt, mock.replies.length) - 1];
    if (reply === undefined) {
      if (!unmocked.includes(widget)) unmocked.push(widget);
      return refused();
    }
    if (reply.kind === "FailureReply") return reply.failure === "timeout" ? never(init.signal) : refused();
    return Promise.resolve(response(reply));
  };
  return {
    fetch,
    attemptOf: (widget) => {
      current = widget;
    },
    requests,
    unmocked,
  };
}
