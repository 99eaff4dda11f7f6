// One HTTP attempt: the request, any redirects, and the response body read up to the size
// limit, all under one per-attempt timeout. Whatever happens, the attempt's timer and
// listeners are removed and an unfinished response is aborted, so no socket outlives it.
import type { FetchLike, FetchResponse } from "./fetch.js";
import type { PreparedRequest } from "./request.js";
import type { RunError } from "./trace.js";

export interface AttemptSettings {
  readonly fetch: FetchLike;
  /** The run's signal: aborting it cancels the attempt. */
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly maxResponseBytes: number;
}

export type OnRedirect = (status: number, from: string, to: string, method: string) => void;

export interface AttemptResponse {
  readonly kind: "response";
  readonly status: number;
  readonly headers: FetchResponse["headers"];
  readonly body: Uint8Array;
  readonly method: string;
  readonly url: string;
}

export interface AttemptFailure {
  readonly kind: "error";
  readonly error: RunError;
  /** Network errors and timeouts; the retry loop decides whether attempts remain. */
  readonly retriable: boolean;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly bytes?: number;
}

export type AttemptResult = AttemptResponse | AttemptFailure;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const EMPTY = new Uint8Array(0);

/** The body, or the number of bytes seen when it passed `limit` (reading stops there). */
async function readBody(response: FetchResponse, limit: number): Promise<Uint8Array | number> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return declared;
  // A declared length bounds the body (the HTTP parser stops there), so it can be read whole.
  if (declared <= limit && response.arrayBuffer !== undefined) return new Uint8Array(await response.arrayBuffer());
  if (response.body === null) return EMPTY;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) return size; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The message of a fetch error, with its cause (undici puts the real reason there). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message}: ${cause.message}${typeof code === "string" && !cause.message.includes(code) ? ` (${code})` : ""}`;
  }
  return error.message;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

export async function sendAttempt(request: PreparedRequest, settings: AttemptSettings, onRedirect: OnRedirect): Promise<AttemptResult> {
  let method: string = request.method;
  let url = request.url;
  const failure = (error: RunError, retriable: boolean, extra?: { status: number; bytes: number }): AttemptFailure => ({
    kind: "error",
    error,
    retriable,
    method,
    url,
    ...extra,
  });

  const runSignal = settings.signal;
  if (runSignal?.aborted) return failure({ code: "cancelled", message: "run cancelled" }, false);

  const controller = new AbortController();
  let timedOut = false;
  let finished = false;
  // `stop` settles the attempt at once on timeout or cancel, even if a fetch implementation
  // ignores its signal; it is set below, before anything can call it.
  let stop = (): void => undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
    stop();
  }, settings.timeoutMs);
  const onCancel = (): void => {
    controller.abort();
    stop();
  };
  runSignal?.addEventListener("abort", onCancel, { once: true });

  const exchange = async (): Promise<AttemptResult> => {
    let body = request.body;
    let headers = request.headers;
    for (let redirects = 0; ; redirects++) {
      const response = await settings.fetch(url, {
        method,
        headers: headers.map(([name, value]) => [name, value]),
        ...(body === undefined ? {} : { body }),
        redirect: "manual",
        signal: controller.signal,
      });
      const location = REDIRECTS.has(response.status) ? response.headers.get("location") : null;
      const read = await readBody(response, settings.maxResponseBytes);
      if (typeof read === "number") {
        const message = `response body is larger than maxResponseBytes (${settings.maxResponseBytes})`;
        return failure({ code: "too-large", message }, false, { status: response.status, bytes: read });
      }
      if (location === null) {
        return { kind: "response", status: response.status, headers: response.headers, body: read, method, url };
      }

      let next: URL | undefined;
      try {
        next = new URL(location, url);
      } catch {
        next = undefined;
      }
      if (next === undefined || (next.protocol !== "http:" && next.protocol !== "https:")) {
        return failure({ code: "status", message: `status ${response.status} redirects to a location that is not an http(s) URL` }, false, {
          status: response.status,
          bytes: read.byteLength,
        });
      }
      if (redirects >= settings.maxRedirects) {
        const message = `more than maxRedirects (${settings.maxRedirects}) redirects`;
        return failure({ code: "too-many-redirects", message }, false, { status: response.status, bytes: read.byteLength });
      }
      // As browsers do: 303, and 301/302 after POST, become a GET without a body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = undefined;
        headers = headers.filter(([name]) => name.toLowerCase() !== "content-type");
      }
      // Credentials go to the origin they were meant for, never to one a redirect names.
      if (next.origin !== originOf(url)) headers = headers.filter(([name]) => !request.credentials.has(name.toLowerCase()));
      if (!finished) onRedirect(response.status, url, next.href, method);
      url = next.href;
    }
  };

  const work = exchange();
  try {
    const result = await new Promise<AttemptResult | "stopped">((resolve, reject) => {
      stop = () => resolve("stopped");
      work.then(resolve, reject);
    });
    if (result !== "stopped") {
      finished = result.kind === "response";
      return result;
    }
  } catch (error) {
    if (!runSignal?.aborted && !timedOut) return failure({ code: "network", message: describeError(error) }, true);
  } finally {
    clearTimeout(timer);
    runSignal?.removeEventListener("abort", onCancel);
    if (!finished) {
      finished = true;
      controller.abort();
    }
  }
  if (runSignal?.aborted) return failure({ code: "cancelled", message: "run cancelled" }, false);
  return failure({ code: "timeout", message: `no complete response within ${settings.timeoutMs} ms` }, true);
}
