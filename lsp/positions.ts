// The one place where source positions meet LSP positions. The front end's spans count UTF-16
// code units (`offset`, `length`), as LSP positions do by default; the document does the
// line arithmetic with the same line ends (`\n`, `\r\n`, a lone `\r`) as the front end.
import type { Position, Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../grammar/spans.js";

/** The LSP range of a span. */
export function rangeOf(document: TextDocument, span: Pick<Span, "offset" | "length">): Range {
  return rangeAt(document, span.offset, span.offset + span.length);
}

/** The LSP range from one offset to another. */
export function rangeAt(document: TextDocument, start: number, end: number): Range {
  return { start: document.positionAt(start), end: document.positionAt(end) };
}

/** The LSP position of an offset. */
export function positionOf(document: TextDocument, offset: number): Position {
  return document.positionAt(offset);
}

/** The 0-based line holding an offset. */
export function lineOf(document: TextDocument, offset: number): number {
  return document.positionAt(offset).line;
}

/** The offset where a 0-based line starts. */
export function lineStart(document: TextDocument, line: number): number {
  return document.offsetAt({ line, character: 0 });
}

/** The offset of an LSP position (clamped to the document). */
export function offsetOf(document: TextDocument, position: Position): number {
  return document.offsetAt(position);
}

/** Whether an offset lies in a span, its end included (a cursor just after a name is on it). */
export function touches(span: Pick<Span, "offset" | "length">, offset: number): boolean {
  return offset >= span.offset && offset <= span.offset + span.length;
}
