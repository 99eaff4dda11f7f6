// Reading a response body within `maxResponseBytes`, decoding gzip, deflate and br on the way
// when the transport hands the body over as sent. Node's zlib streams decode one output chunk
// at a time and stop under backpressure, so the decoded size is counted as it grows and the
// read stops at the limit: a small compressed "bomb" never inflates past it, whatever its
// ratio, and destroying the pipeline frees the decoders and cancels the body (and its socket).
//
// br is the exception. A brotli decoder fills its whole window (up to 16 MiB, chosen by the
// sender) before it hands out any output, so 200 concurrent streaming decoders of a bomb held
// over 1 GB (bench/README.md). A br body is therefore read as sent, within the limit (a
// compressed body is smaller than its decoded text), and decoded in one synchronous call that
// stops past the limit: one window at a time in the whole process, freed before the call returns.
import { Buffer } from "node:buffer";
import { pipeline, Readable, type Transform } from "node:stream";
import {
  brotliDecompressSync,
  constants,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  createInflateRaw,
  gunzipSync,
  inflateRawSync,
  inflateSync,
} from "node:zlib";

/** What reading a body gives: its text and decoded size, or the decoded size at which it passed the limit. */
export type BodyRead = { readonly text: string; readonly bytes: number } | { readonly tooLarge: number };

/** The encodings the runtime decodes, as it asks for them in `Accept-Encoding`. */
export const ACCEPT_ENCODING = "gzip, deflate, br";

/**
 * The codings of a `Content-Encoding` value in the order they were applied, without `identity`;
 * undefined when one is not a coding the runtime decodes (the body is then read as it is, as
 * fetch implementations do).
 */
export function contentCodings(header: string | null): string[] | undefined {
  if (header === null) return [];
  const codings: string[] = [];
  for (const part of header.split(",")) {
    const coding = part.trim().toLowerCase();
    if (coding === "" || coding === "identity") continue;
    if (coding !== "gzip" && coding !== "x-gzip" && coding !== "deflate" && coding !== "br") return undefined;
    codings.push(coding);
  }
  return codings;
}

/** Lenient about a missing end of stream, as browsers and fetch implementations are. */
const ZLIB_OPTIONS = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = {
  flush: constants.BROTLI_OPERATION_FLUSH,
  finishFlush: constants.BROTLI_OPERATION_FLUSH,
};

/** `deflate` is meant to be zlib-wrapped, but some servers send raw deflate: the first byte tells (as node-fetch does). */
const isZlibWrapped = (firstByte: number | undefined): boolean =>
  firstByte === undefined || (firstByte & 0x0f) === 0x08;

/** Decodes one coding of a whole body, stopping (RangeError ERR_BUFFER_TOO_LARGE) once the output passes `limit`. */
function decodeWhole(coding: string, data: Uint8Array, limit: number): Uint8Array {
  const options = { maxOutputLength: limit + 1 };
  switch (coding) {
    case "br":
      return brotliDecompressSync(data, { ...BROTLI_OPTIONS, ...options });
    case "deflate":
      return isZlibWrapped(data[0])
        ? inflateSync(data, { ...ZLIB_OPTIONS, ...options })
        : inflateRawSync(data, { ...ZLIB_OPTIONS, ...options });
    default:
      return gunzipSync(data, { ...ZLIB_OPTIONS, ...options });
  }
}

function decoder(coding: string, firstByte: number | undefined): Transform {
  switch (coding) {
    case "br":
      return createBrotliDecompress(BROTLI_OPTIONS);
    case "deflate":
      return isZlibWrapped(firstByte) ? createInflate(ZLIB_OPTIONS) : createInflateRaw(ZLIB_OPTIONS);
    default:
      return createGunzip(ZLIB_OPTIONS);
  }
}

async function* prepend(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    yield first;
    for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

const utf8 = new TextDecoder();

/** Chunks counted up to `limit`: the chunks and their size, or the size at which they passed it. Leaving the loop early cancels the source. */
async function collect(
  chunks: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ readonly kept: Uint8Array[]; readonly size: number } | { readonly tooLarge: number }> {
  const kept: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > limit) return { tooLarge: size };
    kept.push(chunk);
  }
  return { kept, size };
}

async function collectText(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<BodyRead> {
  const read = await collect(chunks, limit);
  if ("tooLarge" in read) return read;
  let text = "";
  for (const chunk of read.kept) text += utf8.decode(chunk, { stream: true });
  return { text: text + utf8.decode(), bytes: read.size };
}

/**
 * Reads `body`, decoding `codings` (in the order they were applied), counting decoded bytes
 * against `limit`. Rejects with the transport's or a decoder's error (a corrupt body).
 */
export async function readBody(
  body: AsyncIterable<Uint8Array>,
  codings: readonly string[],
  limit: number,
): Promise<BodyRead> {
  if (codings.length === 0) return collectText(body, limit);
  if (codings.includes("br")) {
    const raw = await collect(body, limit);
    return "tooLarge" in raw ? raw : decodeAtOnce(Buffer.concat(raw.kept), codings, limit);
  }
  const source = body[Symbol.asyncIterator]();
  const first = await source.next();
  if (first.done === true) return { text: "", bytes: 0 };
  const streams: Transform[] = [];
  for (let i = codings.length - 1; i >= 0; i--)
    streams.push(decoder(codings[i]!, i === codings.length - 1 ? first.value[0] : undefined));
  const input = Readable.from(prepend(first.value, source), { objectMode: false });
  // Errors reach the reader through the last stream; destroying it early is not one to report.
  pipeline([input, ...streams], () => {});
  const decoded = streams.at(-1)!;
  try {
    return await collectText(decoded, limit);
  } finally {
    decoded.destroy();
  }
}

/** A body read as sent, decoded in synchronous calls (see the top of this file). */
function decodeAtOnce(raw: Uint8Array, codings: readonly string[], limit: number): BodyRead {
  let data = raw;
  for (let i = codings.length - 1; i >= 0; i--) {
    try {
      data = decodeWhole(codings[i]!, data, limit);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") return { tooLarge: limit + 1 };
      throw error;
    }
  }
  if (data.byteLength > limit) return { tooLarge: data.byteLength };
  return { text: utf8.decode(data), bytes: data.byteLength };
}
