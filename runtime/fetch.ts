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
export const defaultFetch: FetchLike = crossFetch;
