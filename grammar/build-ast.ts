// CST → AST. After error recovery a CST node may lack any child, whatever the generated
// typings say; a node missing a required part is skipped (its syntax error is already
// reported) so the AST only ever holds complete nodes.
//
// Rule methods call each other directly rather than through `visit` (a lookup by rule
// name per node): this is on the hot path of every parse.
import type { CstNode, IToken } from "chevrotain";
import type {
  AnySetting,
  ArrayValue,
  Assignment,
  Body,
  ConditionWidget,
  Declaration,
  Duration,
  Exit,
  ExitLabel,
  HttpWidget,
  Expr,
  Flow,
  Identifier,
  Key,
  KeyValue,
  Literal,
  NumberLiteral,
  ObjectEntry,
  ObjectValue,
  ResultMapping,
  ResultSource,
  SecretDecl,
  SetWidget,
  SettingValues,
  Span,
  StatusExit,
  StatusMatch,
  StringLiteral,
  Value,
  VarDecl,
  VarRef,
  WhenBranch,
  Widget,
} from "./ast.js";
import type * as cst from "./cst.js";
import { diagnostic } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import { WIDGETS, type SettingSpec, type WidgetSpec } from "./language.js";
import { MAX_EXPRESSION_TERMS } from "./limits.js";
import { cover, later, SourcePositions } from "./spans.js";
import { decodeString } from "./strings.js";
import * as t from "./tokens.js";

/** Children as they may really be after recovery: any of them can be absent. */
type Ctx<T> = { readonly [K in keyof T]?: T[K] };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Block<T> {
  readonly items: T[];
  readonly span: Span;
}

type ComparisonOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains";

/** The children of the first node in a child list, if any. */
function first<C>(nodes: readonly { readonly children: C }[] | undefined): Ctx<C> | undefined {
  return nodes?.[0]?.children;
}

/** The children of a rule made from the language description (see parser.ts), by name. */
type Children = Readonly<Record<string, readonly (CstNode | IToken)[] | undefined>>;

function tokens(ctx: Children, name: string): readonly IToken[] | undefined {
  return ctx[name] as readonly IToken[] | undefined;
}

function nodes(ctx: Children, name: string): readonly { readonly children: Children }[] | undefined {
  return ctx[name] as readonly CstNode[] | undefined;
}

/** The parser's name for a setting's rule: `content_type` → `contentTypeSetting`. */
function settingRuleName(keyword: string): string {
  return `${keyword.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}Setting`;
}

/** Widget descriptions by the name of their rule (`httpWidget`). */
const widgetRules: ReadonlyMap<string, WidgetSpec> = new Map(
  Object.values(WIDGETS).map((spec) => [`${spec.keyword}Widget`, spec]),
);

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds of a duration written as in a flow (`250ms`, `5s`, `2m`), or undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m)$/.exec(text);
  return match === null ? undefined : Number(match[1]) * (units[match[2] as string] as number);
}

/** Reused across parses; `begin` resets the per-file state. */
class AstBuilder implements FlowAstBuilder {
  private positions = new SourcePositions("", "");
  private strings: ReadonlyMap<IToken, StringLiteral> = new Map();
  private diagnostics: Diagnostic[] = [];
  // The flow's items, built as the parser hands them over, in source order.
  private declarations: Declaration[] = [];
  private widgets: Widget[] = [];
  private starts: Exit[] = [];

  begin(positions: SourcePositions, strings: ReadonlyMap<IToken, StringLiteral>, diagnostics: Diagnostic[]): void {
    this.positions = positions;
    this.strings = strings;
    this.diagnostics = diagnostics;
    this.declarations = [];
    this.widgets = [];
    this.starts = [];
  }

  item(node: CstNode): void {
    // Children are typed by the rule named in `node.name`.
    const children = node.children as never;
    switch (node.name) {
      case "varDecl":
        return push(this.declarations, this.varDecl(children));
      case "secretDecl":
        return push(this.declarations, this.secretDecl(children));
      case "startExit":
        return push(this.starts, this.startExit(children));
      default: {
        const spec = widgetRules.get(node.name);
        if (spec !== undefined) push(this.widgets, this.widget(spec, node.children as Children));
      }
    }
  }

