// The .flow vocabulary: token types and the one lexer built from them.
import { createToken, Lexer, tokenLabel } from "chevrotain";
import type { ILexingResult, IToken, TokenType } from "chevrotain";
import { WIDGET_SPECS } from "./language.js";

// ---------------------------------------------------------------- names

/** Anything usable where a name is expected: identifiers and the soft keywords. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [Name],
  label: "a name",
});

// Keywords are not lexer patterns: every word lexes as an Identifier and `tokenize`
// retypes the ones that are keywords with one map lookup. Same tokens as keyword
// patterns with `longer_alt: Identifier`, at a fraction of the lexing cost.
const keywords = new Map<string, TokenType>();

/** A keyword that only means something in position; elsewhere it is a plain name. */
function soft(word: string): TokenType {
  const type = createToken({ name: `Kw_${word}`, pattern: Lexer.NA, categories: [Name], label: `'${word}'` });
  keywords.set(word, type);
  return type;
}

/** A keyword that can never be a name. */
function reserved(word: string, name: string): TokenType {
  const type = createToken({ name, pattern: Lexer.NA, label: `'${word}'` });
  keywords.set(word, type);
  return type;
}

export const Flow = soft("flow");
export const Global = soft("global");
export const Local = soft("local");
export const Config = soft("config");
export const Secret = soft("secret");
export const Masked = soft("masked");
export const Start = soft("start");
export const Json = soft("json");
export const Form = soft("form");
export const Text = soft("text");
export const Status = soft("status");
export const Header = soft("header");
export const When = soft("when");
export const On = soft("on");
export const Length = soft("length");

// The words of .flowtest files (grammar/flowtest-parser.ts); soft, so flows may still use them as names.
export const Tests = soft("tests");
export const For = soft("for");
export const Test = soft("test");
export const Globals = soft("globals");
export const Secrets = soft("secrets");
export const Mock = soft("mock");
export const Reply = soft("reply");
export const Request = soft("request");
export const NetworkError = soft("network_error");
export const Expect = soft("expect");
export const Path = soft("path");
export const Sent = soft("sent");
export const Attempts = soft("attempts");

// Widget keywords, setting keywords and exit labels come from the language description.
for (const widget of WIDGET_SPECS) {
  soft(widget.keyword);
  for (const setting of widget.settings) if (!keywords.has(setting.keyword)) soft(setting.keyword);
  for (const exit of widget.exits) if (!keywords.has(exit.label)) soft(exit.label);
}

/** The token type of a keyword of the language description. */
export function keyword(word: string): TokenType {
  const type = keywords.get(word);
  if (type === undefined) throw new Error(`'${word}' is not a keyword`);
  return type;
}

/** The word of a keyword token type (soft or reserved), or undefined for any other token type. */
export function wordOf(type: TokenType): string | undefined {
  for (const [word, keywordType] of keywords) if (keywordType === type) return word;
  return undefined;
}

export const True = reserved("true", "True");
export const False = reserved("false", "False");
export const Null = reserved("null", "Null");
export const And = reserved("and", "And");
export const Or = reserved("or", "Or");
export const Not = reserved("not", "Not");
export const Contains = reserved("contains", "Contains");

// ---------------------------------------------------------------- literals

/** Category matched by the parser for both well-formed and malformed strings. */
export const StringLiteral = createToken({ name: "StringLiteral", pattern: Lexer.NA, label: "a string" });

export const ValidString = createToken({
  name: "ValidString",
  pattern: /"(?:[^"\\\n\r]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/,
  categories: [StringLiteral],
  label: "a string",
});

/**
 * An unterminated string or one with a bad escape. The parser treats it as a string so
 * that one typo costs one diagnostic; parse() reports the exact problem (CF1002/CF1003).
 */
export const BadString = createToken({
  name: "BadString",
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r]?)*"?/,
  categories: [StringLiteral],
  label: "a string",
});

// The negative lookaheads stop `12abc` or `1.2.3` from lexing as a number followed by
// junk; such words fall through to BadNumber (CF1010). The regex analyser cannot read
// lookaheads, hence the start_chars_hint.
const digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export const Duration = createToken({
  name: "Duration",
  pattern: /\d+(?:ms|s|m)(?![\w.])/,
  start_chars_hint: digits,
  label: "a duration",
});

