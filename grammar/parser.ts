// The .flow grammar as a Chevrotain CstParser. One instance is built at module load
// (grammar analysis is the expensive part) and reused for every file (parseTokens).
import { CstParser, EOF, MismatchedTokenException, tokenMatcher } from "chevrotain";
import type {
  CstNode,
  IOrAlt,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  ParserMethod,
  TokenType,
} from "chevrotain";
import { SourcePositions } from "./spans.js";
import { ITEM_KEYWORDS, WIDGET_SPECS, type SettingSpec, type WidgetSpec } from "./language.js";
import * as t from "./tokens.js";

/**
 * Error messages carry their arguments as a JSON array so parse() can turn each
 * exception into a catalogue diagnostic (the code depends on the exception kind).
 */
const argsProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, ruleName }) =>
    JSON.stringify([closerExpectation(ruleName, expected) ?? t.describeType(expected), t.describeToken(actual)]),
  buildNotAllInputParsedMessage: ({ firstRedundant }) => JSON.stringify([t.describeToken(firstRedundant)]),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) =>
    JSON.stringify([describeFound(actual), choiceDescriptions[ruleName] ?? expectedList(expectedPathsPerAlt.flat())]),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
    JSON.stringify([describeFound(actual), expectedList(expectedIterationPaths)]),
};

function describeFound(actual: readonly IToken[]): string {
  const first = actual[0];
  return first === undefined ? "end of file" : t.describeToken(first);
}

function expectedList(paths: readonly (readonly TokenType[])[]): string {
  const labels = [...new Set(paths.map((path) => (path[0] === undefined ? "end of file" : t.describeType(path[0]))))];
  return labels.length <= 1 ? (labels[0] ?? "nothing") : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}

/**
 * A closer that fails to match means the group held something it cannot contain; say
 * what it can contain instead of only "'}'".
 */
function closerExpectation(ruleName: string, expected: TokenType): string | undefined {
  return expected === t.RCurly || expected === t.RBracket ? groupContents[ruleName] : undefined;
}

const groupContents: Readonly<Record<string, string>> = {
  flow: "a declaration, 'start', a widget or '}'",
  ...Object.fromEntries(WIDGET_SPECS.map((w) => [`${w.keyword}Widget`, w.contents])),
  keyValueBlock: "'key = value' or '}'",
  resultsSetting: "a result mapping or '}'",
  errorResultsSetting: "a result mapping or '}'",
  object: "',' or '}'",
  array: "',' or ']'",
};

/** Choices whose token list would be long and unhelpful. */
const choiceDescriptions: Readonly<Record<string, string>> = {
  value: "a value",
  notExpr: "an expression",
  primary: "an expression",
};

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

/** Keywords that, first on a line, mean the block being closed was left unclosed. */
const itemStarts: ReadonlySet<TokenType> = new Set(ITEM_KEYWORDS.map(t.keyword));
const settingStarts: ReadonlySet<TokenType> = new Set([
  ...itemStarts,
  t.When,
  t.On,
  ...WIDGET_SPECS.flatMap((w) => [
    ...w.settings.map((s) => t.keyword(s.keyword)),
    ...w.exits.map((e) => t.keyword(e.label)),
  ]),
]);
const noStops: ReadonlySet<TokenType> = new Set();

// Option objects are shared: a literal in the CONSUME call is an allocation per token.
const typeLabel = { LABEL: "type" };
const headerNameLabel = { LABEL: "headerName" };
const secretNameLabel = { LABEL: "secretName" };

/** The rules holding a choice (OR), named after them. */
type Choice =
  | "flow"
  | "varDecl"
  | "resultMapping"
  | "keyValue"
  | "setEntry"
  | "statusMatch"
  | "value"
  | "notExpr"
  | "comparison"
  | "primary";

class FlowParser extends CstParser {
  /** Openers minus closers over the whole input. */
  private balance = 0;

  /** Lines of the current input (tokens carry offsets only). */
  private positions = new SourcePositions("", "");

  /**
   * Each choice's alternatives, built on first use: an array literal in the OR call
   * would be allocated again on every token that reaches it.
   */
  private readonly alts: Partial<Record<Choice, IOrAlt<unknown>[]>> = {};

  constructor() {
    super(t.allTokens as TokenType[], {
      recoveryEnabled: true,
      // `secret . NAME` against a variable named `secret`, `next ->` against `next =`.
      maxLookahead: 3,
      errorMessageProvider: argsProvider,
    });
    this.performSelfAnalysis();
  }