  finish(root: CstNode): Flow | undefined {
    return this.file(root.children as Ctx<cst.FileCstChildren>);
  }

  // ---------------------------------------------------------------- tokens

  /** A token that is really in the source (not one invented by recovery). */
  private tok(tokens: readonly IToken[] | undefined): IToken | undefined {
    const token = tokens?.[0];
    return token === undefined || token.isInsertedInRecovery === true ? undefined : token;
  }

  private span(tokens: readonly IToken[] | undefined): Span | undefined {
    const token = this.tok(tokens);
    return token === undefined ? undefined : this.positions.token(token);
  }

  private ident(tokens: readonly IToken[] | undefined): Identifier | undefined {
    const token = this.tok(tokens);
    return token === undefined
      ? undefined
      : { kind: "Identifier", name: token.image, span: this.positions.token(token) };
  }

  private str(tokens: readonly IToken[] | undefined): StringLiteral | undefined {
    const token = this.tok(tokens);
    if (token === undefined) return undefined;
    // parse() decodes (and checks) every string token but the plain ones up front.
    return this.strings.get(token) ?? decodeString(this.positions, token, []);
  }

  private num(tokens: readonly IToken[] | undefined): NumberLiteral | undefined {
    const token = this.tok(tokens);
    if (token === undefined || token.tokenType === t.BadNumber) return undefined;
    const value = Number(token.image);
    // Out-of-range numbers are reported by parse() (CF1010).
    if (!Number.isFinite(value)) return undefined;
    return { kind: "Number", value, raw: token.image, span: this.positions.token(token) };
  }

  private exit(
    label: ExitLabel,
    keyword: readonly IToken[] | undefined,
    name: readonly IToken[] | undefined,
  ): Exit | undefined {
    const start = this.span(keyword);
    const target = this.ident(name);
    if (start === undefined || target === undefined) return undefined;
    return { kind: "Exit", label, target, span: cover(start, target.span) };
  }

  /** Keeps the first of a setting that may appear once; reports the others (CF1007). */
  private once<T extends { readonly span: Span }>(
    current: T | undefined,
    next: T,
    setting: string,
    widget: Identifier,
  ): T {
    if (current === undefined) return next;
    this.diagnostics.push(
      diagnostic("duplicateSetting", next.span, [setting, widget.name], "remove one: only the first counts", [
        { span: current.span, message: `the first '${setting}' of '${widget.name}'` },
      ]),
    );
    return current;
  }

  /** The settings of one kind, in order, with duplicates reported; undefined when absent. */
  private single<C, T extends { readonly span: Span }>(
    nodes: readonly { readonly children: C }[] | undefined,
    build: (ctx: Ctx<C>) => T | undefined,
    setting: string,
    widget: Identifier,
  ): T | undefined {
    let kept: T | undefined;
    for (const node of nodes ?? []) {
      const built = build.call(this, node.children);
      if (built !== undefined) kept = this.once(kept, built, setting, widget);
    }
    return kept;
  }

  /** The common part of every widget: keyword, id, optional display name, span up to the block's end. */
  private widgetBase(
    ctx: Ctx<{ Name: IToken[]; StringLiteral?: IToken[]; RCurly?: IToken[] }>,
    keyword: readonly IToken[] | undefined,
  ): Mutable<{ id: Identifier; displayName?: StringLiteral; span: Span }> | undefined {
    const start = this.span(keyword);
    const id = this.ident(ctx.Name);
    if (start === undefined || id === undefined) return undefined;
    const displayName = this.str(ctx.StringLiteral);
    const end = later(later(id.span, displayName?.span), this.span(ctx.RCurly));
    const base: Mutable<{ id: Identifier; displayName?: StringLiteral; span: Span }> = { id, span: cover(start, end) };
    if (displayName !== undefined) base.displayName = displayName;
    return base;
  }

  /** Extends a widget's span to cover its settings when recovery lost the closing brace. */
  private extend(base: { span: Span }, settings: readonly ({ readonly span: Span } | undefined)[]): void {
    let end: Span | undefined = base.span;
    for (const setting of settings) end = later(end, setting?.span);
    base.span = cover(base.span, end);
  }

  // ---------------------------------------------------------------- file and declarations

