// The canonical printer behind `callflow fmt`. It lays out a parsed flow in one fixed style
// and puts every comment back next to the node it was written beside.
//
// The printer first turns the AST into "items" (one per printed line, or per line that
// opens a `{ ... }` block) that remember their source offsets, then hands each comment to
// the item it belongs to, then writes the items out in canonical order.
import type {
  Body,
  Comment,
  Declaration,
  Expr,
  Flow,
  AnySetting,
  KeyValue,
  ResultMapping,
  ResultSource,
  Span,
  Value,
  Widget,
} from "./ast.js";
import { parse } from "./parse.js";
import { assignmentsOf, branchesOf, exitName, exitsOf, settingsOf, specOf } from "./widgets.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";

const INDENT = "  ";

/** A double-quoted string with JSON escapes; `{{...}}` needs none, so it stays as written. */
export function printString(value: string): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- expressions and values

// Loosest first, as in the grammar: or < and < not < comparison < primary.
const enum Prec {
  Or = 1,
  And = 2,
  Not = 3,
  Comparison = 4,
  Primary = 5,
}

function precedence(expr: Expr): Prec {
  switch (expr.kind) {
    case "Binary":
      return expr.op === "or" ? Prec.Or : expr.op === "and" ? Prec.And : Prec.Comparison;
    case "Not":
      return Prec.Not;
    default:
      return Prec.Primary;
  }
}

/** An expression on one line, with parentheses only where precedence needs them. */
export function printExpr(expr: Expr): string {
  switch (expr.kind) {
    case "Binary": {
      const prec = precedence(expr);
      // Comparisons are non-associative and take primaries; and/or are left-associative.
      const leftNeeds = prec === Prec.Comparison ? precedence(expr.left) < Prec.Primary : precedence(expr.left) < prec;
      const rightNeeds =
        prec === Prec.Comparison ? precedence(expr.right) < Prec.Primary : precedence(expr.right) <= prec;
      return `${wrap(expr.left, leftNeeds)} ${expr.op} ${wrap(expr.right, rightNeeds)}`;
    }
    case "Not":
      return `not ${wrap(expr.operand, precedence(expr.operand) < Prec.Not)}`;
    case "Length":
      return `${expr.target.name}.length`;
    default:
      return printScalar(expr);
  }
}

function wrap(expr: Expr, parens: boolean): string {
  return parens ? `(${printExpr(expr)})` : printExpr(expr);
}

/** A value that is not an object or array, as written. */
export function printScalar(value: Exclude<Value, { kind: "Object" | "Array" }>): string {
  switch (value.kind) {
    case "String":
      return printString(value.value);
    case "Number":
      return value.raw;
    case "Boolean":
      return String(value.value);
    case "Null":
      return "null";
    case "VarRef":
      return value.name;
    case "SecretRef":
      return `secret.${value.name}`;
  }
}

/** A value on one line (objects and arrays inline), for diffs and graph labels. */
export function printValueInline(value: Value): string {
  switch (value.kind) {
    case "Object":
      return `{${value.entries.map((e) => `${printString(e.key.value)}: ${printValueInline(e.value)}`).join(", ")}}`;
    case "Array":
      return `[${value.items.map(printValueInline).join(", ")}]`;
    default:
      return printScalar(value);
  }
}

// ---------------------------------------------------------------- items

/** Blank-line policy before an item: always one, one if the source had one, or none. */
type Separation = "force" | "keep" | "none";

interface Block {
  /** Offsets of the opening and closing bracket in the source (-1 / length for the file). */
  readonly open: number;
  readonly close: number;
  readonly openText: string;
  readonly closeText: string;
  /** How the block prints when it holds nothing and no comment: `" {}"`, `" []"` or `""`. */
  readonly emptyText: string;
  readonly items: Item[];
  /** Blank lines between items survive (one at most) only in loose blocks. */
  readonly loose: boolean;
  headerComment: Comment | undefined;
  readonly endComments: Comment[];
}

interface Item {
  readonly start: number;
  readonly end: number;
  readonly head: string;
  readonly block: Block | undefined;
  /** Appended to the last line: a `,` between entries, ` masked` after a default. */
  readonly suffix: string;
  readonly separation: Separation;
  readonly leading: Comment[];
  trailing: Comment | undefined;
}

const end = (span: Span): number => span.offset + span.length;