  private onItem: (item: CstNode) => void = () => undefined;

  /**
   * Parses a whole file; `balance` is openers minus closers over all of `tokens`. Each
   * flow item (declaration, start, widget) goes to `onItem` as soon as it is parsed and
   * is not kept in the returned tree, so a large file's tree does not stay alive (and
   * get copied by every garbage collection) until the end of the parse.
   */
  parseTokens(tokens: IToken[], balance: number, positions: SourcePositions, onItem: (item: CstNode) => void): CstNode {
    this.input = tokens;
    this.balance = balance;
    this.positions = positions;
    this.onItem = onItem;
    return this.file();
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

  private handOver(item: CstNode): void {
    const flowNode = this.internals.CST_STACK.at(-1);
    const siblings = flowNode?.children[item.name];
    if (siblings?.at(-1) === item) {
      siblings.pop();
      // The CST never holds empty child lists.
      if (siblings.length === 0 && flowNode !== undefined) delete flowNode.children[item.name];
    }
    this.onItem(item);
  }

  private get internals(): ParserInternals {
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
  private close(closer: TokenType, stops: ReadonlySet<TokenType>): void {
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

  readonly file = this.RULE("file", () => {
    this.SUBRULE(this.flow);
  });

  readonly flow = this.RULE("flow", () => {
    this.CONSUME(t.Flow);
    this.CONSUME(t.Name);
    this.OPTION(() => this.CONSUME(t.StringLiteral));
    this.CONSUME(t.LCurly);
    // Items (like settings in blocks below) are told apart by their first token, so
    // once the repetition enters, one alternative always matches and errors stay
    // inside that alternative's rule. The builder restores source order by offset.
    this.MANY(() => {
      const item = this.OR(
        (this.alts.flow ??= [
          { ALT: () => this.SUBRULE(this.varDecl) },
          { ALT: () => this.SUBRULE(this.secretDecl) },
          { ALT: () => this.SUBRULE(this.startExit) },
          ...this.widgetRules.map((rule, i) => ({ ALT: () => this.subrule(i + 1, rule) })),
        ]),
      );
      this.ACTION(() => this.handOver(item as CstNode));
    });
    this.close(t.RCurly, noStops);
  });

  // ---------------------------------------------------------------- declarations

  readonly varDecl = this.RULE("varDecl", () => {
    this.OR(
      (this.alts.varDecl ??= [
        { ALT: () => this.CONSUME(t.Global) },
        { ALT: () => this.CONSUME(t.Local) },
        { ALT: () => this.CONSUME(t.Config) },
      ]),
    );
    this.CONSUME(t.Name);
    this.CONSUME(t.Colon);
    this.CONSUME2(t.Name, typeLabel);
    this.OPTION(() => {
      this.CONSUME(t.Equals);
      this.SUBRULE(this.value);
    });
    this.OPTION2(() => this.CONSUME(t.Masked));
  });

  readonly secretDecl = this.RULE("secretDecl", () => {
    this.CONSUME(t.Secret);
    this.CONSUME(t.Name);
  });

  readonly startExit = this.RULE("startExit", () => {
    this.CONSUME(t.Start);
    this.CONSUME(t.Arrow);
    this.CONSUME(t.Name);
  });

  // ---------------------------------------------------------------- widgets
  // Settings, exits and widgets are rules made from the language description (language.ts):
  // `retrySetting`, `failExit`, `httpWidget`, ... A setting's value kind decides its syntax.

  /** `keyword VALUE` for each setting keyword of the description, by keyword. */
  private readonly settingRules: ReadonlyMap<string, ParserMethod<[], CstNode>> = new Map(
    [...new Map(WIDGET_SPECS.flatMap((w) => w.settings).map((spec) => [spec.keyword, spec])).values()].map((spec) => [
      spec.keyword,
      this.settingRule(spec),
    ]),
  );

  /** `label -> NAME` for each exit label of the description, by label. */
  private readonly exitRules: ReadonlyMap<string, ParserMethod<[], CstNode>> = new Map(
    [...new Set(WIDGET_SPECS.flatMap((w) => w.exits.map((e) => e.label)))].map((label) => [
      label,
      this.exitRule(label),
    ]),
  );

  // `keyword NAME STRING? ({ entry* })?` for each widget kind of the description.
  private readonly widgetRules: readonly ParserMethod<[], CstNode>[] = WIDGET_SPECS.map((spec) =>
    this.widgetRule(spec),
  );

  private settingRule(spec: SettingSpec): ParserMethod<[], CstNode> {
    const keyword = t.keyword(spec.keyword);
    const value = this.valueSyntax(spec.value);
    return this.RULE(`${spec.keyword.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}Setting`, () => {
      this.CONSUME(keyword);
      value();
    });
  }

  /** What follows a setting's keyword, by the setting's value kind. */
  private valueSyntax(kind: SettingSpec["value"]): () => void {
    switch (kind) {
      case "method":
        return () => this.CONSUME(t.Name);
      case "value":
        return () => this.SUBRULE(this.value);
      case "string":
      case "plainString":
        return () => this.CONSUME(t.StringLiteral);
      case "count":
        return () => this.CONSUME(t.NumberLiteral);
      case "duration":
        return () => this.CONSUME(t.Duration);
      case "flag": {
        const alts: IOrAlt<unknown>[] = [{ ALT: () => this.CONSUME(t.True) }, { ALT: () => this.CONSUME(t.False) }];
        return () => this.OR(alts);
      }
      case "keyValues":
        return () => this.SUBRULE(this.keyValueBlock);
      case "body": {
        const alts: IOrAlt<unknown>[] = [
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
        ];
        return () => this.OR(alts);
      }
      case "results":
        return () => {
          this.CONSUME(t.LCurly);
          this.MANY(() => this.SUBRULE(this.resultMapping));
          this.close(t.RCurly, settingStarts);
        };
    }
  }

  private exitRule(label: string): ParserMethod<[], CstNode> {
    const keyword = t.keyword(label);
    return this.RULE(`${label}Exit`, () => {
      this.CONSUME(keyword);
      this.CONSUME(t.Arrow);
      this.CONSUME(t.Name);
    });
  }

  private widgetRule(spec: WidgetSpec): ParserMethod<[], CstNode> {
    const keyword = t.keyword(spec.keyword);
    // Items are told apart by their first token. A set block's entries need their own rule
    // (see setEntry), which holds its `next` exit too.
    const entries: IOrAlt<unknown>[] =
      spec.entries === "assignments"
        ? [{ ALT: () => this.SUBRULE(this.setEntry) }]
        : [
            ...(spec.entries === "branches" ? [{ ALT: () => this.SUBRULE(this.whenBranch) }] : []),
            ...(spec.entries === "statusExits" ? [{ ALT: () => this.SUBRULE(this.statusExit) }] : []),
            ...spec.settings.map((s) => ({ ALT: () => this.SUBRULE(this.rule(this.settingRules, s.keyword)) })),
            ...spec.exits.map((e) => ({ ALT: () => this.SUBRULE2(this.rule(this.exitRules, e.label)) })),
          ];
    return this.RULE(`${spec.keyword}Widget`, () => {
      this.CONSUME(keyword);
      this.CONSUME(t.Name);
      this.OPTION(() => this.CONSUME(t.StringLiteral));
      this.OPTION2(() => {
        this.CONSUME(t.LCurly);
        if (entries.length > 0) this.MANY(() => this.OR(entries));
        this.close(t.RCurly, itemStarts);
      });
    });
  }

  private rule(rules: ReadonlyMap<string, ParserMethod<[], CstNode>>, key: string): ParserMethod<[], CstNode> {
    return rules.get(key) as ParserMethod<[], CstNode>;
  }

  readonly resultMapping = this.RULE("resultMapping", () => {
    this.OR(
      (this.alts.resultMapping ??= [
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.Status) },
        {
          ALT: () => {
            this.CONSUME(t.Header);
            this.CONSUME2(t.StringLiteral, headerNameLabel);
          },
        },
      ]),
    );
    this.CONSUME(t.Arrow);
    this.CONSUME(t.Name);
  });

  /** `{ key = value ... }` for query, headers and form bodies; keys are names or strings. */
  readonly keyValueBlock = this.RULE("keyValueBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.keyValue));
    this.close(t.RCurly, settingStarts);
  });