  file(ctx: Ctx<cst.FileCstChildren>): Flow | undefined {
    return this.flow(first(ctx.flow));
  }

  flow(ctx: Ctx<cst.FlowCstChildren> | undefined): Flow | undefined {
    if (ctx === undefined) return undefined;
    const start = this.span(ctx.Kw_flow);
    const id = this.ident(ctx.Name);
    if (start === undefined || id === undefined) return undefined;
    const displayName = this.str(ctx.StringLiteral);
    // The items were handed over while parsing (see FlowParser.parseTokens).
    const { declarations, widgets } = this;
    let startExit: Exit | undefined;
    for (const exit of this.starts) startExit = this.once(startExit, exit, "start", id);
    let end = later(later(id.span, displayName?.span), this.span(ctx.RCurly));
    end = later(later(end, declarations.at(-1)?.span), later(widgets.at(-1)?.span, startExit?.span));

    const flow: Mutable<Flow> = { kind: "Flow", id, declarations, widgets, span: cover(start, end) };
    if (displayName !== undefined) flow.displayName = displayName;
    if (startExit !== undefined) flow.start = startExit;
    return flow;
  }

  varDecl(ctx: Ctx<cst.VarDeclCstChildren>): VarDecl | undefined {
    const scopeToken = this.tok(ctx.Kw_global) ?? this.tok(ctx.Kw_local) ?? this.tok(ctx.Kw_config);
    const name = this.ident(ctx.Name);
    const typeToken = this.tok(ctx.type);
    if (scopeToken === undefined || name === undefined || typeToken === undefined) return undefined;
    const typeSpan = this.positions.token(typeToken);
    const defaultValue = this.value(first(ctx.value));
    const masked = this.span(ctx.Kw_masked);
    const decl: Mutable<VarDecl> = {
      kind: "VarDecl",
      scope: scopeToken.image === "global" ? "global" : scopeToken.image === "config" ? "config" : "local",
      name,
      type: { kind: "TypeRef", name: typeToken.image, span: typeSpan },
      masked: masked !== undefined,
      span: cover(this.positions.token(scopeToken), later(later(typeSpan, defaultValue?.span), masked)),
    };
    if (defaultValue !== undefined) decl.default = defaultValue;
    return decl;
  }

  secretDecl(ctx: Ctx<cst.SecretDeclCstChildren>): SecretDecl | undefined {
    const start = this.span(ctx.Kw_secret);
    const name = this.ident(ctx.Name);
    if (start === undefined || name === undefined) return undefined;
    return { kind: "SecretDecl", name, span: cover(start, name.span) };
  }

  startExit(ctx: Ctx<cst.StartExitCstChildren>): Exit | undefined {
    return this.exit("start", ctx.Kw_start, ctx.Name);
  }

  // ---------------------------------------------------------------- widgets

  /** Any widget: its settings, exits and entries are read as the language description says. */
  widget(spec: WidgetSpec, ctx: Children): Widget | undefined {
    const base = this.widgetBase(ctx, tokens(ctx, `Kw_${spec.keyword}`));
    if (base === undefined) return undefined;
    const id = base.id;
    const settings: Record<string, AnySetting> = {};
    const exits: Record<string, Exit> = {};
    const parts: ({ readonly span: Span } | undefined)[] = [];
    for (const setting of spec.settings) {
      const kept = this.single(
        nodes(ctx, settingRuleName(setting.keyword)),
        (c) => this.setting(setting, c),
        setting.keyword,
        id,
      );
      if (kept !== undefined) settings[setting.keyword] = kept;
      parts.push(kept);
    }
    for (const exit of spec.exits) {
      const kept = this.single(nodes(ctx, `${exit.label}Exit`), (c) => this.exitOf(exit.label, c), exit.label, id);
      if (kept !== undefined) exits[exit.label] = kept;
      parts.push(kept);
    }
    const branches: WhenBranch[] = [];
    const assignments: Assignment[] = [];
    const statusExits: StatusExit[] = [];
    if (spec.entries === "statusExits") {
      for (const node of nodes(ctx, "statusExit") ?? []) push(statusExits, this.statusExit(node.children));
    } else if (spec.entries === "branches") {
      for (const node of nodes(ctx, "whenBranch") ?? []) push(branches, this.whenBranch(node.children));
    } else if (spec.entries === "assignments") {
      let next: Exit | undefined;
      for (const node of nodes(ctx, "setEntry") ?? []) {
        const entry = this.setEntry(node.children);
        if (entry?.kind === "Assignment") assignments.push(entry);
        else if (entry !== undefined) next = this.once(next, entry, "next", id);
      }
      if (next !== undefined) exits["next"] = next;
      parts.push(next);
    }
    // Recovery lost the closing brace: the widget spans what it holds.
    if (this.tok(tokens(ctx, "RCurly")) === undefined)
      this.extend(base, [...parts, ...branches, ...assignments, ...statusExits]);
    // The node's kind and fields are the description's; its settings and exits are typed from the same entry.
    if (spec.entries === "branches")
      return { ...base, kind: "ConditionWidget", branches, settings, exits } as ConditionWidget;
    if (spec.entries === "assignments")
      return { ...base, kind: "SetWidget", assignments, settings, exits } as SetWidget;
    if (spec.entries === "statusExits")
      return { ...base, kind: "HttpWidget", statusExits, settings, exits } as HttpWidget;
    return { ...base, kind: spec.kind, settings, exits } as Widget;
  }