class Printer {
  /** Comment start offsets, to decide whether a node may print on one line. */
  private readonly commentOffsets: number[];
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly source: string,
    comments: readonly Comment[],
  ) {
    this.commentOffsets = comments.map((c) => c.span.offset).sort((a, b) => a - b);
    for (let i = 0; i < source.length; i++) {
      const ch = source.charCodeAt(i);
      // \r\n, \r and \n all end a line, as in the lexer's position tracking.
      if (ch === 10 || (ch === 13 && source.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
  }

  // -------------------------------------------------------------- source helpers

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** True when the node at `offset` begins its line and the line above is blank. */
  blankBefore(offset: number): boolean {
    const line = this.lineOf(offset);
    if (line === 0) return false;
    const lineStart = this.lineStarts[line] ?? 0;
    if (this.source.slice(lineStart, offset).trim() !== "") return false;
    return this.source.slice(this.lineStarts[line - 1] ?? 0, lineStart).trim() === "";
  }

  hasCommentWithin(start: number, stop: number): boolean {
    return this.commentOffsets.some((o) => o >= start && o < stop);
  }

  /**
   * The offset of the next `{` from `from`, skipping comments; -1 if none. With `wordsAllowed`
   * false, any other token first means there is no brace (a widget written without a body).
   */
  openBraceAfter(from: number, wordsAllowed = false): number {
    let i = from;
    while (i < this.source.length) {
      const ch = this.source[i];
      if (ch === "{") return i;
      if (ch === "#" || (ch === "/" && this.source[i + 1] === "/")) {
        while (i < this.source.length && this.source[i] !== "\n" && this.source[i] !== "\r") i++;
      } else if (wordsAllowed || (ch !== undefined && /\s/.test(ch))) {
        i++;
      } else {
        return -1;
      }
    }
    return -1;
  }

  // -------------------------------------------------------------- builders

  item(span: Span, head: string, separation: Separation = "none", suffix = ""): Item {
    return {
      start: span.offset,
      end: end(span),
      head,
      block: undefined,
      suffix,
      separation,
      leading: [],
      trailing: undefined,
    };
  }

  blockItem(
    span: Span,
    head: string,
    open: number,
    items: Item[],
    options: {
      separation?: Separation;
      suffix?: string;
      emptyText?: string;
      loose?: boolean;
      brackets?: "{}" | "[]";
    } = {},
  ): Item {
    const brackets = options.brackets ?? "{}";
    const block: Block = {
      open,
      close: end(span) - 1,
      openText: brackets[0] ?? "{",
      closeText: brackets[1] ?? "}",
      emptyText: options.emptyText ?? ` ${brackets}`,
      items,
      loose: options.loose ?? false,
      headerComment: undefined,
      endComments: [],
    };
    return {
      start: span.offset,
      end: end(span),
      head,
      block,
      suffix: options.suffix ?? "",
      separation: options.separation ?? "none",
      leading: [],
      trailing: undefined,
    };
  }

  /** `prefix VALUE suffix`, where an object or array value opens a block. */
  valueItem(span: Span, prefix: string, value: Value, suffix = "", separation: Separation = "none"): Item {
    const spaced = prefix === "" || prefix.endsWith(" ") ? prefix : `${prefix} `;
    if (value.kind === "Object") {
      const entries = value.entries.map((entry, i) =>
        this.valueItem(
          entry.span,
          `${printString(entry.key.value)}:`,
          entry.value,
          i < value.entries.length - 1 ? "," : "",
        ),
      );
      return this.blockItem(span, spaced.trimEnd(), value.span.offset, entries, {
        separation,
        suffix,
        emptyText: `${prefix === "" ? "" : " "}{}`,
      });
    }
    if (value.kind === "Array") {
      const inline =
        value.items.every((v) => v.kind !== "Object" && v.kind !== "Array") &&
        !this.hasCommentWithin(value.span.offset, end(value.span));
      if (inline) return this.item(span, spaced + printValueInline(value), separation, suffix);
      const items = value.items.map((v, i) => this.valueItem(v.span, "", v, i < value.items.length - 1 ? "," : ""));
      return this.blockItem(span, spaced.trimEnd(), value.span.offset, items, {
        separation,
        suffix,
        brackets: "[]",
        emptyText: `${prefix === "" ? "" : " "}[]`,
      });
    }
    return this.item(span, spaced + printScalar(value), separation, suffix);
  }

  keyValueBlock(span: Span, head: string, entries: readonly KeyValue[]): Item {
    const items = entries.map((kv) =>
      this.valueItem(kv.span, `${kv.key.quoted ? printString(kv.key.name) : kv.key.name} =`, kv.value),
    );
    return this.blockItem(span, head, this.openBraceAfter(span.offset, true), items);
  }

  declaration(decl: Declaration): Item {
    if (decl.kind === "SecretDecl") return this.item(decl.span, `secret ${decl.name.name}`, "keep");
    const head = `${decl.scope} ${decl.name.name}: ${decl.type.name}`;
    const masked = decl.masked ? " masked" : "";
    return decl.default === undefined
      ? this.item(decl.span, head + masked, "keep")
      : this.valueItem(decl.span, `${head} =`, decl.default, masked, "keep");
  }

  widget(widget: Widget): Item {
    const spec = specOf(widget);
    const header = widget.displayName ?? widget.id;
    const head = `${spec.keyword} ${widget.id.name}${widget.displayName === undefined ? "" : ` ${printString(widget.displayName.value)}`}`;
    const open = this.openBraceAfter(end(header.span));
    const entries = [
      ...branchesOf(widget).map((b) => this.item(b.span, `when ${printExpr(b.condition)} -> ${b.target.name}`)),
      ...assignmentsOf(widget).map((a) => this.valueItem(a.span, `${a.target.name} =`, a.value)),
    ];
    // Settings in the description's order, then exits: the canonical layout.
    const settings = settingsOf(widget);
    const items = [
      ...entries,
      ...spec.settings.flatMap((s) => {
        const setting = settings[s.keyword];
        return setting === undefined ? [] : [this.setting(setting)];
      }),
      ...exitsOf(widget).map((e) => this.item(e.span, `${exitName(e)} -> ${e.target.name}`)),
    ];
    // A widget with one short setting and no comment reads best on one line (`route agents { queue "support" }`).
    const only = items[0];
    if (
      spec.layout === "inline" &&
      items.length === 1 &&
      only?.block === undefined &&
      !this.hasCommentWithin(open, end(widget.span))
    ) {
      return this.item(widget.span, `${head} { ${only?.head ?? ""} }`, "force");
    }
    return this.blockItem(widget.span, head, open, items, {
      separation: "force",
      emptyText: spec.layout === "bare" ? "" : " {}",
    });
  }

  /** `keyword VALUE`, printed as the setting's value kind is written. */
  setting(setting: AnySetting): Item {
    const keyword = setting.keyword;
    switch (setting.valueKind) {
      case "method":
        return this.item(setting.span, `${keyword} ${setting.value.name}`);
      case "value":
        return this.valueItem(setting.span, keyword, setting.value);
      case "string":
      case "plainString":
        return this.item(setting.span, `${keyword} ${printString(setting.value.value)}`);
      case "count":
        return this.item(setting.span, `${keyword} ${setting.value.raw}`);
      case "duration":
        return this.item(setting.span, `${keyword} ${setting.value.raw}`);
      case "flag":
        return this.item(setting.span, `${keyword} ${String(setting.value.value)}`);
      case "keyValues":
        return this.keyValueBlock(setting.span, keyword, setting.value.entries);
      case "body":
        return this.body(setting.span, keyword, setting.value);
      case "results":
        return this.results(setting.span, keyword, setting.value.mappings);
    }
  }

  body(span: Span, keyword: string, body: Body): Item {
    switch (body.kind) {
      case "JsonBody":
        return this.valueItem(span, `${keyword} json`, body.value);
      case "FormBody":
        return this.keyValueBlock(span, `${keyword} form`, body.entries);
      case "TextBody":
        return this.item(span, `${keyword} text ${printString(body.value.value)}`);
    }
  }

  /** Result mappings with their `->` aligned one space after the longest source. */
  results(span: Span, keyword: string, mappings: readonly ResultMapping[]): Item {
    const sources = mappings.map((m) => printSource(m.source));
    const width = Math.max(0, ...sources.map((s) => s.length));
    const items = mappings.map((m, i) => this.item(m.span, `${(sources[i] ?? "").padEnd(width)} -> ${m.target.name}`));
    return this.blockItem(span, keyword, this.openBraceAfter(span.offset, true), items);
  }

  flow(flow: Flow): Item {
    const header = flow.displayName ?? flow.id;
    const head = `flow ${flow.id.name}${flow.displayName === undefined ? "" : ` ${printString(flow.displayName.value)}`}`;
    // Declarations first (in source order, blank-line groups kept), then start, then widgets.
    const items = [
      ...flow.declarations.map((d) => this.declaration(d)),
      ...(flow.start === undefined ? [] : [this.item(flow.start.span, `start -> ${flow.start.target.name}`, "force")]),
      ...flow.widgets.map((w) => this.widget(w)),
    ];
    return this.blockItem(flow.span, head, this.openBraceAfter(end(header.span)), items, { loose: true });
  }

  // -------------------------------------------------------------- comments

  /** Hands each comment (sorted, all inside `block`) to the item it belongs to. */
  attach(block: Block, comments: readonly Comment[]): void {
    const bySource = [...block.items].sort((a, b) => a.start - b.start);
    const inner = new Map<Block, Comment[]>();
    for (const comment of comments) {
      const at = comment.span.offset;
      const owner = bySource.find((it) => it.start <= at && at < it.end);
      if (owner !== undefined) {
        const sub = owner.block;
        if (sub !== undefined && sub.open >= 0 && sub.open < at && at < sub.close) {
          const list = inner.get(sub) ?? [];
          list.push(comment);
          inner.set(sub, list);
        } else {
          // Inside a one-line construct (an expression split over lines): keep it just above.
          owner.leading.push(comment);
        }
        continue;
      }
      const prev = bySource.findLast((it) => it.end <= at);
      const next = bySource.find((it) => it.start > at);
      const line = this.lineOf(at);
      if (prev !== undefined && prev.trailing === undefined && this.lineOf(prev.end - 1) === line) {
        prev.trailing = comment;
      } else if (
        prev === undefined &&
        block.open >= 0 &&
        block.headerComment === undefined &&
        this.lineOf(block.open) === line
      ) {
        block.headerComment = comment;
      } else if (next !== undefined) {
        next.leading.push(comment);
      } else {
        block.endComments.push(comment);
      }
    }
    for (const [sub, list] of inner) this.attach(sub, list);
  }

  // -------------------------------------------------------------- output

  writeBlock(block: Block, indent: string, out: string[]): void {
    let first = true;
    const separate = (offset: number, forced: boolean): void => {
      if (!first && (forced || (block.loose && this.blankBefore(offset)))) out.push("");
      first = false;
    };
    for (const item of block.items) {
      item.leading.forEach((comment, i) => {
        separate(comment.span.offset, i === 0 && item.separation === "force");
        out.push(indent + comment.text);
      });
      separate(item.start, item.leading.length === 0 && item.separation === "force");
      this.writeItem(item, indent, out);
    }
    for (const comment of block.endComments) {
      separate(comment.span.offset, false);
      out.push(indent + comment.text);
    }
  }

  writeItem(item: Item, indent: string, out: string[]): void {
    const trailing = item.trailing === undefined ? "" : ` ${item.trailing.text}`;
    const block = item.block;
    if (block === undefined) {
      out.push(indent + item.head + item.suffix + trailing);
      return;
    }
    if (block.items.length === 0 && block.headerComment === undefined && block.endComments.length === 0) {
      out.push(indent + item.head + block.emptyText + item.suffix + trailing);
      return;
    }
    const header = block.headerComment === undefined ? "" : ` ${block.headerComment.text}`;
    out.push(indent + (item.head === "" ? "" : `${item.head} `) + block.openText + header);
    this.writeBlock(block, indent + INDENT, out);
    out.push(indent + block.closeText + item.suffix + trailing);
  }
}

function printSource(source: ResultSource): string {
  switch (source.kind) {
    case "JsonPathSource":
      return printString(source.path.value);
    case "StatusSource":
      return "status";
    case "HeaderSource":
      return `header ${printString(source.name.value)}`;
  }
}

/**
 * Prints `flow` in canonical layout. `comments` and `source` are what the parser returned
 * and read: comments are placed by their source positions. The result ends with a newline.
 */
export function format(flow: Flow, comments: readonly Comment[], source: string): string {
  const printer = new Printer(source, comments);
  const file: Block = {
    open: -1,
    close: source.length,
    openText: "",
    closeText: "",
    emptyText: "",
    items: [printer.flow(flow)],
    loose: true,
    headerComment: undefined,
    endComments: [],
  };
  printer.attach(
    file,
    [...comments].sort((a, b) => a.span.offset - b.span.offset),
  );
  const out: string[] = [];
  printer.writeBlock(file, "", out);
  return out.join("\n") + "\n";
}

/**
 * A copy of an AST node without its spans and with keys sorted, so trees built from
 * differently laid-out text compare equal with `JSON.stringify` or `toEqual`.
 */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    if (key !== "span") out[key] = withoutSpans((node as Record<string, unknown>)[key]);
  }
  return out;
}

