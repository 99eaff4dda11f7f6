// .flowtest source → AST, with syntax diagnostics from the catalogue. Never throws. Values are
// built by the flow's own builder (valueBuilder), over the flowtest parser's value rules.
import type { CstNode, IToken } from "chevrotain";
import type { Comment, Identifier, NumberLiteral, Span, StringLiteral, Value } from "./ast.js";
import { valueBuilder } from "./build-ast.js";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import type {
  Expectation,
  FlowTestFile,
  HeaderEntry,
  InputEntry,
  Mock,
  Reply,
  ReplyItem,
  RequestBlock,
  RequestItem,
  TestCase,
  TestItem,
} from "./flowtest-ast.js";
import { flowTestParser } from "./flowtest-parser.js";
import { lexSource, parserDiagnostic, scanTokens } from "./parse.js";
import { cover, SourcePositions } from "./spans.js";
import { decodeString } from "./strings.js";
import * as t from "./tokens.js";

export interface FlowTestParseResult {
  /** Undefined when not even `tests for "FLOW"` could be read. */
  readonly file: FlowTestFile | undefined;
  readonly comments: readonly Comment[];
  /** Syntax diagnostics (CF1xxx), sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

type Children = Readonly<Record<string, readonly (CstNode | IToken)[] | undefined>>;

const values = valueBuilder();

export function parseFlowTest(source: string, file: string): FlowTestParseResult {
  const positions = new SourcePositions(file, source);
  // The flow front end's lexing and limits hold here too: hostile input must not exhaust the stack.
  const front = lexSource(source, positions);
  if (!front.ok) return { file: undefined, comments: [], diagnostics: front.diagnostics };
  const { lexed, diagnostics, comments } = front;
  const scan = scanTokens(lexed.tokens, positions, diagnostics);
  if (scan.tooDeep) return { file: undefined, comments, diagnostics: sortDiagnostics(diagnostics) };
  const parser = flowTestParser();
  const cst = parser.parseTokens(lexed.tokens, scan.balance, positions);
  const reported = new Set(diagnostics.map((d) => d.span.offset));
  for (const error of parser.errors) {
    const d = parserDiagnostic(error, positions);
    if (reported.has(d.span.offset)) continue;
    reported.add(d.span.offset);
    diagnostics.push(d);
  }
  values.begin(positions, scan.strings, diagnostics);
  const built = new Builder(positions, scan.strings).file(cst.children as Children);
  return { file: built, comments, diagnostics: sortDiagnostics(diagnostics) };
}

/** After recovery any child may be missing: a node without a required part is dropped (its error is reported). */
class Builder {
  constructor(
    private readonly positions: SourcePositions,
    private readonly strings: ReadonlyMap<IToken, StringLiteral>,
  ) {}

  private tok(ctx: Children, name: string, index = 0): IToken | undefined {
    const token = ctx[name]?.[index] as IToken | undefined;
    return token === undefined || token.isInsertedInRecovery === true ? undefined : token;
  }

  private nodes(ctx: Children, name: string): Children[] {
    return ((ctx[name] ?? []) as CstNode[]).map((n) => n.children as Children);
  }

  private span(ctx: Children, name: string): Span | undefined {
    const token = this.tok(ctx, name);
    return token && this.positions.token(token);
  }

  private ident(ctx: Children, name: string, index = 0): Identifier | undefined {
    const token = this.tok(ctx, name, index);
    return token && { kind: "Identifier", name: token.image, span: this.positions.token(token) };
  }

  private str(ctx: Children, name: string, index = 0): StringLiteral | undefined {
    const token = this.tok(ctx, name, index);
    // scanTokens decodes (and checks) every string token but the plain ones up front.
    return token && (this.strings.get(token) ?? decodeString(this.positions, token, []));
  }

  private num(ctx: Children, name: string): NumberLiteral | undefined {
    const token = this.tok(ctx, name);
    if (token === undefined || token.tokenType === t.BadNumber) return undefined;
    const value = Number(token.image);
    return Number.isFinite(value)
      ? { kind: "Number", value, raw: token.image, span: this.positions.token(token) }
      : undefined;
  }