  /** `keyword VALUE`, with the value read as the setting's value kind says. */
  private setting(spec: SettingSpec, ctx: Children): AnySetting | undefined {
    const start = this.span(tokens(ctx, `Kw_${spec.keyword}`));
    if (start === undefined) return undefined;
    const make = <K extends AnySetting["valueKind"]>(valueKind: K, value: SettingValues[K] | undefined) =>
      value === undefined
        ? undefined
        : ({ kind: "Setting", keyword: spec.keyword, valueKind, value, span: cover(start, value.span) } as AnySetting);
    switch (spec.value) {
      case "method": {
        const name = this.ident(tokens(ctx, "Name"));
        return make("method", name && { kind: "MethodName", name: name.name, span: name.span });
      }
      case "value":
        return make("value", this.value(first(nodes(ctx, "value"))));
      case "string":
      case "plainString":
        return make(spec.value, this.str(tokens(ctx, "StringLiteral")));
      case "count":
        return make("count", this.num(tokens(ctx, "NumberLiteral")));
      case "duration": {
        const token = this.tok(tokens(ctx, "Duration"));
        return make("duration", token && durationOf(token, this.positions.token(token)));
      }
      case "flag": {
        const truth = this.span(tokens(ctx, "True"));
        const falsity = this.span(tokens(ctx, "False"));
        const span = truth ?? falsity;
        return make("flag", span && { kind: "Boolean", value: truth !== undefined, span });
      }
      case "keyValues": {
        const block = this.keyValueBlock(first(nodes(ctx, "keyValueBlock")));
        return make("keyValues", block && { kind: "KeyValueBlock", entries: block.items, span: block.span });
      }
      case "body": {
        const body = first(nodes(ctx, "body"));
        return make("body", body && this.body(body, start));
      }
      case "results": {
        const mappings: ResultMapping[] = [];
        for (const node of nodes(ctx, "resultMapping") ?? []) push(mappings, this.resultMapping(node.children));
        const open = this.span(tokens(ctx, "LCurly"));
        const end = later(later(open, mappings.at(-1)?.span), this.span(tokens(ctx, "RCurly")));
        const span = open === undefined ? (end === undefined ? undefined : cover(end, end)) : cover(open, end);
        // A results keyword whose block recovery dropped still counts, ending at the keyword.
        return make("results", { kind: "ResultsBlock", mappings, span: span ?? start });
      }
    }
  }

  /** A body rule's node; its span starts at `start`, else at its json, form or text keyword. */
  body(ctx: Children, start?: Span): Body | undefined {
    start ??= this.span(tokens(ctx, "Kw_json") ?? tokens(ctx, "Kw_form") ?? tokens(ctx, "Kw_text"));
    if (start === undefined) return undefined;
    if (ctx["Kw_json"] !== undefined) {
      const value = this.value(first(nodes(ctx, "value")));
      return value && { kind: "JsonBody", value, span: cover(start, value.span) };
    }
    if (ctx["Kw_form"] !== undefined) {
      const block = this.keyValueBlock(first(nodes(ctx, "keyValueBlock")));
      return block && { kind: "FormBody", entries: block.items, span: cover(start, block.span) };
    }
    const text = this.str(tokens(ctx, "StringLiteral"));
    return text && { kind: "TextBody", value: text, span: cover(start, text.span) };
  }

