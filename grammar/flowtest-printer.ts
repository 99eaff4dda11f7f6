// The canonical layout of .flowtest files, for `callflow fmt` and for recorded tests. A block the
// author wrote on one line stays on one line (items two spaces apart) unless a comment is inside
// it; any other block prints one item per line. Values print on one line, JSON-style. Comments
// are kept: on their own line before what follows them, or after what they trailed.
import type { Body, Comment, Span, Value } from "./ast.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import type { Expectation, FlowTestFile, Reply, ReplyItem, RequestItem, TestItem } from "./flowtest-ast.js";
import { parseFlowTest } from "./flowtest-build.js";
import { printScalar, printString } from "./printer.js";
import { SourcePositions } from "./spans.js";

const INDENT = "  ";

/** A value on one line: `{ "a": [1, 2] }`, names and `secret.X` as written. */
export function printTestValue(value: Value): string {
  switch (value.kind) {
    case "Object":
      return value.entries.length === 0
        ? "{}"
        : `{ ${value.entries.map((e) => `${printString(e.key.value)}: ${printTestValue(e.value)}`).join(", ")} }`;
    case "Array":
      return `[${value.items.map(printTestValue).join(", ")}]`;
    default:
      return printScalar(value);
  }
}

/** A line, or a `head {` block of nodes; `span` places it among the comments. */
interface Node {
  readonly span: Span;
  readonly text: string;
  readonly children?: readonly Node[];
}

const leaf = (span: Span, text: string): Node => ({ span, text });
const block = (span: Span, text: string, children: readonly Node[]): Node => ({ span, text, children });

function body(b: Body): string {
  switch (b.kind) {
    case "JsonBody":
      return `json ${printTestValue(b.value)}`;
    case "TextBody":
      return `text ${printString(b.value.value)}`;
    case "FormBody": {
      const entries = b.entries.map(
        (e) => `${e.key.quoted ? printString(e.key.name) : e.key.name} = ${printTestValue(e.value)}`,
      );
      return entries.length === 0 ? "form {}" : `form { ${entries.join("  ")} }`;
    }
  }
}

function requestItem(item: RequestItem): Node {
  switch (item.kind) {
    case "MethodAssertion":
      return leaf(item.span, `method ${item.name.name}`);
    case "UrlAssertion":
      return leaf(item.span, `url ${printString(item.url.value)}`);
    case "HeaderEntry":
      return leaf(item.span, `header ${printString(item.name.value)} = ${printString(item.value.value)}`);
    case "BodyAssertion":
      return leaf(item.span, `body ${body(item.body)}`);
  }
}

function replyItem(item: ReplyItem): Node {
  return item.kind === "HeaderEntry"
    ? leaf(item.span, `header ${printString(item.name.value)} = ${printString(item.value.value)}`)
    : leaf(item.span, body(item.body));
}

function reply(item: Reply): Node {
  if (item.kind === "FailureReply") return leaf(item.span, `reply ${item.failure}`);
  const head = `reply ${item.status.raw}`;
  return item.items === undefined ? leaf(item.span, head) : block(item.span, head, item.items.map(replyItem));
}

function expectation(item: Expectation): Node {
  switch (item.kind) {
    case "PathExpect":
      return leaf(item.span, `path ${item.widgets.map((w) => w.name).join(", ")}`);
    case "EndExpect":
      return leaf(item.span, `end ${item.widget.name}`);
    case "RouteExpect":
      return leaf(item.span, `route ${printString(item.queue.value)}`);
    case "FailExpect":
      return leaf(item.span, "fail");
    case "AttemptsExpect":
      return leaf(item.span, `attempts ${item.widget.name} = ${item.count.raw}`);
    case "SentExpect":
      return leaf(item.span, `sent ${printString(item.message.value)}`);
    case "VarExpect":
      return leaf(item.span, `${item.name.name} = ${printTestValue(item.value)}`);
  }
}

function testItem(item: TestItem): Node {
  switch (item.kind) {
    case "InputBlock":
      return block(
        item.span,
        item.keyword,
        item.entries.map((e) => leaf(e.span, `${e.name.name} = ${printTestValue(e.value)}`)),
      );
    case "Mock":
      return block(
        item.span,
        `mock ${item.widget.name}`,
        item.items.map((i) =>
          i.kind === "RequestBlock" ? block(i.span, "request", i.items.map(requestItem)) : reply(i),
        ),
      );
    case "ExpectBlock":
      return block(item.span, "expect", item.items.map(expectation));
  }
}

class Writer {
  readonly out: string[] = [];
  /** The source line where the last printed node ended, for trailing comments. */
  private lastLine = -1;
  private next = 0;

  private readonly positions: SourcePositions;

  constructor(
    source: string,
    private readonly comments: readonly Comment[],
  ) {
    this.positions = new SourcePositions("", source);
  }

  private lineOf(offset: number): number {
    return this.positions.line(offset);
  }

  /** Comments before `offset`: a trailing one joins the last line, the others get their own. */
  flush(offset: number, indent: string): void {
    while (this.next < this.comments.length && this.comments[this.next]!.span.offset < offset) {
      const comment = this.comments[this.next++]!;
      if (comment.span.line === this.lastLine && this.out.length > 0)
        this.out[this.out.length - 1] += ` ${comment.text}`;
      else this.out.push(indent + comment.text);
    }
  }

  private hasComment(span: Span): boolean {
    return this.comments.some((c) => c.span.offset > span.offset && c.span.offset < span.offset + span.length);
  }

  /** Whether a node prints on one line: a leaf, or a block written on one line with no comment inside. */
  private inline(node: Node): boolean {
    if (node.children === undefined) return true;
    const end = node.span.offset + node.span.length;
    return (
      this.lineOf(end) === node.span.line && !this.hasComment(node.span) && node.children.every((c) => this.inline(c))
    );
  }

  private oneLine(node: Node): string {
    if (node.children === undefined) return node.text;
    return node.children.length === 0
      ? `${node.text} {}`
      : `${node.text} { ${node.children.map((c) => this.oneLine(c)).join("  ")} }`;
  }

  node(node: Node, indent: string): void {
    this.flush(node.span.offset, indent);
    const end = node.span.offset + node.span.length;
    if (this.inline(node)) {
      this.out.push(indent + this.oneLine(node));
    } else {
      this.out.push(`${indent}${node.text} {`);
      this.lastLine = node.span.line;
      for (const child of node.children ?? []) this.node(child, indent + INDENT);
      this.flush(end, indent + INDENT);
      this.out.push(`${indent}}`);
    }
    this.lastLine = this.lineOf(end);
  }
}

/** The file in canonical layout, with its comments. */
export function printFlowTest(file: FlowTestFile, comments: readonly Comment[], source: string): string {
  const writer = new Writer(source, comments);
  writer.flush(file.target.span.offset, "");
  writer.out.push(`tests for ${printString(file.target.value)}`);
  for (const test of file.tests) {
    writer.out.push("");
    writer.node(block(test.span, `test ${printString(test.name.value)}`, test.items.map(testItem)), "");
  }
  writer.flush(Number.POSITIVE_INFINITY, "");
  return writer.out.join("\n") + "\n";
}

export interface FlowTestFormatResult {
  /** Undefined when the file has syntax errors. */
  readonly text: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export function formatFlowTest(source: string, file: string): FlowTestFormatResult {
  const parsed = parseFlowTest(source, file);
  if (parsed.file === undefined || hasErrors(parsed.diagnostics))
    return { text: undefined, diagnostics: parsed.diagnostics };
  return { text: printFlowTest(parsed.file, parsed.comments, source), diagnostics: parsed.diagnostics };
}