  /** From `start` to the block's closing brace when it is there, else to the last part built. */
  private extent(start: Span, ctx: Children, parts: readonly ({ readonly span: Span } | undefined)[]): Span {
    let end: Span | undefined = this.span(ctx, "RCurly");
    for (const part of parts) if (part !== undefined && (end === undefined || later(part.span, end))) end = part.span;
    return cover(start, end);
  }

  private value(ctx: Children, name = "value"): Value | undefined {
    return values.value(ctx[name]?.[0] as CstNode | undefined);
  }

  file(ctx: Children): FlowTestFile | undefined {
    const start = this.span(ctx, "Kw_tests");
    const target = this.str(ctx, "StringLiteral");
    if (start === undefined || target === undefined) return undefined;
    const tests = this.nodes(ctx, "testCase")
      .map((c) => this.testCase(c))
      .filter((c) => c !== undefined);
    return { kind: "FlowTestFile", target, tests, span: cover(start, tests.at(-1)?.span ?? target.span) };
  }

  private testCase(ctx: Children): TestCase | undefined {
    const start = this.span(ctx, "Kw_test");
    const name = this.str(ctx, "StringLiteral");
    if (start === undefined || name === undefined) return undefined;
    const items: TestItem[] = [];
    for (const c of this.nodes(ctx, "inputBlock")) push(items, this.inputBlock(c));
    for (const c of this.nodes(ctx, "mockBlock")) push(items, this.mock(c));
    for (const c of this.nodes(ctx, "expectBlock")) push(items, this.expectBlock(c));
    items.sort((a, b) => a.span.offset - b.span.offset);
    return { kind: "TestCase", name, items, span: this.extent(start, ctx, [name, ...items]) };
  }

  private inputBlock(ctx: Children): TestItem | undefined {
    const keyword = this.tok(ctx, "Kw_globals") ?? this.tok(ctx, "Kw_config") ?? this.tok(ctx, "Kw_secrets");
    if (keyword === undefined) return undefined;
    const entries: InputEntry[] = [];
    for (const c of this.nodes(ctx, "assignment")) {
      const name = this.ident(c, "Name");
      const value = this.value(c);
      if (name !== undefined && value !== undefined)
        entries.push({ kind: "InputEntry", name, value, span: cover(name.span, value.span) });
    }
    const start = this.positions.token(keyword);
    return {
      kind: "InputBlock",
      keyword: keyword.image === "globals" ? "globals" : keyword.image === "config" ? "config" : "secrets",
      entries,
      span: this.extent(start, ctx, entries),
    };
  }

  private header(ctx: Children): HeaderEntry | undefined {
    const start = this.span(ctx, "Kw_header");
    const name = this.str(ctx, "headerName");
    const value = this.str(ctx, "StringLiteral");
    if (start === undefined || name === undefined || value === undefined) return undefined;
    return { kind: "HeaderEntry", name, value, span: cover(start, value.span) };
  }

  private mock(ctx: Children): Mock | undefined {
    const start = this.span(ctx, "Kw_mock");
    const widget = this.ident(ctx, "Name");
    if (start === undefined || widget === undefined) return undefined;
    const items: (RequestBlock | Reply)[] = [];
    for (const c of this.nodes(ctx, "requestBlock")) push(items, this.request(c));
    for (const c of this.nodes(ctx, "reply")) push(items, this.reply(c));
    items.sort((a, b) => a.span.offset - b.span.offset);
    const request = items.find((item): item is RequestBlock => item.kind === "RequestBlock");
    const replies = items.filter((item): item is Reply => item.kind !== "RequestBlock");
    return { kind: "Mock", widget, request, replies, items, span: this.extent(start, ctx, [widget, ...items]) };
  }

