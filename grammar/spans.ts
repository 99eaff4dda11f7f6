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

/** From the start of `first` to the furthest end among the defined spans. */
export function cover(first: Span, ...rest: readonly (Span | undefined)[]): Span {
  let end = first.offset + first.length;
  for (const span of rest) if (span !== undefined) end = Math.max(end, span.offset + span.length);
  return { ...first, length: end - first.offset };
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