/** Thrown when formatted text would not read back as the same flow: a printer bug, never written out. */
export class FormatError extends Error {}

export interface FormatResult {
  /** The formatted text; undefined when the source has syntax errors. */
  readonly text: string | undefined;
  /** Syntax diagnostics (errors and warnings) of the source. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses and formats one file. A file with syntax errors is not formatted. The result is
 * parsed again and compared with the original tree and comments, so a printer bug can
 * never change what a flow means or drop a comment.
 */
export function formatSource(source: string, file: string): FormatResult {
  const parsed = parse(source, file);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics))
    return { text: undefined, diagnostics: parsed.diagnostics };
  const text = format(parsed.flow, parsed.comments, source);
  const again = parse(text, file);
  const same =
    again.flow !== undefined &&
    !hasErrors(again.diagnostics) &&
    JSON.stringify(withoutSpans(again.flow)) === JSON.stringify(withoutSpans(parsed.flow)) &&
    // Comments move with their nodes when settings are reordered, so compare them as a multiset.
    JSON.stringify(again.comments.map((c) => c.text).sort()) ===
      JSON.stringify(parsed.comments.map((c) => c.text).sort());
  if (!same)
    throw new FormatError(`${file}: the formatted text would not parse to the same flow; the file was left unchanged.`);
  return { text, diagnostics: parsed.diagnostics };
}