  private exitOf(label: ExitLabel, ctx: Children): Exit | undefined {
    return this.exit(label, tokens(ctx, `Kw_${label}`), tokens(ctx, "Name"));
  }

  resultMapping(ctx: Ctx<cst.ResultMappingCstChildren>): ResultMapping | undefined {
    const target = this.ident(ctx.Name);
    const source = this.resultSource(ctx);
    if (source === undefined || target === undefined) return undefined;
    return { kind: "ResultMapping", source, target, span: cover(source.span, target.span) };
  }

  private resultSource(ctx: Ctx<cst.ResultMappingCstChildren>): ResultSource | undefined {
    const path = this.str(ctx.StringLiteral);
    if (path !== undefined) return { kind: "JsonPathSource", path, span: path.span };
    const status = this.span(ctx.Kw_status);
    if (status !== undefined) return { kind: "StatusSource", span: status };
    const header = this.span(ctx.Kw_header);
    const name = this.str(ctx.headerName);
    if (header === undefined || name === undefined) return undefined;
    return { kind: "HeaderSource", name, span: cover(header, name.span) };
  }

  keyValueBlock(ctx: Ctx<cst.KeyValueBlockCstChildren> | undefined): Block<KeyValue> | undefined {
    const start = this.span(ctx?.LCurly);
    if (ctx === undefined || start === undefined) return undefined;
    const items: KeyValue[] = [];
    for (const node of ctx.keyValue ?? []) push(items, this.keyValue(node.children));
    return { items, span: cover(start, later(items.at(-1)?.span, this.span(ctx.RCurly))) };
  }

  keyValue(ctx: Ctx<cst.KeyValueCstChildren>): KeyValue | undefined {
    const key = this.key(ctx);
    const value = this.value(first(ctx.value));
    if (key === undefined || value === undefined) return undefined;
    return { kind: "KeyValue", key, value, span: cover(key.span, value.span) };
  }

  private key(ctx: Ctx<cst.KeyValueCstChildren>): Key | undefined {
    const name = this.ident(ctx.Name);
    if (name !== undefined) return { kind: "Key", name: name.name, quoted: false, span: name.span };
    const quoted = this.str(ctx.StringLiteral);
    return quoted && { kind: "Key", name: quoted.value, quoted: true, span: quoted.span };
  }

  whenBranch(ctx: Ctx<cst.WhenBranchCstChildren>): WhenBranch | undefined {
    const start = this.span(ctx.Kw_when);
    const condition = this.orExpr(first(ctx.orExpr));
    const target = this.ident(ctx.Name);
    if (start === undefined || condition === undefined || target === undefined) return undefined;
    if (termsOver(condition, MAX_EXPRESSION_TERMS)) {
      this.diagnostics.push(diagnostic("expressionTooLarge", condition.span, [MAX_EXPRESSION_TERMS]));
      return undefined;
    }
    return { kind: "When", condition, target, span: cover(start, target.span) };
  }

  statusExit(ctx: Ctx<cst.StatusExitCstChildren>): StatusExit | undefined {
    const start = this.span(ctx.Kw_on);
    const target = this.ident(ctx.Name);
    const statuses: StatusMatch[] = [];
    for (const node of ctx.statusMatch ?? []) {
      const token = this.tok(Object.values(node.children).flat() as IToken[]);
      if (token !== undefined)
        statuses.push({ kind: "StatusMatch", text: token.image, span: this.positions.token(token) });
    }
    if (start === undefined || target === undefined || statuses.length === 0) return undefined;
    return { kind: "StatusExit", label: "on", statuses, target, span: cover(start, target.span) };
  }

  setEntry(ctx: Ctx<cst.SetEntryCstChildren>): Assignment | Exit | undefined {
    const next = first(ctx.nextExit);
    return next !== undefined ? this.exitOf("next", next as Children) : this.assignment(first(ctx.assignment));
  }