  readonly keyValue = this.RULE("keyValue", () => {
    this.OR(
      (this.alts.keyValue ??= [{ ALT: () => this.CONSUME(t.Name) }, { ALT: () => this.CONSUME(t.StringLiteral) }]),
    );
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });

  readonly whenBranch = this.RULE("whenBranch", () => {
    this.CONSUME(t.When);
    this.SUBRULE(this.orExpr);
    this.CONSUME(t.Arrow);
    this.CONSUME(t.Name);
  });

  /** `on 404, 5xx, timeout -> NAME`: statuses, classes and failures, one or more. */
  readonly statusExit = this.RULE("statusExit", () => {
    this.CONSUME(t.On);
    this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.statusMatch) });
    this.CONSUME(t.Arrow);
    this.CONSUME(t.Name);
  });

  readonly statusMatch = this.RULE("statusMatch", () => {
    this.OR(
      (this.alts.statusMatch ??= [
        { ALT: () => this.CONSUME(t.NumberLiteral) },
        { ALT: () => this.CONSUME(t.StatusClass) },
        { ALT: () => this.CONSUME(t.keyword("timeout")) },
        { ALT: () => this.CONSUME(t.NetworkError) },
      ]),
    );
  });

  // `next -> x` is the exit; `next = 1` assigns a variable called next (LL(2)). Here the
  // repetition enters on one token, so the choice needs its own rule: a failed choice
  // then recovers inside the block instead of unwinding to the flow (and eating its `}`).
  readonly setEntry = this.RULE("setEntry", () => {
    this.OR(
      (this.alts.setEntry ??= [
        { ALT: () => this.SUBRULE(this.rule(this.exitRules, "next")) },
        { ALT: () => this.SUBRULE(this.assignment) },
      ]),
    );
  });

  readonly assignment = this.RULE("assignment", () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });

  // ---------------------------------------------------------------- values

  readonly value = this.RULE("value", () => {
    this.OR(
      (this.alts.value ??= [
        // Before the plain name: `secret.X` is a secret, a lone `secret` a variable.
        {
          ALT: () => {
            this.CONSUME(t.Secret);
            this.CONSUME(t.Dot);
            this.CONSUME2(t.Name, secretNameLabel);
          },
        },
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.NumberLiteral) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Null) },
        {
          // `items.length` parses here only to be reported (CF1016): a condition is the one place for it.
          ALT: () => {
            this.CONSUME(t.Name);
            this.OPTION(() => {
              this.CONSUME2(t.Dot);
              this.CONSUME(t.Length);
            });
          },
        },
        { ALT: () => this.SUBRULE(this.object) },
        { ALT: () => this.SUBRULE(this.array) },
      ]),
    );
  });

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
    this.close(t.RCurly, settingStarts);
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
    this.close(t.RBracket, settingStarts);
  });

  // ---------------------------------------------------------------- expressions
  // Precedence, loosest first: or, and, not, comparison (non-associative), primary.

  readonly orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(t.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  readonly andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(t.And);
      this.SUBRULE2(this.notExpr);
    });
  });

  readonly notExpr = this.RULE("notExpr", () => {
    this.OR(
      (this.alts.notExpr ??= [
        {
          ALT: () => {
            this.CONSUME(t.Not);
            this.SUBRULE(this.notExpr);
          },
        },
        { ALT: () => this.SUBRULE(this.comparison) },
      ]),
    );
  });

  readonly comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.primary);
    this.OPTION(() => {
      this.OR(
        (this.alts.comparison ??= [
          { ALT: () => this.CONSUME(t.EqEq) },
          { ALT: () => this.CONSUME(t.NotEq) },
          { ALT: () => this.CONSUME(t.LessEq) },
          { ALT: () => this.CONSUME(t.GreaterEq) },
          { ALT: () => this.CONSUME(t.Less) },
          { ALT: () => this.CONSUME(t.Greater) },
          { ALT: () => this.CONSUME(t.Contains) },
        ]),
      );
      this.SUBRULE2(this.primary);
    });
  });

  readonly primary = this.RULE("primary", () => {
    this.OR(
      (this.alts.primary ??= [
        { ALT: () => this.CONSUME(t.StringLiteral) },
        { ALT: () => this.CONSUME(t.NumberLiteral) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Null) },
        {
          // `items.length`: the one property a condition may read.
          ALT: () => {
            this.CONSUME(t.Name);
            this.OPTION(() => {
              this.CONSUME(t.Dot);
              this.CONSUME(t.Length);
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.LParen);
            this.SUBRULE(this.orExpr);
            this.close(t.RParen, settingStarts);
          },
        },
      ]),
    );
  });
}

/** The one parser instance, reused: grammar analysis is done once, at load. */
export const flowParser = new FlowParser();
