// The part of the WHATWG fetch API the runtime uses, so any implementation can be injected:
// cross-fetch (the default), Node's global fetch, or a test double.
import crossFetch from "cross-fetch";

export interface FetchInit {
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly body?: string;
  /** The runtime follows redirects itself, to count them and to drop credentials across origins. */
  readonly redirect: "manual";
  readonly signal: AbortSignal;
  /** node-fetch's option: `false` hands the body over as sent (see `leavesBodiesEncoded`); other fetches ignore it. */
  readonly compress?: boolean;
}

export interface FetchResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** Node streams (node-fetch) and web streams (undici) are both async iterables of bytes. */
  readonly body: AsyncIterable<Uint8Array> | null;
  /** Used instead of iterating `body` when an unencoded body declares a Content-Length within the size limit (faster). */
  text?(): Promise<string>;
}

export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** cross-fetch on Node is node-fetch 2 over `node:http`; it never uses the global fetch. */
export const crossFetchTransport: FetchLike = crossFetch;

/** A request's init without its signal. */
export type Unsignalled = Omit<FetchInit, "signal">;

/** cross-fetch called without a signal: an attempt ends the node:http request itself (runtime/attempt.ts). */
export const crossFetchUnsignalled: (url: string, init: Unsignalled) => Promise<FetchResponse> = crossFetch;

/**
 * The body length a response declares, when its body can be read whole within a known size:
 * NaN when it declares none or is content-encoded (it may inflate past its declared length).
 */
export function declaredLength(headers: FetchResponse["headers"]): number {
  return headers.get("content-encoding") === null ? Number(headers.get("content-length") ?? Number.NaN) : Number.NaN;
}

/** Transports that hand bodies over as sent (the runtime decodes them): the default fetch and undici transports. */
const encodedBodies = new WeakSet<FetchLike>();

/** Declares that `fetch` hands bodies over as sent, leaving content decoding to the runtime. */
export function markLeavesBodiesEncoded(fetch: FetchLike): void {
  encodedBodies.add(fetch);
}

/**
 * Whether `fetch` hands over bodies as sent, leaving content decoding to the runtime. The default
 * fetch does, asked with node-fetch's documented `compress: false` option, and so do undici
 * transports (runtime/undici.ts): then the runtime decodes with its own counted decoders
 * (runtime/decode.ts) and asks for compression itself. Any other fetch decodes by itself, and
 * the runtime counts what it hands over.
 */
export function leavesBodiesEncoded(fetch: FetchLike): boolean {
  return fetch === crossFetchTransport || encodedBodies.has(fetch);
}