  assignment(ctx: Ctx<cst.AssignmentCstChildren> | undefined): Assignment | undefined {
    const target = this.ident(ctx?.Name);
    const value = this.value(first(ctx?.value));
    if (target === undefined || value === undefined) return undefined;
    return { kind: "Assignment", target, value, span: cover(target.span, value.span) };
  }

  // ---------------------------------------------------------------- values

  value(ctx: Ctx<cst.ValueCstChildren> | undefined): Value | undefined {
    if (ctx === undefined) return undefined;
    if (ctx.Kw_secret !== undefined) {
      const start = this.span(ctx.Kw_secret);
      const name = this.ident(ctx.secretName);
      if (start === undefined || name === undefined) return undefined;
      return { kind: "SecretRef", name: name.name, span: cover(start, name.span) };
    }
    if (ctx.object !== undefined) return this.object(first(ctx.object));
    if (ctx.array !== undefined) return this.array(first(ctx.array));
    const value = this.literalOrName(ctx);
    const length = this.span(ctx.Kw_length);
    if (value?.kind === "VarRef" && length !== undefined)
      this.diagnostics.push(
        diagnostic(
          "lengthOutsideCondition",
          cover(value.span, length),
          [value.name],
          `compare it in a condition, for example \`when ${value.name}.length > 0 -> ...\``,
        ),
      );
    return value;
  }

  /** The single-token alternatives shared by values and expression primaries. */
  private literalOrName(ctx: Ctx<cst.PrimaryCstChildren>): Literal | VarRef | undefined {
    if (ctx.StringLiteral !== undefined) return this.str(ctx.StringLiteral);
    if (ctx.NumberLiteral !== undefined) return this.num(ctx.NumberLiteral);
    if (ctx.Name !== undefined) {
      const name = this.ident(ctx.Name);
      return name && { kind: "VarRef", name: name.name, span: name.span };
    }
    const truth = this.span(ctx.True);
    if (truth !== undefined) return { kind: "Boolean", value: true, span: truth };
    const falsity = this.span(ctx.False);
    if (falsity !== undefined) return { kind: "Boolean", value: false, span: falsity };
    const nil = this.span(ctx.Null);
    return nil && { kind: "Null", span: nil };
  }

  object(ctx: Ctx<cst.ObjectCstChildren> | undefined): ObjectValue | undefined {
    const start = this.span(ctx?.LCurly);
    if (ctx === undefined || start === undefined) return undefined;
    const entries: ObjectEntry[] = [];
    for (const node of ctx.objectEntry ?? []) push(entries, this.objectEntry(node.children));
    return { kind: "Object", entries, span: cover(start, later(entries.at(-1)?.span, this.span(ctx.RCurly))) };
  }

  objectEntry(ctx: Ctx<cst.ObjectEntryCstChildren>): ObjectEntry | undefined {
    const key = this.str(ctx.StringLiteral);
    const value = this.value(first(ctx.value));
    if (key === undefined || value === undefined) return undefined;
    return { kind: "ObjectEntry", key, value, span: cover(key.span, value.span) };
  }

  array(ctx: Ctx<cst.ArrayCstChildren> | undefined): ArrayValue | undefined {
    const start = this.span(ctx?.LBracket);
    if (ctx === undefined || start === undefined) return undefined;
    const items: Value[] = [];
    for (const node of ctx.value ?? []) push(items, this.value(node.children));
    return { kind: "Array", items, span: cover(start, later(items.at(-1)?.span, this.span(ctx.RBracket))) };
  }

  // ---------------------------------------------------------------- expressions

  orExpr(ctx: Ctx<cst.OrExprCstChildren> | undefined): Expr | undefined {
    let left: Expr | undefined;
    for (const node of ctx?.andExpr ?? []) {
      const right = this.andExpr(node.children);
      if (right === undefined) return undefined;
      left = left === undefined ? right : { kind: "Binary", op: "or", left, right, span: cover(left.span, right.span) };
    }
    return left;
  }

  andExpr(ctx: Ctx<cst.AndExprCstChildren>): Expr | undefined {
    let left: Expr | undefined;
    for (const node of ctx.notExpr ?? []) {
      const right = this.notExpr(node.children);
      if (right === undefined) return undefined;
      left =
        left === undefined ? right : { kind: "Binary", op: "and", left, right, span: cover(left.span, right.span) };
    }
    return left;
  }

