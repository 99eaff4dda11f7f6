// The .flow grammar: the flow's rules over ValueParser (values, recovery, messages). One instance is built on first use
// (grammar analysis is the expensive part) and reused for every file (parseTokens).
import type { CstNode, IOrAlt, IToken, ParserMethod, TokenType } from "chevrotain";
import type { SourcePositions } from "./spans.js";
import { ITEM_KEYWORDS, WIDGET_SPECS, type SettingSpec, type WidgetSpec } from "./language.js";
import * as t from "./tokens.js";
import { ValueParser, type RuleMessages } from "./value-parser.js";

/** What the flow's groups can contain and its choices, for ValueParser's error messages. */
const messages: RuleMessages = {
  groupContents: {
    flow: "a declaration, 'start', a widget or '}'",
    ...Object.fromEntries(WIDGET_SPECS.map((w) => [`${w.keyword}Widget`, w.contents])),
    resultsSetting: "a result mapping or '}'",
    errorResultsSetting: "a result mapping or '}'",
  },
  choiceDescriptions: { notExpr: "an expression", primary: "an expression" },
};

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

class FlowParser extends ValueParser {
  constructor(validate: boolean) {
    super(messages, settingStarts, validate);
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
    this.begin(tokens, balance, positions);
    this.onItem = onItem;
    return this.file();
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
        (this.alts["flow"] ??= [
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
      (this.alts["varDecl"] ??= [
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
      case "body":
        return () => this.SUBRULE(this.body);
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
      (this.alts["resultMapping"] ??= [
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
      (this.alts["statusMatch"] ??= [
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
      (this.alts["setEntry"] ??= [
        { ALT: () => this.SUBRULE(this.rule(this.exitRules, "next")) },
        { ALT: () => this.SUBRULE(this.assignment) },
      ]),
    );
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
      (this.alts["notExpr"] ??= [
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
        (this.alts["comparison"] ??= [
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
      (this.alts["primary"] ??= [
        ...this.scalarAlts(),
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

let parser: FlowParser | undefined;

/** The one parser instance, built on first use (commands that parse nothing never pay for it) and reused. */
export function flowParser(): FlowParser {
  return (parser ??= new FlowParser(false));
}

/** A new parser with Chevrotain's grammar validations on, which throw on an invalid grammar: for tests. */
export function validatedFlowParser(): FlowParser {
  return new FlowParser(true);
}
