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
export const defaultFetch: FetchLike = crossFetch;

/**
 * The body length a response declares, when its body can be read whole within a known size:
 * NaN when it declares none or is content-encoded (it may inflate past its declared length).
 */
export function declaredLength(headers: FetchResponse["headers"]): number {
  return headers.get("content-encoding") === null ? Number(headers.get("content-length") ?? Number.NaN) : Number.NaN;
}

/**
 * Whether `fetch` hands over bodies as sent, leaving content decoding to the runtime. The default
 * fetch does, asked with node-fetch's documented `compress: false` option: then the runtime
 * decodes with its own counted decoders (runtime/decode.ts) and asks for compression itself.
 * Any other fetch decodes by itself, and the runtime counts what it hands over.
 */
export function leavesBodiesEncoded(fetch: FetchLike): boolean {
  return fetch === defaultFetch;
}

/** What an attempt hands fetch as its `signal`, and how it aborts it. An AbortController is one. */
export interface AbortHandle {
  readonly signal: AbortSignal;
  abort(): void;
}

/**
 * The part of an AbortSignal node-fetch uses: `aborted`, and one `abort` listener added and
 * removed per request. node-fetch accepts any object whose class is named AbortSignal (its
 * check for polyfills). Node's AbortController builds an EventTarget, and adding and removing
 * its listener cost about 2,500 instructions a request with what it allocates (bench/README.md).
 */
const NodeFetchSignal = class AbortSignal implements AbortHandle {
  aborted = false;
  #listeners: Array<() => void> = [];

  get signal(): globalThis.AbortSignal {
    return this as unknown as globalThis.AbortSignal; // node-fetch reads only what this class has
  }

  addEventListener(type: string, listener: () => void): void {
    if (type === "abort" && !this.aborted) this.#listeners.push(listener);
  }

  removeEventListener(type: string, listener: () => void): void {
    const at = type === "abort" ? this.#listeners.indexOf(listener) : -1;
    if (at !== -1) this.#listeners.splice(at, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of this.#listeners.splice(0)) {
      try {
        listener();
      } catch {
        // node-fetch tearing down a request the attempt has given up on: nothing waits for it,
        // and the attempt must still settle (an EventTarget would not throw here either).
      }
    }
  }
};

/** A fresh abort handle for one attempt through `fetch`: the light one for the default fetch, an AbortController otherwise. */
export function abortHandle(fetch: FetchLike): AbortHandle {
  return fetch === defaultFetch ? new NodeFetchSignal() : new AbortController();
}