  notExpr(ctx: Ctx<cst.NotExprCstChildren> | undefined): Expr | undefined {
    if (ctx === undefined) return undefined;
    const not = this.span(ctx.Not);
    if (not === undefined) return this.comparison(first(ctx.comparison));
    const operand = this.notExpr(first(ctx.notExpr));
    return operand && { kind: "Not", operand, span: cover(not, operand.span) };
  }

  comparison(ctx: Ctx<cst.ComparisonCstChildren> | undefined): Expr | undefined {
    const left = this.primary(ctx?.primary?.[0]?.children);
    if (ctx === undefined || left === undefined) return undefined;
    const opToken = this.tok(
      ctx.EqEq ?? ctx.NotEq ?? ctx.LessEq ?? ctx.GreaterEq ?? ctx.Less ?? ctx.Greater ?? ctx.Contains,
    );
    if (opToken === undefined) return left;
    const right = this.primary(ctx.primary?.[1]?.children);
    if (right === undefined) return undefined;
    return { kind: "Binary", op: opToken.image as ComparisonOp, left, right, span: cover(left.span, right.span) };
  }

  primary(ctx: Ctx<cst.PrimaryCstChildren> | undefined): Expr | undefined {
    if (ctx === undefined) return undefined;
    if (ctx.orExpr !== undefined) return this.orExpr(first(ctx.orExpr));
    const scalar = this.literalOrName(ctx);
    const length = this.span(ctx.Kw_length);
    if (scalar?.kind !== "VarRef" || length === undefined) return scalar;
    return { kind: "Length", target: scalar, span: cover(scalar.span, length) };
  }
}

/** Whether an expression has more than `limit` terms; counted without recursion, stopping at the limit. */
function termsOver(expr: Expr, limit: number): boolean {
  const stack: Expr[] = [expr];
  let terms = 0;
  for (let e = stack.pop(); e !== undefined; e = stack.pop()) {
    if (e.kind === "Binary") stack.push(e.left, e.right);
    else if (e.kind === "Not") stack.push(e.operand);
    else if (++terms > limit) return true;
  }
  return false;
}

function push<T>(list: T[], item: T | undefined): void {
  if (item !== undefined) list.push(item);
}

function durationOf(token: IToken, span: Span): Duration {
  // The Duration token's pattern guarantees it is one.
  return { kind: "Duration", ms: durationMs(token.image) as number, raw: token.image, span };
}

/**
 * Builds the AST of one file: `begin`, then `item` for each flow item the parser hands
 * over, then `finish` with the tree of the rest. Appends CF1007-CF1009 diagnostics.
 */
export interface FlowAstBuilder {
  begin(positions: SourcePositions, strings: ReadonlyMap<IToken, StringLiteral>, diagnostics: Diagnostic[]): void;
  item(node: CstNode): void;
  finish(root: CstNode): Flow | undefined;
}

export const astBuilder: FlowAstBuilder = new AstBuilder();

/**
 * Builds values from the tree of another parser whose value rules (`value`, `object`,
 * `objectEntry`, `array`, `keyValueBlock`, `keyValue`, `body`) come from ValueParser
 * (grammar/value-parser.ts), which the .flowtest parser extends too.
 */
export interface ValueBuilder {
  begin(positions: SourcePositions, strings: ReadonlyMap<IToken, StringLiteral>, diagnostics: Diagnostic[]): void;
  value(node: CstNode | undefined): Value | undefined;
  keyValueBlock(node: CstNode | undefined): { readonly items: readonly KeyValue[]; readonly span: Span } | undefined;
  body(node: CstNode | undefined): Body | undefined;
}

export function valueBuilder(): ValueBuilder {
  const builder = new AstBuilder();
  return {
    begin: (positions, strings, diagnostics) => builder.begin(positions, strings, diagnostics),
    // The rules have the shapes these methods read (see above).
    value: (node) => builder.value(node?.children as never),
    keyValueBlock: (node) => (node === undefined ? undefined : builder.keyValueBlock(node.children as never)),
    body: (node) => (node === undefined ? undefined : builder.body(node.children as never)),
  };
}
