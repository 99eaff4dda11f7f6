// The .flowtest grammar: its rules over ValueParser (grammar/value-parser.ts), which owns the
// value rules, the error recovery and the messages, so values parse, recover and are reported
// as in a .flow and are built by the same code (valueBuilder in grammar/build-ast.ts). One
// instance, built on first use and reused.
import type { CstNode, IOrAlt, IToken, TokenType } from "chevrotain";
import type { SourcePositions } from "./spans.js";
import * as t from "./tokens.js";
import { ValueParser, type RuleMessages } from "./value-parser.js";

const messages: RuleMessages = {
  groupContents: {
    testCase: "'globals', 'config', 'secrets', 'mock', 'expect' or '}'",
    mockBlock: "'request', 'reply' or '}'",
    requestBlock: "'method', 'url', 'header', 'body' or '}'",
    reply: "'header', a body or '}'",
    inputBlock: "'name = value' or '}'",
    expectBlock: "an expectation or '}'",
  },
  choiceDescriptions: {},
};

// Keywords that, first on a line, mean the block being closed was left unclosed: those
// starting an item of an enclosing block.
const testStarts: ReadonlySet<TokenType> = new Set([t.Test]);
const blockStarts: ReadonlySet<TokenType> = new Set([...testStarts, t.Globals, t.Config, t.Secrets, t.Mock, t.Expect]);
const mockItemStarts: ReadonlySet<TokenType> = new Set([...blockStarts, t.Request, t.Reply]);
const lineStarts: ReadonlySet<TokenType> = new Set([
  ...mockItemStarts,
  t.Header,
  t.keyword("method"),
  t.keyword("url"),
  t.keyword("body"),
  t.Path,
  t.keyword("route"),
  t.Attempts,
  t.Sent,
]);

const headerNameLabel = { LABEL: "headerName" };

class FlowTestParser extends ValueParser {
  constructor(validate: boolean) {
    super(messages, lineStarts, validate);
    this.performSelfAnalysis();
  }

  /** Parses a whole file; `balance` is openers minus closers over all of `tokens`. */
  parseTokens(tokens: IToken[], balance: number, positions: SourcePositions): CstNode {
    this.begin(tokens, balance, positions);
    return this.file();
  }

  readonly file = this.RULE("file", () => {
    this.CONSUME(t.Tests);
    this.CONSUME(t.For);
    this.CONSUME(t.StringLiteral);
    this.MANY(() => this.SUBRULE(this.testCase));
  });

  readonly testCase = this.RULE("testCase", () => {
    this.CONSUME(t.Test);
    this.CONSUME(t.StringLiteral);
    this.CONSUME(t.LCurly);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.SUBRULE(this.inputBlock) },
        { ALT: () => this.SUBRULE(this.mockBlock) },
        { ALT: () => this.SUBRULE(this.expectBlock) },
      ]),
    );
    this.close(t.RCurly, testStarts);
  });

  readonly inputBlock = this.RULE("inputBlock", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Globals) },
      { ALT: () => this.CONSUME(t.Config) },
      { ALT: () => this.CONSUME(t.Secrets) },
    ]);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.assignment));
    this.close(t.RCurly, blockStarts);
  });

  readonly mockBlock = this.RULE("mockBlock", () => {
    this.CONSUME(t.Mock);
    this.CONSUME(t.Name);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.requestBlock) }, { ALT: () => this.SUBRULE(this.reply) }]));
    this.close(t.RCurly, blockStarts);
  });

  readonly requestBlock = this.RULE("requestBlock", () => {
    this.CONSUME(t.Request);
    this.CONSUME(t.LCurly);
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.keyword("method"));
            this.CONSUME(t.Name);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.keyword("url"));
            this.CONSUME(t.StringLiteral);
          },
        },
        { ALT: () => this.SUBRULE(this.headerEntry) },
        {
          ALT: () => {
            this.CONSUME(t.keyword("body"));
            this.SUBRULE(this.body);
          },
        },
      ]),
    );
    this.close(t.RCurly, mockItemStarts);
  });

  readonly headerEntry = this.RULE("headerEntry", () => {
    this.CONSUME(t.Header);
    this.CONSUME(t.StringLiteral, headerNameLabel);
    this.CONSUME(t.Equals);
    this.CONSUME2(t.StringLiteral);
  });

  readonly reply = this.RULE("reply", () => {
    this.CONSUME(t.Reply);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.NumberLiteral);
          this.OPTION(() => {
            this.CONSUME(t.LCurly);
            this.MANY(() =>
              this.OR2([{ ALT: () => this.SUBRULE(this.headerEntry) }, { ALT: () => this.SUBRULE(this.body) }]),
            );
            this.close(t.RCurly, mockItemStarts);
          });
        },
      },
      { ALT: () => this.CONSUME(t.keyword("timeout")) },
      { ALT: () => this.CONSUME(t.NetworkError) },
    ]);
  });

  readonly expectBlock = this.RULE("expectBlock", () => {
    this.CONSUME(t.Expect);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.expectation));
    this.close(t.RCurly, blockStarts);
  });

  // Keywords first: `end goodbye` is an expectation, `end = 1` a variable named end (LL(2)).
  private readonly expectations: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(t.Path);
        this.CONSUME(t.Name);
        this.MANY(() => {
          this.CONSUME(t.Comma);
          this.CONSUME2(t.Name);
        });
      },
    },
    {
      ALT: () => {
        this.CONSUME(t.keyword("end"));
        this.CONSUME3(t.Name);
      },
    },
    {
      ALT: () => {
        this.CONSUME(t.keyword("route"));
        this.CONSUME(t.StringLiteral);
      },
    },
    {
      ALT: () => {
        this.CONSUME(t.Attempts);
        this.CONSUME4(t.Name);
        this.CONSUME(t.Equals);
        this.CONSUME(t.NumberLiteral);
      },
    },
    {
      ALT: () => {
        this.CONSUME(t.Sent);
        this.CONSUME2(t.StringLiteral);
      },
    },
    // `fail` alone; `fail = VALUE` is a variable named fail.
    { GATE: () => this.LA(2).tokenType !== t.Equals, ALT: () => this.CONSUME(t.keyword("fail")) },
    {
      ALT: () => {
        this.CONSUME5(t.Name);
        this.CONSUME2(t.Equals);
        this.SUBRULE(this.value);
      },
    },
  ];

  readonly expectation = this.RULE("expectation", () => {
    this.OR({ DEF: this.expectations, IGNORE_AMBIGUITIES: true });
  });
}

let parser: FlowTestParser | undefined;

/** The one parser instance, built on first use and reused: grammar analysis is done once. */
export function flowTestParser(): FlowTestParser {
  return (parser ??= new FlowTestParser(false));
}

/** A new parser with Chevrotain's grammar validations on, which throw on an invalid grammar: for tests. */
export function validatedFlowTestParser(): FlowTestParser {
  return new FlowTestParser(true);
}
