// The undici transport: undici's documented `request` API on a keep-alive `Agent`, as a
// FetchLike, for hosts on Node that want undici's throughput. undici is imported on the first
// request, so a build of the runtime for another platform never loads it. Bodies arrive as
// sent: the runtime decodes them itself (runtime/decode.ts), as for the default fetch.
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

/** A response's headers as undici gives them (lower-case names; repeated ones as arrays). */
class UndiciHeaders {
  readonly #raw: Dispatcher.ResponseData["headers"];

  constructor(raw: Dispatcher.ResponseData["headers"]) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
}

function response(data: Dispatcher.ResponseData): FetchResponse {
  const body = data.body;
  return {
    status: data.statusCode,
    headers: new UndiciHeaders(data.headers),
    body,
    text: () => body.text(),
  };
}

/**
 * A transport on undici's `request` with its own keep-alive Agent: pass it as `fetch` in
 * `RunOptions`. Create one per process (or per configuration) and share it: each holds a pool.
 */
export function undiciTransport(options: UndiciTransportOptions = {}): FetchLike {
  let agent: Promise<{ readonly request: typeof import("undici").request; readonly agent: Agent }> | undefined;
  const load = async () => {
    const undici = await import("undici");
    const settings: Agent.Options = {};
    if (options.connections !== undefined) settings.connections = options.connections;
    if (options.pipelining !== undefined) settings.pipelining = options.pipelining;
    if (options.keepAliveTimeoutMs !== undefined) settings.keepAliveTimeout = options.keepAliveTimeoutMs;
    if (options.connectTimeoutMs !== undefined) settings.connect = { timeout: options.connectTimeoutMs };
    return { request: undici.request, agent: new undici.Agent(settings) };
  };
  const transport: FetchLike = async (url: string, init: FetchInit) => {
    const { request, agent: dispatcher } = await (agent ??= load());
    const data = await request(url, {
      dispatcher,
      method: init.method as Dispatcher.HttpMethod,
      headers: init.headers.flat(), // undici takes name, value, name, value...
      body: init.body ?? null,
      signal: init.signal,
    });
    return response(data);
  };
  markLeavesBodiesEncoded(transport);
  return transport;
}
