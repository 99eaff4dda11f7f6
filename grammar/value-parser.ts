// The base of both Chevrotain parsers (.flow in parser.ts, .flowtest in flowtest-parser.ts),
// by Chevrotain's grammar inheritance: the value rules, the bracket-aware error recovery and
// the error messages live here once. Subclasses add their rules and call performSelfAnalysis
// once, in their own constructor.
import { CstParser, EOF, MismatchedTokenException, tokenMatcher } from "chevrotain";
import type {
  CstNode,
  IOrAlt,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  TokenType,
} from "chevrotain";
import { SourcePositions } from "./spans.js";
import * as t from "./tokens.js";

/** What a subclass adds to the error messages, by rule name. */
export interface RuleMessages {
  /** What a group can contain, said when its closer fails to match. */
  readonly groupContents: Readonly<Record<string, string>>;
  /** Choices whose token list would be long and unhelpful. */
  readonly choiceDescriptions: Readonly<Record<string, string>>;
}

const valueMessages: RuleMessages = {
  groupContents: { keyValueBlock: "'key = value' or '}'", object: "',' or '}'", array: "',' or ']'" },
  choiceDescriptions: { value: "a value" },
};

/**
 * Error messages carry their arguments as a JSON array so parserDiagnostic (parse.ts) can
 * turn each exception into a catalogue diagnostic (the code depends on the exception kind).
 */
function argsProvider(messages: RuleMessages): IParserErrorMessageProvider {
  const groupContents = { ...valueMessages.groupContents, ...messages.groupContents };
  const choiceDescriptions = { ...valueMessages.choiceDescriptions, ...messages.choiceDescriptions };
  // A closer that fails to match means the group held something it cannot contain; say
  // what it can contain instead of only "'}'".
  const closerExpectation = (ruleName: string, expected: TokenType): string | undefined =>
    expected === t.RCurly || expected === t.RBracket ? groupContents[ruleName] : undefined;
  return {
    buildMismatchTokenMessage: ({ expected, actual, ruleName }) =>
      JSON.stringify([closerExpectation(ruleName, expected) ?? t.describeType(expected), t.describeToken(actual)]),
    buildNotAllInputParsedMessage: ({ firstRedundant }) => JSON.stringify([t.describeToken(firstRedundant)]),
    buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
      JSON.stringify([describeFound(actual), choiceDescriptions[ruleName] ?? expectedList(expectedPathsPerAlt.flat())]),
    buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
      JSON.stringify([describeFound(actual), expectedList(expectedIterationPaths)]),
  };
}

function describeFound(actual: readonly IToken[]): string {
  const first = actual[0];
  return first === undefined ? "end of file" : t.describeToken(first);
}

function expectedList(paths: readonly (readonly TokenType[])[]): string {
  const labels = [...new Set(paths.map((path) => (path[0] === undefined ? "end of file" : t.describeType(path[0]))))];
  return labels.length <= 1 ? (labels[0] ?? "nothing") : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}

// ---------------------------------------------------------------- recovery
// Chevrotain re-synchronises on the first token in the follow set, which is often the
// `}` of a nested group, so one typo would close the enclosing block early and cascade
// to the end of the file. The overrides below make that search skip bracketed groups,
// and `close` skips junk up to the matching closer. They replace internal (undocumented)
// methods of chevrotain 13, so package.json pins chevrotain to one exact version (an upgrade is a
// deliberate change); test/parser-recovery.test.ts pins their behaviour and fails if an upgrade changes it.

/** Chevrotain internals the recovery overrides call. */
interface ParserInternals {
  flattenFollowSet(): TokenType[];
  exportLexerState(): number;
  importLexerState(state: number): void;
  getCurrRuleFullName(): string;
  SAVE_ERROR(error: IRecognitionException): void;
  readonly CST_STACK: CstNode[];
  readonly errorMessageProvider: IParserErrorMessageProvider;
}

const openers: ReadonlySet<TokenType> = new Set([t.LCurly, t.LBracket, t.LParen]);
const closers: ReadonlySet<TokenType> = new Set([t.RCurly, t.RBracket, t.RParen]);

function nestAfter(depth: number, token: IToken): number {
  if (openers.has(token.tokenType)) return depth + 1;
  if (closers.has(token.tokenType)) return Math.max(0, depth - 1);
  return depth;
}

// Option objects are shared: a literal in the CONSUME call is an allocation per token.
const secretNameLabel = { LABEL: "secretName" };

export abstract class ValueParser extends CstParser {
  /** Openers minus closers over the whole input. */
  protected balance = 0;

