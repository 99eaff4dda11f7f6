// Renders the lines around a span with a caret underline, like tsc and rustc.
import type { Span } from "../grammar/ast.js";

export interface CodeFrameOptions {
  readonly color?: (kind: "gutter" | "marker", text: string) => string;
  /** Lines of context shown before and after the span's first line. */
  readonly context?: number;
  /** Longest stretch of a line shown; longer lines are cut around the span. */
  readonly width?: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

// Control characters (a hostile file could carry terminal escapes) are shown as U+FFFD, one column each.
function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "\ufffd").replace(/\t/g, " ");
}

export function codeFrame(source: string, span: Span, options: CodeFrameOptions = {}): string {
  const paint = options.color ?? ((_kind, text) => text);
  const context = options.context ?? 1;
  const width = options.width ?? 100;
  const lines = source.split(LINE_BREAK);
  const lineIndex = Math.min(Math.max(span.line - 1, 0), Math.max(lines.length - 1, 0));
  const first = Math.max(0, lineIndex - context);
  const last = Math.min(lines.length - 1, lineIndex + context);
  const gutterWidth = String(last + 1).length;

  const line = lines[lineIndex] ?? "";
  const startCol = Math.min(Math.max(span.column - 1, 0), line.length);
  // The underline stops at the end of the span's first line.
  const underline = Math.max(1, Math.min(span.length, line.length - startCol));
  // Cut long lines to a window that keeps the span in view.
  const windowStart =
    line.length > width ? Math.max(0, Math.min(startCol - Math.floor(width / 3), line.length - width)) : 0;
  const cut = (text: string): string => {
    if (text.length <= width) return visible(text);
    const body = visible(text.slice(windowStart, windowStart + width));
    return (windowStart > 0 ? "…" : "") + body + (windowStart + width < text.length ? "…" : "");
  };

  const out: string[] = [];
  for (let i = first; i <= last; i++) {
    const marker = i === lineIndex ? ">" : " ";
    const number = String(i + 1).padStart(gutterWidth);
    const text = cut(lines[i] ?? "").trimEnd();
    out.push(`${paint("marker", marker)} ${paint("gutter", `${number} |`)}${text === "" ? "" : ` ${text}`}`);
    if (i === lineIndex) {
      const shift = line.length > width ? startCol - windowStart + (windowStart > 0 ? 1 : 0) : startCol;
      const carets = "^".repeat(Math.max(1, Math.min(underline, width - (startCol - windowStart))));
      out.push(`  ${paint("gutter", `${" ".repeat(gutterWidth)} |`)} ${" ".repeat(shift)}${paint("marker", carets)}`);
    }
  }
  return out.join("\n");
}
