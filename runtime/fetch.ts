// The part of the WHATWG fetch API the runtime uses, so any implementation can be injected:
// cross-fetch, the runtime's undici transports (runtime/undici.ts), Node's global fetch, or a test double.

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

/** A request's init without its signal. */
export type Unsignalled = Omit<FetchInit, "signal">;

/** cross-fetch, as the runtime calls it: with or without a signal (an attempt can end the request itself). */
export type CrossFetch = (url: string, init: FetchInit | Unsignalled) => Promise<FetchResponse>;

let crossFetch: CrossFetch | undefined;

/**
 * cross-fetch, imported on first use: on Node, where undici is the default transport, a run that
 * never names cross-fetch never loads it (node-fetch and whatwg-url: a tenth of `callflow run`'s start).
 */
export async function loadCrossFetch(): Promise<CrossFetch> {
  return (crossFetch ??= ((await import("cross-fetch")) as { default: CrossFetch }).default);
}

/** cross-fetch once loaded, for a caller that must call it synchronously (runtime/attempt.ts). */
export function loadedCrossFetch(): CrossFetch | undefined {
  return crossFetch;
}

/** cross-fetch on Node is node-fetch 2 over `node:http`; it never uses the global fetch. */
export const crossFetchTransport: FetchLike = (url, init) =>
  crossFetch !== undefined ? crossFetch(url, init) : loadCrossFetch().then((loaded) => loaded(url, init));

/**
 * The body length a response declares, when its body can be read whole within a known size:
 * NaN when it declares none or is content-encoded (it may inflate past its declared length).
 */
export function declaredLength(headers: FetchResponse["headers"]): number {
  return headers.get("content-encoding") === null ? Number(headers.get("content-length") ?? Number.NaN) : Number.NaN;
}

/** What an attempt holds to end a request of one of the runtime's own transports early. */
export interface Holder {
  hold(request: { end(): void }): void;
}

/** One of the runtime's own transports, called without a signal: it hands `holder` what ends the request. */
export type DirectFetch = (url: string, init: Unsignalled, holder: Holder) => Promise<FetchResponse>;

/** Transports that import their implementation on first use, by their FetchLike: what finishes that import. */
const loaders = new WeakMap<FetchLike, () => Promise<unknown> | undefined>();

/** Declares that `fetch` imports its implementation on first use; `load` starts or joins that, or is undefined once done. */
export function registerLoader(fetch: FetchLike, load: () => Promise<unknown> | undefined): void {
  loaders.set(fetch, load);
}

/**
 * The import of `fetch`'s implementation while one is due (cross-fetch's, undici's): awaited before
 * an attempt's timeout starts, so that loading a module is never counted as the server's time.
 * Undefined once loaded, and for any other fetch.
 */
export function transportLoading(fetch: FetchLike): Promise<unknown> | undefined {
  if (fetch === crossFetchTransport) return crossFetch === undefined ? loadCrossFetch() : undefined;
  return loaders.get(fetch)?.();
}

/** The runtime's undici transports (runtime/undici.ts), by their FetchLike. */
const direct = new WeakMap<FetchLike, DirectFetch>();

/** Declares `fetch` one of the runtime's own: it hands bodies over as sent and can be called without a signal. */
export function registerDirect(fetch: FetchLike, call: DirectFetch): void {
  direct.set(fetch, call);
}

/** `fetch` as called without a signal, when it is one of the runtime's undici transports. */
export function directOf(fetch: FetchLike): DirectFetch | undefined {
  return direct.get(fetch);
}

/**
 * Whether `fetch` hands over bodies as sent, leaving content decoding to the runtime: cross-fetch
 * does, asked with node-fetch's documented `compress: false` option, and so do the undici
 * transports. Then the runtime decodes with its own counted decoders (runtime/decode.ts) and asks
 * for compression itself. Any other fetch decodes by itself, and the runtime counts what it hands over.
 */
export function leavesBodiesEncoded(fetch: FetchLike): boolean {
  return fetch === crossFetchTransport || direct.has(fetch);
}
