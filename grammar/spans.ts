// Building source spans from tokens and from other spans.
import type { IToken } from "chevrotain";

/**
 * Lines and columns of one source. The lexer tracks offsets only (tracking lines costs it
 * a regex test and a substring per whitespace run); a span's line and column come from
 * the offsets at which lines start. Line ends are `\n`, `\r\n` and a lone `\r`, as for
 * chevrotain's own line tracking.
 */
/** A range of source text. `line` and `column` are 1-based; `offset` and `length` count UTF-16 code units. */
export interface Span {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly length: number;
}

export class SourcePositions {
  /** Offset of the first character of each line. */
  private readonly lineStarts: number[] = [0];
  /** The line (0-based) of the last lookup: spans are mostly asked for in source order. */
  private cursor = 0;

  /** Only the source's length is kept: the text itself is not needed once lines are found. */
  private readonly length: number;

  constructor(
    readonly file: string,
    source: string,
  ) {
    this.length = source.length;
    const starts = this.lineStarts;
    if (!source.includes("\r")) {
      // indexOf is many times faster than a loop over the characters.
      for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) starts.push(i + 1);
      return;
    }
    for (let i = 0; i < source.length; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (source.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
  }

  /** The 0-based line holding `offset`; NaN for NaN (a token invented by recovery). */
  private lineIndex(offset: number): number {
    if (Number.isNaN(offset)) return NaN;
    const starts = this.lineStarts;
    const last = starts.length - 1;
    // `starts[0]` is 0 and offsets are not negative, so every index read below exists.
    let line = (starts[this.cursor] as number) <= offset ? this.cursor : 0;
    // Usually the same or the next line; otherwise a binary search.
    if (line < last && (starts[line + 1] as number) <= offset) {
      line++;
      if (line < last && (starts[line + 1] as number) <= offset) {
        let high = last;
        while (line < high) {
          const mid = (line + high + 1) >> 1;
          if ((starts[mid] as number) <= offset) line = mid;
          else high = mid - 1;
        }
      }
    }
    this.cursor = line;
    return line;
  }

  /** The 1-based line holding `offset`. */
  line(offset: number): number {
    return this.lineIndex(offset) + 1;
  }

  span(offset: number, length: number): Span {
    const line = this.lineIndex(offset);
    return { file: this.file, line: line + 1, column: offset - (this.lineStarts[line] as number) + 1, offset, length };
  }

  /** The span of a lexed token. */
  token(token: IToken): Span {
    return this.span(token.startOffset, token.image.length);
  }

  /** The empty span just past the last character, for "end of file" diagnostics. */
  end(): Span {
    return this.span(this.length, 0);
  }
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