  /** Lines of the current input (tokens carry offsets only). */
  protected positions = new SourcePositions("", "");

  /**
   * Each choice's alternatives by rule name, built on first use: an array literal in the OR
   * call would be allocated again on every token that reaches it.
   */
  protected readonly alts: Partial<Record<string, IOrAlt<unknown>[]>> = {};

  /**
   * `valueStops`: keywords that, first on a line, mean a value's bracket was left unclosed
   * (the subclass's item and setting keywords).
   */
  protected constructor(
    messages: RuleMessages,
    private readonly valueStops: ReadonlySet<TokenType>,
    validate: boolean,
  ) {
    super(t.allTokens as TokenType[], {
      recoveryEnabled: true,
      // Chevrotain's grammar checks cost startup time on every run of a grammar that cannot change between
      // runs: the parsers used skip them, test/parser.test.ts builds each parser with them (issue 27).
      skipValidations: !validate,
      // `secret . NAME` against a variable named `secret`, `next ->` against `next =`.
      maxLookahead: 3,
      errorMessageProvider: argsProvider(messages),
    });
  }

  /** Sets the input; `balance` is openers minus closers over all of `tokens`. */
  protected begin(tokens: IToken[], balance: number, positions: SourcePositions): void {
    this.input = tokens;
    this.balance = balance;
    this.positions = positions;
  }

  /**
   * Chevrotain's, with a plain object for the children: its `Object.create(null)` is a
   * dictionary-mode object, slow to fill here and to read in the AST builder (parsing
   * alone took about 40% longer with it). No rule or token is named like a property of
   * Object.prototype. Node locations are not tracked, so there is no location to set.
   */
  cstInvocationStateUpdate(fullRuleName: string): void {
    this.internals.CST_STACK.push({ name: fullRuleName, children: {} });
  }

  protected get internals(): ParserInternals {
    return this as unknown as ParserInternals;
  }

  private saveMismatch(expected: TokenType, actual: IToken, previous: IToken): void {
    const message = this.internals.errorMessageProvider.buildMismatchTokenMessage({
      expected,
      actual,
      previous,
      ruleName: this.internals.getCurrRuleFullName(),
    });
    this.internals.SAVE_ERROR(new MismatchedTokenException(message, actual, previous));
  }

  /**
   * Consumes a closing bracket. Junk before it is skipped up to the matching closer and
   * reported once, unless a closer of an enclosing group, the end of input, or one of
   * `stops` first on a line comes first: then the closer is missing, and the ordinary
   * recovery (inserting it) applies.
   */
  protected close(closer: TokenType, stops: ReadonlySet<TokenType>): void {
    this.ACTION(() => {
      const first = this.LA(1);
      if (tokenMatcher(first, closer)) return;
      // In a file whose brackets balance, a closer of the wrong kind is a typo for this
      // one (`[1, 2}`): take it as this closer rather than close an enclosing group early.
      if (closers.has(first.tokenType) && this.balance === 0) {
        this.saveMismatch(closer, first, this.LA(0));
        first.tokenType = closer;
        first.tokenTypeIdx = closer.tokenTypeIdx as number;
        return;
      }
      let depth = 0;
      let previous = this.LA(0);
      for (let k = 1; ; k++) {
        const token = this.LA(k);
        if (token.tokenType === EOF) return;
        if (depth === 0) {
          if (tokenMatcher(token, closer)) {
            this.saveMismatch(closer, first, this.LA(0));
            for (let skipped = 1; skipped < k; skipped++) this.SKIP_TOKEN();
            return;
          }
          if (closers.has(token.tokenType)) return;
          if (stops.has(token.tokenType) && this.startsLine(token, previous)) return;
        }
        depth = nestAfter(depth, token);
        previous = token;
      }
    });
    this.CONSUME(closer);
  }

  /** Whether `token` is on a later line than `previous` (no token spans lines). */
  private startsLine(token: IToken, previous: IToken): boolean {
    return this.positions.line(previous.startOffset) < this.positions.line(token.startOffset);
  }

  /** Chevrotain's, made bracket-aware: the first follow-set token outside nested groups. */
  findReSyncTokenType(): TokenType {
    const follows = this.internals.flattenFollowSet();
    let depth = 0;
    for (let k = 1; ; k++) {
      const token = this.LA(k);
      if (depth === 0) {
        const match = follows.find((type) => tokenMatcher(token, type));
        if (match !== undefined) return match;
      }
      if (token.tokenType === EOF) return EOF;
      depth = nestAfter(depth, token);
    }
  }