  private request(ctx: Children): RequestBlock | undefined {
    const start = this.span(ctx, "Kw_request");
    if (start === undefined) return undefined;
    const items: RequestItem[] = [];
    const method = this.span(ctx, "Kw_method");
    const name = this.ident(ctx, "Name");
    if (method !== undefined && name !== undefined)
      items.push({ kind: "MethodAssertion", name, span: cover(method, name.span) });
    const url = this.span(ctx, "Kw_url");
    const text = this.str(ctx, "StringLiteral");
    if (url !== undefined && text !== undefined)
      items.push({ kind: "UrlAssertion", url: text, span: cover(url, text.span) });
    for (const c of this.nodes(ctx, "headerEntry")) push(items, this.header(c));
    const bodyKeyword = this.span(ctx, "Kw_body");
    const body = values.body(ctx["body"]?.[0] as CstNode | undefined);
    if (bodyKeyword !== undefined && body !== undefined)
      items.push({ kind: "BodyAssertion", body, span: cover(bodyKeyword, body.span) });
    items.sort((a, b) => a.span.offset - b.span.offset);
    return { kind: "RequestBlock", items, span: this.extent(start, ctx, items) };
  }

  private reply(ctx: Children): Reply | undefined {
    const start = this.span(ctx, "Kw_reply");
    if (start === undefined) return undefined;
    const timeout = this.span(ctx, "Kw_timeout");
    if (timeout !== undefined) return { kind: "FailureReply", failure: "timeout", span: cover(start, timeout) };
    const network = this.span(ctx, "Kw_network_error");
    if (network !== undefined) return { kind: "FailureReply", failure: "network_error", span: cover(start, network) };
    const status = this.num(ctx, "NumberLiteral");
    if (status === undefined) return undefined;
    if (this.tok(ctx, "LCurly") === undefined)
      return { kind: "StatusReply", status, items: undefined, span: cover(start, status.span) };
    const items: ReplyItem[] = [];
    for (const c of this.nodes(ctx, "headerEntry")) push(items, this.header(c));
    for (const c of (ctx["body"] ?? []) as CstNode[]) {
      const body = values.body(c);
      if (body !== undefined) items.push({ kind: "ReplyBody", body, span: body.span });
    }
    items.sort((a, b) => a.span.offset - b.span.offset);
    return { kind: "StatusReply", status, items, span: this.extent(start, ctx, [status, ...items]) };
  }

  private expectBlock(ctx: Children): TestItem | undefined {
    const start = this.span(ctx, "Kw_expect");
    if (start === undefined) return undefined;
    const items: Expectation[] = [];
    for (const c of this.nodes(ctx, "expectation")) push(items, this.expectation(c));
    return { kind: "ExpectBlock", items, span: this.extent(start, ctx, items) };
  }

  private expectation(ctx: Children): Expectation | undefined {
    const path = this.span(ctx, "Kw_path");
    if (path !== undefined) {
      const widgets: Identifier[] = [];
      for (let i = 0; i < (ctx["Name"]?.length ?? 0); i++) push(widgets, this.ident(ctx, "Name", i));
      return widgets.length === 0
        ? undefined
        : { kind: "PathExpect", widgets, span: cover(path, widgets.at(-1)?.span) };
    }
    const end = this.span(ctx, "Kw_end");
    if (end !== undefined) {
      const widget = this.ident(ctx, "Name");
      return widget && { kind: "EndExpect", widget, span: cover(end, widget.span) };
    }
    const route = this.span(ctx, "Kw_route");
    if (route !== undefined) {
      const queue = this.str(ctx, "StringLiteral");
      return queue && { kind: "RouteExpect", queue, span: cover(route, queue.span) };
    }
    const attempts = this.span(ctx, "Kw_attempts");
    if (attempts !== undefined) {
      const widget = this.ident(ctx, "Name");
      const count = this.num(ctx, "NumberLiteral");
      return widget && count && { kind: "AttemptsExpect", widget, count, span: cover(attempts, count.span) };
    }
    const sent = this.span(ctx, "Kw_sent");
    if (sent !== undefined) {
      const message = this.str(ctx, "StringLiteral");
      return message && { kind: "SentExpect", message, span: cover(sent, message.span) };
    }
    const fail = this.span(ctx, "Kw_fail");
    if (fail !== undefined) return { kind: "FailExpect", span: fail };
    const name = this.ident(ctx, "Name");
    const value = this.value(ctx);
    return name && value && { kind: "VarExpect", name, value, span: cover(name.span, value.span) };
  }
}

function later(a: Span, b: Span): boolean {
  return a.offset + a.length > b.offset + b.length;
}

function push<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}
