// Building source spans from tokens and from other spans.
import type { IToken } from "chevrotain";
import type { Span } from "./ast.js";

/** The span of a lexed token. The lexer runs with positionTracking "full", so lines and columns are set. */
export function tokenSpan(file: string, token: IToken): Span {
  return {
    file,
    line: token.startLine as number,
    column: token.startColumn as number,
    offset: token.startOffset,
    length: token.image.length,
  };
}

/** From the start of `start` to the end of `end` (or just `start` when `end` is missing). */
export function cover(start: Span, end: Span | undefined): Span {
  if (end === undefined) return start;
  return {
    file: start.file,
    line: start.line,
    column: start.column,
    offset: start.offset,
    length: Math.max(start.length, end.offset + end.length - start.offset),
  };
}

/** Whichever of two spans ends later; after recovery the closing token may be missing. */
export function later(a: Span | undefined, b: Span | undefined): Span | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.offset + b.length > a.offset + a.length ? b : a;
}

/** The empty span just past the last character of `source`, for "end of file" diagnostics. */
export function endOfSource(file: string, source: string): Span {
  let line = 1;
  let lineStart = 0;
  for (const match of source.matchAll(/\r\n?|\n/g)) {
    line++;
    lineStart = match.index + match[0].length;
  }
  return { file, line, column: source.length - lineStart + 1, offset: source.length, length: 0 };
}
