// The part of the WHATWG fetch API the runtime uses, so any implementation can be a transport
// (runtime/transport.ts): Node's global fetch, a test double, or cross-fetch (runtime/cross-fetch.ts).

export interface FetchInit {
  readonly method: string;
  readonly headers: Array<[string, string]>;
  readonly body?: string;
  /** The runtime follows redirects itself, to count them and to drop credentials across origins. */
  readonly redirect: "manual";
  readonly signal: AbortSignal;
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

/**
 * The body length a response declares, when its body can be read whole within a known size:
 * NaN when it declares none or is content-encoded (it may inflate past its declared length).
 */
export function declaredLength(headers: FetchResponse["headers"]): number {
  return headers.get("content-encoding") === null ? Number(headers.get("content-length") ?? Number.NaN) : Number.NaN;
}
