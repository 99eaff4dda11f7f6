// The .flow front end: source text in, AST + comments + syntax diagnostics out.
// Never throws: every problem, whatever the input, becomes a diagnostic with a span.
import type { ILexingResult, IRecognitionException, IToken } from "chevrotain";
import type { Comment, Flow, StringLiteral } from "./ast.js";
import { diagnostic, sortDiagnostics } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { astBuilder } from "./build-ast.js";
import { flowParser } from "./parser.js";
import { SourcePositions } from "./spans.js";
import { decodeString, isPlain, quoteSnippet } from "./strings.js";
import { MAX_NESTING, MAX_STRING_LENGTH } from "./limits.js";
import * as t from "./tokens.js";

export { MAX_NESTING } from "./limits.js";

export interface ParseResult {
  /** As much of the flow as could be read; undefined when not even `flow NAME` could be (or nesting was too deep). */
  readonly flow: Flow | undefined;
  readonly comments: readonly Comment[];
  /** Syntax diagnostics (CF1xxx), sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** What every front end of ours starts with: the string limit, the tokens, lexer errors and comments. */
export type Lexed =
  | { readonly ok: false; readonly diagnostics: Diagnostic[] }
  | {
      readonly ok: true;
      readonly lexed: ILexingResult;
      readonly diagnostics: Diagnostic[];
      readonly comments: Comment[];
    };

/** Lexes a source of either language (.flow, .flowtest) after checking the string limit (CF1013). */
export function lexSource(source: string, positions: SourcePositions): Lexed {
  const tooLong = longStringAt(source);
  if (tooLong !== undefined)
    return { ok: false, diagnostics: [diagnostic("stringTooLong", positions.span(tooLong, 1), [MAX_STRING_LENGTH])] };
  const lexed = t.lex(source);
  const diagnostics: Diagnostic[] = [];
  for (const error of lexed.errors) {
    const span = positions.span(error.offset, error.length);
    diagnostics.push(
      diagnostic("unexpectedCharacter", span, [quoteSnippet(source.slice(error.offset, error.offset + error.length))]),
    );
  }
  const comments: Comment[] = (lexed.groups["comments"] ?? []).map((token) => ({
    kind: "Comment",
    text: token.image,
    span: positions.token(token),
  }));
  return { ok: true, lexed, diagnostics, comments };
}

export function parse(source: string, file: string): ParseResult {
  const positions = new SourcePositions(file, source);
  const front = lexSource(source, positions);
  if (!front.ok) return { flow: undefined, comments: [], diagnostics: front.diagnostics };
  const { lexed, diagnostics, comments } = front;

  const scan = scanTokens(lexed.tokens, positions, diagnostics);
  if (scan.tooDeep) return { flow: undefined, comments, diagnostics: sortDiagnostics(diagnostics) };

  astBuilder.begin(positions, scan.strings, diagnostics);
  const parser = flowParser();
  const cst = parser.parseTokens(lexed.tokens, scan.balance, positions, (item) => astBuilder.item(item));
  // One diagnostic per position: recovery can raise several errors at one token, and a
  // token already reported as malformed (say `5sec`) needs no "expected X" on top.
  const reportedOffsets = new Set(diagnostics.map((d) => d.span.offset));
  for (const error of parser.errors) {
    const reported = parserDiagnostic(error, positions);
    if (reportedOffsets.has(reported.span.offset)) continue;
    reportedOffsets.add(reported.span.offset);
    diagnostics.push(reported);
  }

  const flow = astBuilder.finish(cst);
  return { flow, comments, diagnostics: sortDiagnostics(diagnostics) };
}

export interface Scan {
  /** The strings decoded here: all but the plain ones (see isPlain). */
  readonly strings: ReadonlyMap<IToken, StringLiteral>;
  readonly tooDeep: boolean;
  /** Opening minus closing brackets of all kinds. */
  readonly balance: number;
}

/**
 * One pass over the tokens: retypes keywords, and finds the problems that belong to
 * single tokens, so each is reported exactly once even if recovery later skips the
 * token: strings (all but plain ones decoded here for the AST builder), malformed numbers,
 * runaway nesting. Both front ends (.flow, .flowtest) start with it.
 */
export function scanTokens(tokens: readonly IToken[], positions: SourcePositions, diagnostics: Diagnostic[]): Scan {
  const strings = new Map<IToken, StringLiteral>();
  let depth = 0;
  let balance = 0;
  let nots = 0;
  for (const token of tokens) {
    const type = token.tokenType;
    if (type === t.Identifier) {
      t.retypeKeyword(token);
      // A run of `not`s nests the parser as brackets do.
      nots = token.tokenType === t.Not ? nots + 1 : 0;
    } else {
      nots = 0;
      if (type === t.ValidString || type === t.BadString) {
        if (!isPlain(token)) strings.set(token, decodeString(positions, token, diagnostics));
      } else if (type === t.BadNumber || (type === t.NumberLiteral && !Number.isFinite(Number(token.image)))) {
        diagnostics.push(diagnostic("invalidNumber", positions.token(token), [quoteSnippet(token.image)]));
      } else if (type === t.LCurly || type === t.LBracket || type === t.LParen) {
        depth++;
        balance++;
      } else if (type === t.RCurly || type === t.RBracket || type === t.RParen) {
        depth = Math.max(0, depth - 1);
        balance--;
      }
    }
    if (depth + nots > MAX_NESTING) {
      diagnostics.push(diagnostic("nestingTooDeep", positions.token(token), [MAX_NESTING]));
      return { strings, tooDeep: true, balance };
    }
  }
  return { strings, tooDeep: false, balance };
}

/** A Chevrotain recognition error as a catalogue diagnostic; both parsers' message providers encode the arguments as JSON. */
export function parserDiagnostic(error: IRecognitionException, positions: SourcePositions): Diagnostic {
  const token = error.token;
  const span =
    token.tokenType.name === "EOF" || Number.isNaN(token.startOffset) ? positions.end() : positions.token(token);
  // The parser's message provider encodes the arguments as a JSON array of strings.
  const args = JSON.parse(error.message) as string[];
  switch (error.name) {
    case "MismatchedTokenException":
      return diagnostic("expectedToken", span, args);
    case "NotAllInputParsedException":
      return diagnostic("extraContent", span, args);
    default:
      return diagnostic("unexpectedToken", span, args);
  }
}

/** The offset of a string literal longer than MAX_STRING_LENGTH, if any (strings end at a line break). */
function longStringAt(source: string): number | undefined {
  // Only a line that long can hold such a string: almost every file is decided by its length.
  if (source.length <= MAX_STRING_LENGTH || !new RegExp(`[^\\n\\r]{${MAX_STRING_LENGTH + 1}}`).test(source))
    return undefined;
  let start = -1;
  let comment = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      start = -1;
      comment = false;
    } else if (comment) {
      continue;
    } else if (start >= 0) {
      // The closing quote is not one of the string's characters: checked before counting.
      if (ch === 34) start = -1;
      else if (i - start > MAX_STRING_LENGTH || (ch === 92 && i + 1 - start > MAX_STRING_LENGTH)) return start;
      else if (ch === 92) i++; // a backslash escapes the next character, which counts too
    } else if (ch === 34) {
      start = i;
    } else if (ch === 35 || (ch === 47 && source.charCodeAt(i + 1) === 47)) {
      comment = true;
    }
  }
  return undefined;
}
