// Decoding string tokens: JSON escapes and `{{name}}` / `{{secret.NAME}}` interpolations.
// Work happens on the raw token text so every part's span is an exact source range.
import type { IToken } from "chevrotain";
import type { Span, StringLiteral, TemplatePart } from "./ast.js";
import { diagnostic } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import type { SourcePositions } from "./spans.js";
import { ValidString } from "./tokens.js";

const simpleEscapes: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

// `d` gives group indices, so the reference inside the braces gets its own span.
const interpolation = /\{\{[ \t]*(?:secret[ \t]*\.[ \t]*([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))[ \t]*\}\}/dy;
const hex4 = /^[0-9a-fA-F]{4}$/;

/** Shows a piece of source in a message: quoted, shortened, control characters escaped. */
export function quoteSnippet(text: string): string {
  const short = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  const visible = short.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `'${visible}'`;
}

/**
 * A well-formed string without escapes or `{{`: decoding it reports nothing, so it can
 * wait until the AST needs it.
 */
export function isPlain(token: IToken): boolean {
  return token.tokenType === ValidString && !token.image.includes("\\") && !token.image.includes("{{");
}

/**
 * Decodes one string token (well-formed or not) into a StringLiteral, appending a
 * diagnostic for each problem: unterminated (CF1002), bad escape (CF1003), malformed
 * interpolation (CF1006).
 */
export function decodeString(positions: SourcePositions, token: IToken, diagnostics: Diagnostic[]): StringLiteral {
  const raw = token.image;
  const span = positions.token(token);
  if (isPlain(token)) {
    const value = raw.slice(1, -1);
    return {
      kind: "String",
      value,
      parts: value === "" ? [] : [{ kind: "Text", value, span: within(span, 1, raw.length - 1) }],
      span,
    };
  }
  const at = (start: number, end: number): Span => within(span, start, end);

  const closed = raw.length >= 2 && raw.endsWith('"') && !endsWithEscape(raw);
  if (!closed) diagnostics.push(diagnostic("unterminatedString", span));
  const contentEnd = closed ? raw.length - 1 : raw.length;

  const parts: TemplatePart[] = [];
  let value = "";
  let text = "";
  let textStart = 1;
  const flushText = (end: number): void => {
    if (text !== "") parts.push({ kind: "Text", value: text, span: at(textStart, end) });
    value += text;
    text = "";
  };

  let i = 1;
  while (i < contentEnd) {
    const ch = raw[i] as string;
    if (ch === "\\") {
      const escape = raw[i + 1];
      if (escape !== undefined && escape in simpleEscapes) {
        text += simpleEscapes[escape];
        i += 2;
      } else if (escape === "u" && hex4.test(raw.slice(i + 2, i + 6))) {
        text += String.fromCharCode(Number.parseInt(raw.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        const length = escape === undefined ? 1 : escape === "u" ? 2 + hexRun(raw, i + 2) : 2;
        diagnostics.push(diagnostic("invalidEscape", at(i, i + length), [quoteSnippet(raw.slice(i, i + length))]));
        text += raw.slice(i + 1, i + length);
        i += length;
      }
      continue;
    }
    if (ch === "{" && raw[i + 1] === "{") {
      interpolation.lastIndex = i;
      const match = interpolation.exec(raw);
      if (match?.indices !== undefined && match.index + match[0].length <= contentEnd) {
        flushText(i);
        const end = i + match[0].length;
        const secretName = match[1];
        const nameRange = match.indices[secretName === undefined ? 2 : 1] as [number, number];
        const ref =
          secretName === undefined
            ? { kind: "VarRef" as const, name: match[2] as string, span: at(nameRange[0], nameRange[1]) }
            : {
                kind: "SecretRef" as const,
                name: secretName,
                span: at(i + 2 + leadingBlanks(raw, i + 2), nameRange[1]),
              };
        parts.push({ kind: "Interpolation", ref, span: at(i, end) });
        value += match[0];
        i = end;
        textStart = end;
        continue;
      }
      // Malformed: report up to the next `}}` (or the end of the string), keep it as text.
      const close = raw.indexOf("}}", i + 2);
      const end = close === -1 || close + 2 > contentEnd ? contentEnd : close + 2;
      diagnostics.push(diagnostic("invalidInterpolation", at(i, end), [quoteSnippet(raw.slice(i, end))]));
      text += raw.slice(i, end);
      i = end;
      continue;
    }
    text += ch;
    i++;
  }
  flushText(contentEnd);
  return { kind: "String", value, parts, span };
}

/** The part of a string token's span from raw index `start` to `end`: strings never span lines. */
function within(span: Span, start: number, end: number): Span {
  return {
    file: span.file,
    line: span.line,
    column: span.column + start,
    offset: span.offset + start,
    length: end - start,
  };
}

/** True when the final quote is escaped (`"abc\"`), i.e. the string is not closed. */
function endsWithEscape(raw: string): boolean {
  let backslashes = 0;
  for (let j = raw.length - 2; j >= 0 && raw[j] === "\\"; j--) backslashes++;
  return backslashes % 2 === 1;
}

function hexRun(raw: string, from: number): number {
  let n = 0;
  while (n < 4 && /[0-9a-fA-F]/.test(raw[from + n] ?? "")) n++;
  return n;
}

function leadingBlanks(raw: string, from: number): number {
  let n = 0;
  while (raw[from + n] === " " || raw[from + n] === "\t") n++;
  return n;
}