  /** Chevrotain's, made bracket-aware to match findReSyncTokenType. */
  reSyncTo(type: TokenType): IToken[] {
    const skipped: IToken[] = [];
    let depth = 0;
    let token = this.LA(1);
    while (token.tokenType !== EOF && !(depth === 0 && tokenMatcher(token, type))) {
      depth = nestAfter(depth, token);
      skipped.push(token);
      token = this.SKIP_TOKEN();
    }
    return skipped;
  }

  /**
   * Chevrotain's recovery when a repetition stops at a token it cannot start with: skip
   * to what follows the repetition or to the start of a new iteration, whichever comes
   * first, looking only outside nested groups.
   */
  tryInRepetitionRecovery(
    grammarRule: (...args: unknown[]) => void,
    grammarRuleArgs: unknown[],
    lookAheadFunc: () => boolean,
    expectedTokType: TokenType,
  ): void {
    const reSyncTokType = this.findReSyncTokenType();
    const saved = this.internals.exportLexerState();
    const first = this.LA(1);
    const previous = this.LA(0);
    let depth = 0;
    let token = first;
    for (;;) {
      if (depth === 0) {
        if (tokenMatcher(token, expectedTokType)) {
          this.saveMismatch(expectedTokType, first, previous);
          return;
        }
        if (lookAheadFunc.call(this)) {
          this.saveMismatch(expectedTokType, first, previous);
          grammarRule.apply(this, grammarRuleArgs);
          return;
        }
        if (tokenMatcher(token, reSyncTokType)) break;
      }
      if (token.tokenType === EOF) break;
      depth = nestAfter(depth, token);
      token = this.SKIP_TOKEN();
    }
    this.internals.importLexerState(saved);
  }

  // ---------------------------------------------------------------- values

  readonly value = this.RULE("value", () => {
    this.OR(
      (this.alts["value"] ??= [
        // Before the plain name: `secret.X` is a secret, a lone `secret` a variable.
        {
          ALT: () => {
            this.CONSUME(t.Secret);
            this.CONSUME(t.Dot);
            this.CONSUME2(t.Name, secretNameLabel);
          },
        },
        ...this.scalarAlts(),
        { ALT: () => this.SUBRULE(this.object) },
        { ALT: () => this.SUBRULE(this.array) },
      ]),
    );
  });

  /**
   * The alternatives a value shares with an expression operand (FlowParser's primary):
   * literals and `NAME` or `NAME.length`. A condition may read `items.length`; in a value
   * it parses only to be reported (CF1016).
   */
  protected scalarAlts(): IOrAlt<unknown>[] {
    return [
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      { ALT: () => this.CONSUME(t.Null) },
      {
        ALT: () => {
          this.CONSUME(t.Name);
          this.OPTION(() => {
            this.CONSUME2(t.Dot);
            this.CONSUME(t.Length);
          });
        },
      },
    ];
  }

  // JSON-like: commas between entries are required, one trailing comma is allowed.
  readonly object = this.RULE("object", () => {
    this.CONSUME(t.LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.objectEntry);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.objectEntry);
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.close(t.RCurly, this.valueStops);
  });

  readonly objectEntry = this.RULE("objectEntry", () => {
    this.CONSUME(t.StringLiteral);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.value);
  });

  readonly array = this.RULE("array", () => {
    this.CONSUME(t.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.value);
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.close(t.RBracket, this.valueStops);
  });

  /** `{ key = value ... }` for query, headers and form bodies; keys are names or strings. */
  readonly keyValueBlock = this.RULE("keyValueBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.keyValue));
    this.close(t.RCurly, this.valueStops);
  });

  readonly keyValue = this.RULE("keyValue", () => {
    this.OR(
      (this.alts["keyValue"] ??= [{ ALT: () => this.CONSUME(t.Name) }, { ALT: () => this.CONSUME(t.StringLiteral) }]),
    );
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });

  /** `NAME = VALUE`: an assignment in a set block, an input in a test. */
  readonly assignment = this.RULE("assignment", () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });

  /** A request or reply body: `json VALUE`, `form { ... }` or `text "..."`. */
  readonly body = this.RULE("body", () => {
    this.OR(
      (this.alts["body"] ??= [
        {
          ALT: () => {
            this.CONSUME(t.Json);
            this.SUBRULE(this.value);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Form);
            this.SUBRULE(this.keyValueBlock);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Text);
            this.CONSUME(t.StringLiteral);
          },
        },
      ]),
    );
  });
}