export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/,
  start_chars_hint: ["-", ...digits],
  label: "a number",
});

/** A status class of a status exit, `5xx`; the checker knows which exist. */
export const StatusClass = createToken({
  name: "StatusClass",
  pattern: /\d+xx(?![\w.])/,
  start_chars_hint: digits,
  label: "a status class",
});

/** A word that starts like a number but is not one; parsed as a number, reported by parse(). */
export const BadNumber = createToken({
  name: "BadNumber",
  pattern: /-?\d[\w.]*/,
  start_chars_hint: ["-", ...digits],
  categories: [NumberLiteral],
  label: "a number",
});

// ---------------------------------------------------------------- punctuation

function punct(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `'${text}'` });
}

// Longer operators come first: the lexer takes the first pattern that matches.
export const Arrow = punct("Arrow", "->");
export const EqEq = punct("EqEq", "==");
export const NotEq = punct("NotEq", "!=");
export const LessEq = punct("LessEq", "<=");
export const GreaterEq = punct("GreaterEq", ">=");
export const Less = punct("Less", "<");
export const Greater = punct("Greater", ">");
export const Equals = punct("Equals", "=");
export const LCurly = punct("LCurly", "{");
export const RCurly = punct("RCurly", "}");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const Comma = punct("Comma", ",");
export const Colon = punct("Colon", ":");
export const Dot = punct("Dot", ".");

// ---------------------------------------------------------------- trivia

export const Comment = createToken({
  name: "Comment",
  pattern: /(?:#|\/\/)[^\n\r]*/,
  group: "comments",
});

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** Every token type: the lexer's patterns in priority order, then keywords and categories. */
export const allTokens: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  Identifier,
  ValidString,
  BadString,
  Duration,
  StatusClass,
  NumberLiteral,
  BadNumber,
  Arrow,
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Colon,
  Dot,
  ...keywords.values(),
  Name,
  StringLiteral,
];

/**
 * A new lexer. Offsets only: spans get their lines and columns from SourcePositions (grammar/spans.ts).
 * Chevrotain's pattern checks cost startup time for patterns that cannot change between runs: the lexer
 * used skips them, test/parser.test.ts builds one with them (`validate`).
 */
export function createLexer(validate: boolean): Lexer {
  return new Lexer(allTokens as TokenType[], {
    positionTracking: "onlyOffset",
    ensureOptimizations: true,
    skipValidations: !validate,
  });
}

let lexer: Lexer | undefined;
/** The one lexer, built on first use. */
const flowLexer = (): Lexer => (lexer ??= createLexer(false));

/**
 * Lexes `.flow` source. Comments are in `groups.comments`; errors are unexpected
 * characters. Keywords are still Identifier tokens: pass each to `retypeKeyword`
 * (tokenize does; parse() does it in its own pass over the tokens).
 */
export function lex(source: string): ILexingResult {
  return flowLexer().tokenize(source);
}

/** Turns an Identifier token that spells a keyword into that keyword's token. */
export function retypeKeyword(token: IToken): void {
  if (token.tokenType !== Identifier) return;
  const keyword = keywords.get(token.image);
  if (keyword === undefined) return;
  token.tokenType = keyword;
  token.tokenTypeIdx = keyword.tokenTypeIdx as number;
}

/** Lexes `.flow` source into the tokens the parser reads (for tools such as a formatter). */
export function tokenize(source: string): ILexingResult {
  const result = flowLexer().tokenize(source);
  for (const token of result.tokens) retypeKeyword(token);
  return result;
}

/** How a token type reads in a message: `'->'`, `a string`, `end of file`. */
export function describeType(type: TokenType): string {
  return type.name === "EOF" ? "end of file" : tokenLabel(type);
}

/** How an actual token reads in a message: its text, quoted and shortened. */
export function describeToken(token: IToken): string {
  if (token.tokenType.name === "EOF") return "end of file";
  const text = token.image.length > 30 ? `${token.image.slice(0, 27)}...` : token.image;
  if (token.tokenType === ValidString || token.tokenType === BadString) return text;
  return `'${text}'`;
}
