// The framing of LSP messages on stdin, checked before vscode-jsonrpc reads them. Its reader has no size
// limit and no recovery: a Content-Length that is not a number, or too short, leaves the rest of the stream
// misframed, so the server stays alive and never answers again; a huge one is buffered until it arrives.
// The framing of a stream cannot be found again once lost, so a bad header or body ends the server with
// a logged reason, and the editor starts a new one (as VS Code's client and Neovim's do on exit).
import { Transform, type TransformCallback } from "node:stream";

/** The largest message accepted: a 5 MB flow sent with JSON escapes fits many times over. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Headers are two short lines; this many bytes without the blank line that ends them is not a header. */
const MAX_HEADER_BYTES = 8 * 1024;
const HEADER_END = Buffer.from("\r\n\r\n");
// RFC 9110's token characters, which a header name is made of.
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*)$/;

/** Passes well-framed messages through unchanged; calls `fail` with the reason on the first bad one. */
export class FramingGuard extends Transform {
  private header = Buffer.alloc(0);
  /** Body bytes still to come; -1 while reading headers. */
  private remaining = -1;
  /** The last byte of the body that is not JSON white space. */
  private last = 0;
  private failed = false;

  constructor(private readonly fail: (reason: string) => void) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let data = chunk;
    while (data.length > 0 && !this.failed) {
      if (this.remaining === -1) data = this.readHeader(data);
      else {
        const body = data.subarray(0, this.remaining);
        for (let i = body.length - 1; i >= 0; i--)
          if (body[i] !== 0x20 && body[i] !== 0x0a && body[i] !== 0x0d && body[i] !== 0x09) {
            this.last = body[i]!;
            break;
          }
        this.push(body);
        this.remaining -= body.length;
        data = data.subarray(body.length);
        // A message is a JSON object: a body ending otherwise was cut short by its Content-Length.
        if (this.remaining === 0) {
          if (this.last !== 0x7d) this.stop("the body does not end its JSON object: Content-Length is too short");
          this.remaining = -1;
        }
      }
    }
    done();
  }

  /** Reads header bytes from `data`; returns what follows the headers once they are complete. */
  private readHeader(data: Buffer): Buffer {
    const seen = this.header.length;
    this.header = Buffer.concat([this.header, data]);
    const end = this.header.indexOf(HEADER_END, Math.max(0, seen - 3));
    if (end === -1) {
      if (this.header.length > MAX_HEADER_BYTES) this.stop(`no end of headers in ${MAX_HEADER_BYTES} bytes`);
      return Buffer.alloc(0);
    }
    const rest = this.header.subarray(end + HEADER_END.length);
    let length: number | undefined;
    for (const line of this.header.subarray(0, end).toString("latin1").split("\r\n")) {
      const match = HEADER_LINE.exec(line);
      if (match === null) {
        this.stop(`not a header line: ${JSON.stringify(line.slice(0, 80))}`);
        return Buffer.alloc(0);
      }
      if (match[1]!.toLowerCase() !== "content-length") continue;
      const value = match[2]!.trim();
      if (!/^\d{1,15}$/.test(value)) {
        this.stop(`Content-Length ${JSON.stringify(value.slice(0, 80))} is not a number of bytes`);
        return Buffer.alloc(0);
      }
      length = Number(value);
    }
    if (length === undefined || length === 0 || length > MAX_MESSAGE_BYTES) {
      this.stop(
        length === undefined
          ? "a message without Content-Length"
          : `a message of ${length} bytes (the limit is ${MAX_MESSAGE_BYTES}, at least 1)`,
      );
      return Buffer.alloc(0);
    }
    this.push(this.header.subarray(0, end + HEADER_END.length));
    this.header = Buffer.alloc(0);
    this.remaining = length;
    this.last = 0;
    return rest;
  }

  private stop(reason: string): void {
    this.failed = true;
    this.fail(reason);
  }
}
