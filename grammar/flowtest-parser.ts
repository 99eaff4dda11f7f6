// The .flowtest grammar: a second Chevrotain CstParser over the .flow tokens (grammar/tokens.ts).
// Its value rules have the flow parser's names and shapes, so values are built by the same code
// (valueBuilder in grammar/build-ast.ts). One instance, built at load and reused.
import { CstParser } from "chevrotain";
import type { CstNode, IOrAlt, IParserErrorMessageProvider, IToken, TokenType } from "chevrotain";
import * as t from "./tokens.js";

/** Arguments as a JSON array, turned into catalogue diagnostics by parseFlowTest (as parse.ts does). */
const argsProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    JSON.stringify([t.describeType(expected), t.describeToken(actual)]),
  buildNotAllInputParsedMessage: ({ firstRedundant }) => JSON.stringify([t.describeToken(firstRedundant)]),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual }) =>
    JSON.stringify([found(actual), expectedList(expectedPathsPerAlt.flat())]),
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) =>
    JSON.stringify([found(actual), expectedList(expectedIterationPaths)]),
};

function found(actual: readonly IToken[]): string {
  const first = actual[0];
  return first === undefined ? "end of file" : t.describeToken(first);
}

function expectedList(paths: readonly (readonly TokenType[])[]): string {
  const labels = [...new Set(paths.map((path) => (path[0] === undefined ? "end of file" : t.describeType(path[0]))))];
  return labels.length <= 1 ? (labels[0] ?? "nothing") : `${labels.slice(0, -1).join(", ")} or ${labels.at(-1)}`;
}

const headerNameLabel = { LABEL: "headerName" };
const secretNameLabel = { LABEL: "secretName" };

class FlowTestParser extends CstParser {
  constructor() {
    super(t.allTokens as TokenType[], { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: argsProvider });
    this.performSelfAnalysis();
  }

  parseTokens(tokens: IToken[]): CstNode {
    this.input = tokens;
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
    this.CONSUME(t.RCurly);
  });

  readonly inputBlock = this.RULE("inputBlock", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Globals) },
      { ALT: () => this.CONSUME(t.Config) },
      { ALT: () => this.CONSUME(t.Secrets) },
    ]);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.inputEntry));
    this.CONSUME(t.RCurly);
  });

  readonly inputEntry = this.RULE("inputEntry", () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });

  readonly mockBlock = this.RULE("mockBlock", () => {
    this.CONSUME(t.Mock);
    this.CONSUME(t.Name);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.requestBlock) }, { ALT: () => this.SUBRULE(this.reply) }]));
    this.CONSUME(t.RCurly);
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
    this.CONSUME(t.RCurly);
  });

  readonly headerEntry = this.RULE("headerEntry", () => {
    this.CONSUME(t.Header);
    this.CONSUME(t.StringLiteral, headerNameLabel);
    this.CONSUME(t.Equals);
    this.CONSUME2(t.StringLiteral);
  });

  /** `json VALUE`, `form { ... }` or `text "..."`. */
  readonly body = this.RULE("body", () => {
    this.OR([
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
    ]);
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
            this.CONSUME(t.RCurly);
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
    this.CONSUME(t.RCurly);
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

  // ---------------------------------------------------------------- values, as in FlowParser

  readonly value = this.RULE("value", () => {
    this.OR([
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
      { ALT: () => this.CONSUME(t.Name) },
      { ALT: () => this.SUBRULE(this.object) },
      { ALT: () => this.SUBRULE(this.array) },
    ]);
  });

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
    this.CONSUME(t.RCurly);
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
    this.CONSUME(t.RBracket);
  });

  readonly keyValueBlock = this.RULE("keyValueBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.keyValue));
    this.CONSUME(t.RCurly);
  });

  readonly keyValue = this.RULE("keyValue", () => {
    this.OR([{ ALT: () => this.CONSUME(t.Name) }, { ALT: () => this.CONSUME(t.StringLiteral) }]);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.value);
  });
}

/** The one parser instance: grammar analysis is done once, at load. */
export const flowTestParser = new FlowTestParser();
