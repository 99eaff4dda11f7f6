// CST → AST. After error recovery a CST node may lack any child, whatever the generated
// typings say; a node missing a required part is skipped (its syntax error is already
// reported) so the AST only ever holds complete nodes.
import type { CstNode, IToken } from "chevrotain";
import { HTTP_METHODS, VAR_TYPES } from "./ast.js";
import type {
  ArrayValue,
  Assignment,
  Body,
  ConditionWidget,
  Declaration,
  Duration,
  EndWidget,
  Exit,
  ExitLabel,
  Expr,
  Flow,
  HttpMethod,
  HttpWidget,
  Identifier,
  Key,
  KeyValue,
  Literal,
  MessageSetting,
  NumberLiteral,
  ObjectEntry,
  ObjectValue,
  QueueSetting,
  ResultMapping,
  ResultSource,
  RouteWidget,
  SecretDecl,
  SecretRef,
  SendWidget,
  SetWidget,
  Span,
  StringLiteral,
  Value,
  VarDecl,
  VarRef,
  VarType,
  WhenBranch,
  Widget,
} from "./ast.js";
import type * as cst from "./cst.js";
import { diagnostic } from "../compiler/diagnostics.js";
import type { Diagnostic, MessageKey } from "../compiler/diagnostics.js";
import { flowParser } from "./parser.js";
import { cover, tokenSpan } from "./spans.js";
import { decodeString } from "./strings.js";
import * as t from "./tokens.js";

/** Children as they may really be after recovery: any of them can be absent. */
type Ctx<T> = { readonly [K in keyof T]?: T[K] };

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

type HttpSettingNode = NonNullable<
  HttpWidget[
    | "method"
    | "url"
    | "query"
    | "authorization"
    | "headers"
    | "contentType"
    | "body"
    | "retry"
    | "timeout"
    | "results"]
>;
type HttpFields = Mutable<Omit<HttpWidget, "kind" | "id" | "displayName" | "span">>;

interface Header {
  readonly id: Identifier;
  readonly displayName: StringLiteral | undefined;
}

interface Block<T> {
  readonly items: T[];
  readonly span: Span;
}

const BaseVisitor = flowParser.getBaseCstVisitorConstructor();

/** Reused across parses; `build` resets the per-file state. */
class AstBuilder extends BaseVisitor {
  private fileName = "";
  private strings: ReadonlyMap<IToken, StringLiteral> = new Map();
  private diagnostics: Diagnostic[] = [];

  constructor() {
    super();
    this.validateVisitor();
  }

  build(
    root: CstNode,
    file: string,
    strings: ReadonlyMap<IToken, StringLiteral>,
    diagnostics: Diagnostic[],
  ): Flow | undefined {
    this.fileName = file;
    this.strings = strings;
    this.diagnostics = diagnostics;
    return this.node<Flow>(root);
  }

  // ---------------------------------------------------------------- helpers

  /** Visits an optional child; the base visitor is untyped, each rule method returns T or undefined. */
  private node<T>(child: CstNode | readonly CstNode[] | undefined): T | undefined {
    if (child === undefined) return undefined;
    return this.visit(child as CstNode | CstNode[]) as T | undefined;
  }

  private nodes<T>(children: readonly CstNode[] | undefined): T[] {
    const out: T[] = [];
    for (const child of children ?? []) {
      const built = this.node<T>(child);
      if (built !== undefined) out.push(built);
    }
    return out;
  }

  private report(key: MessageKey, span: Span, args: readonly (string | number)[]): void {
    this.diagnostics.push(diagnostic(key, span, args));
  }

  /** A token that is really in the source (not one invented by recovery). */
  private tok(tokens: readonly IToken[] | undefined): IToken | undefined {
    const token = tokens?.[0];
    return token === undefined || token.isInsertedInRecovery === true ? undefined : token;
  }

  private span(tokens: readonly IToken[] | undefined): Span | undefined {
    const token = this.tok(tokens);
    return token === undefined ? undefined : tokenSpan(this.fileName, token);
  }

  private ident(tokens: readonly IToken[] | undefined): Identifier | undefined {
    const token = this.tok(tokens);
    return token === undefined ? undefined : { kind: "Identifier", name: token.image, span: tokenSpan(this.fileName, token) };
  }

  private str(tokens: readonly IToken[] | undefined): StringLiteral | undefined {
    const token = this.tok(tokens);
    if (token === undefined) return undefined;
    // parse() decodes every string token up front; the fallback keeps this total.
    return this.strings.get(token) ?? decodeString(this.fileName, token, []);
  }

  private num(tokens: readonly IToken[] | undefined): NumberLiteral | undefined {
    const token = this.tok(tokens);
    if (token === undefined || token.tokenType === t.BadNumber) return undefined;
    const value = Number(token.image);
    // Out-of-range numbers are reported by parse() (CF1010).
    if (!Number.isFinite(value)) return undefined;
    return { kind: "Number", value, raw: token.image, span: tokenSpan(this.fileName, token) };
  }

  private exit(label: ExitLabel, keyword: readonly IToken[] | undefined, name: readonly IToken[] | undefined): Exit | undefined {
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
    this.report("duplicateSetting", next.span, [setting, widget.name]);
    return current;
  }

  private header(ctx: Ctx<{ widgetHeader: cst.WidgetHeaderCstNode[] }>): Header | undefined {
    return this.node<Header>(ctx.widgetHeader);
  }

  private widgetBase(keyword: readonly IToken[] | undefined, header: Header | undefined, ...parts: (Span | undefined)[]) {
    const start = this.span(keyword);
    if (start === undefined || header === undefined) return undefined;
    return {
      id: header.id,
      ...(header.displayName !== undefined && { displayName: header.displayName }),
      span: cover(start, header.id.span, header.displayName?.span, ...parts),
    };
  }

  // ---------------------------------------------------------------- file and declarations

  file(ctx: Ctx<cst.FileCstChildren>): Flow | undefined {
    return this.node<Flow>(ctx.flow);
  }

  flow(ctx: Ctx<cst.FlowCstChildren>): Flow | undefined {
    const start = this.span(ctx.Kw_flow);
    const id = this.ident(ctx.Name);
    if (start === undefined || id === undefined) return undefined;
    const displayName = this.str(ctx.StringLiteral);
    const declarations: Declaration[] = [];
    const widgets: Widget[] = [];
    let startExit: Exit | undefined;
    let end: Span | undefined;
    for (const item of this.nodes<Declaration | Exit | Widget>(ctx.item)) {
      if (item.kind === "VarDecl" || item.kind === "SecretDecl") declarations.push(item);
      else if (item.kind === "Exit") startExit = this.once(startExit, item, "start", id);
      else widgets.push(item);
      end = item.span;
    }
    return {
      kind: "Flow",
      id,
      ...(displayName !== undefined && { displayName }),
      declarations,
      ...(startExit !== undefined && { start: startExit }),
      widgets,
      span: cover(start, id.span, displayName?.span, end, this.span(ctx.RCurly)),
    };
  }

  item(ctx: Ctx<cst.ItemCstChildren>): Declaration | Exit | Widget | undefined {
    return this.node(
      ctx.varDecl ??
        ctx.secretDecl ??
        ctx.startExit ??
        ctx.httpWidget ??
        ctx.conditionWidget ??
        ctx.setWidget ??
        ctx.sendWidget ??
        ctx.routeWidget ??
        ctx.endWidget,
    );
  }

  varDecl(ctx: Ctx<cst.VarDeclCstChildren>): VarDecl | undefined {
    const scopeToken = this.tok(ctx.Kw_global) ?? this.tok(ctx.Kw_local);
    const name = this.ident(ctx.Name);
    const typeToken = this.tok(ctx.type);
    if (scopeToken === undefined || name === undefined || typeToken === undefined) return undefined;
    const typeSpan = tokenSpan(this.fileName, typeToken);
    if (!(VAR_TYPES as readonly string[]).includes(typeToken.image)) {
      this.report("unknownType", typeSpan, [typeToken.image]);
      return undefined;
    }
    const defaultValue = this.node<Value>(ctx.value);
    const masked = this.span(ctx.Kw_masked);
    return {
      kind: "VarDecl",
      scope: scopeToken.image === "global" ? "global" : "local",
      name,
      type: { kind: "TypeRef", name: typeToken.image as VarType, span: typeSpan },
      ...(defaultValue !== undefined && { default: defaultValue }),
      masked: masked !== undefined,
      span: cover(tokenSpan(this.fileName, scopeToken), typeSpan, defaultValue?.span, masked),
    };
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

  widgetHeader(ctx: Ctx<cst.WidgetHeaderCstChildren>): Header | undefined {
    const id = this.ident(ctx.Name);
    return id === undefined ? undefined : { id, displayName: this.str(ctx.StringLiteral) };
  }

  // ---------------------------------------------------------------- http

  httpWidget(ctx: Ctx<cst.HttpWidgetCstChildren>): HttpWidget | undefined {
    const header = this.header(ctx);
    const settings = this.nodes<HttpSettingNode | Exit>(ctx.httpSetting);
    const base = this.widgetBase(ctx.Kw_http, header, this.span(ctx.RCurly), ...settings.map((s) => s.span));
    if (base === undefined) return undefined;
    const fields: HttpFields = {};
    for (const setting of settings) {
      switch (setting.kind) {
        case "MethodSetting":
          fields.method = this.once(fields.method, setting, "method", base.id);
          break;
        case "UrlSetting":
          fields.url = this.once(fields.url, setting, "url", base.id);
          break;
        case "QuerySetting":
          fields.query = this.once(fields.query, setting, "query", base.id);
          break;
        case "AuthorizationSetting":
          fields.authorization = this.once(fields.authorization, setting, "authorization", base.id);
          break;
        case "HeadersSetting":
          fields.headers = this.once(fields.headers, setting, "headers", base.id);
          break;
        case "ContentTypeSetting":
          fields.contentType = this.once(fields.contentType, setting, "content_type", base.id);
          break;
        case "JsonBody":
        case "FormBody":
        case "TextBody":
          fields.body = this.once<Body>(fields.body, setting, "body", base.id);
          break;
        case "RetrySetting":
          fields.retry = this.once(fields.retry, setting, "retry", base.id);
          break;
        case "TimeoutSetting":
          fields.timeout = this.once(fields.timeout, setting, "timeout", base.id);
          break;
        case "ResultsSetting":
          fields.results = this.once(fields.results, setting, "results", base.id);
          break;
        case "Exit":
          if (setting.label === "success") fields.success = this.once(fields.success, setting, "success", base.id);
          else fields.fail = this.once(fields.fail, setting, "fail", base.id);
          break;
      }
    }
    // Only defined fields were assigned, which is what exactOptionalPropertyTypes asks of the result.
    return { kind: "HttpWidget", ...base, ...fields } as HttpWidget;
  }

  httpSetting(ctx: Ctx<cst.HttpSettingCstChildren>): HttpSettingNode | Exit | undefined {
    return this.node(
      ctx.methodSetting ??
        ctx.urlSetting ??
        ctx.querySetting ??
        ctx.authorizationSetting ??
        ctx.headersSetting ??
        ctx.contentTypeSetting ??
        ctx.bodySetting ??
        ctx.retrySetting ??
        ctx.timeoutSetting ??
        ctx.resultsSetting ??
        ctx.successExit ??
        ctx.failExit,
    );
  }

  methodSetting(ctx: Ctx<cst.MethodSettingCstChildren>): HttpWidget["method"] {
    const start = this.span(ctx.Kw_method);
    const name = this.ident(ctx.Name);
    if (start === undefined || name === undefined) return undefined;
    if (!(HTTP_METHODS as readonly string[]).includes(name.name)) {
      this.report("unknownMethod", name.span, [name.name]);
      return undefined;
    }
    return { kind: "MethodSetting", method: name.name as HttpMethod, span: cover(start, name.span) };
  }

  urlSetting(ctx: Ctx<cst.UrlSettingCstChildren>): HttpWidget["url"] {
    const start = this.span(ctx.Kw_url);
    const value = this.node<Value>(ctx.value);
    if (start === undefined || value === undefined) return undefined;
    return { kind: "UrlSetting", value, span: cover(start, value.span) };
  }

  querySetting(ctx: Ctx<cst.QuerySettingCstChildren>): HttpWidget["query"] {
    const start = this.span(ctx.Kw_query);
    const block = this.node<Block<KeyValue>>(ctx.keyValueBlock);
    if (start === undefined || block === undefined) return undefined;
    return { kind: "QuerySetting", entries: block.items, span: cover(start, block.span) };
  }

  authorizationSetting(ctx: Ctx<cst.AuthorizationSettingCstChildren>): HttpWidget["authorization"] {
    const start = this.span(ctx.Kw_authorization);
    const value = this.node<Value>(ctx.value);
    if (start === undefined || value === undefined) return undefined;
    return { kind: "AuthorizationSetting", value, span: cover(start, value.span) };
  }

  headersSetting(ctx: Ctx<cst.HeadersSettingCstChildren>): HttpWidget["headers"] {
    const start = this.span(ctx.Kw_headers);
    const block = this.node<Block<KeyValue>>(ctx.keyValueBlock);
    if (start === undefined || block === undefined) return undefined;
    return { kind: "HeadersSetting", entries: block.items, span: cover(start, block.span) };
  }

  contentTypeSetting(ctx: Ctx<cst.ContentTypeSettingCstChildren>): HttpWidget["contentType"] {
    const start = this.span(ctx.Kw_content_type);
    const value = this.str(ctx.StringLiteral);
    if (start === undefined || value === undefined) return undefined;
    return { kind: "ContentTypeSetting", value, span: cover(start, value.span) };
  }

  bodySetting(ctx: Ctx<cst.BodySettingCstChildren>): Body | undefined {
    const start = this.span(ctx.Kw_body);
    if (start === undefined) return undefined;
    if (ctx.Kw_json !== undefined) {
      const value = this.node<Value>(ctx.value);
      return value && { kind: "JsonBody", value, span: cover(start, value.span) };
    }
    if (ctx.Kw_form !== undefined) {
      const block = this.node<Block<KeyValue>>(ctx.keyValueBlock);
      return block && { kind: "FormBody", entries: block.items, span: cover(start, block.span) };
    }
    const text = this.str(ctx.StringLiteral);
    return text && { kind: "TextBody", value: text, span: cover(start, text.span) };
  }

  retrySetting(ctx: Ctx<cst.RetrySettingCstChildren>): HttpWidget["retry"] {
    const start = this.span(ctx.Kw_retry);
    const count = this.num(ctx.NumberLiteral);
    if (start === undefined || count === undefined) return undefined;
    return { kind: "RetrySetting", count, span: cover(start, count.span) };
  }

  timeoutSetting(ctx: Ctx<cst.TimeoutSettingCstChildren>): HttpWidget["timeout"] {
    const start = this.span(ctx.Kw_timeout);
    const token = this.tok(ctx.Duration);
    if (start === undefined || token === undefined) return undefined;
    const duration = durationOf(token, tokenSpan(this.fileName, token));
    return { kind: "TimeoutSetting", duration, span: cover(start, duration.span) };
  }

  resultsSetting(ctx: Ctx<cst.ResultsSettingCstChildren>): HttpWidget["results"] {
    const start = this.span(ctx.Kw_results);
    if (start === undefined) return undefined;
    const mappings = this.nodes<ResultMapping>(ctx.resultMapping);
    return {
      kind: "ResultsSetting",
      mappings,
      span: cover(start, this.span(ctx.LCurly), this.span(ctx.RCurly), ...mappings.map((m) => m.span)),
    };
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

  successExit(ctx: Ctx<cst.SuccessExitCstChildren>): Exit | undefined {
    return this.exit("success", ctx.Kw_success, ctx.Name);
  }

  failExit(ctx: Ctx<cst.FailExitCstChildren>): Exit | undefined {
    return this.exit("fail", ctx.Kw_fail, ctx.Name);
  }

  keyValueBlock(ctx: Ctx<cst.KeyValueBlockCstChildren>): Block<KeyValue> | undefined {
    const start = this.span(ctx.LCurly);
    if (start === undefined) return undefined;
    const items = this.nodes<KeyValue>(ctx.keyValue);
    return { items, span: cover(start, this.span(ctx.RCurly), ...items.map((i) => i.span)) };
  }

  keyValue(ctx: Ctx<cst.KeyValueCstChildren>): KeyValue | undefined {
    const key = this.key(ctx);
    const value = this.node<Value>(ctx.value);
    if (key === undefined || value === undefined) return undefined;
    return { kind: "KeyValue", key, value, span: cover(key.span, value.span) };
  }

  private key(ctx: Ctx<cst.KeyValueCstChildren>): Key | undefined {
    const name = this.ident(ctx.Name);
    if (name !== undefined) return { kind: "Key", name: name.name, quoted: false, span: name.span };
    const quoted = this.str(ctx.StringLiteral);
    return quoted && { kind: "Key", name: quoted.value, quoted: true, span: quoted.span };
  }

  // ---------------------------------------------------------------- other widgets

  conditionWidget(ctx: Ctx<cst.ConditionWidgetCstChildren>): ConditionWidget | undefined {
    const entries = this.nodes<WhenBranch | Exit>(ctx.conditionEntry);
    const spans = entries.map((n) => n.span);
    const base = this.widgetBase(ctx.Kw_condition, this.header(ctx), this.span(ctx.RCurly), ...spans);
    if (base === undefined) return undefined;
    const branches: WhenBranch[] = [];
    let elseExit: Exit | undefined;
    for (const entry of entries) {
      if (entry.kind === "When") branches.push(entry);
      else elseExit = this.once(elseExit, entry, "else", base.id);
    }
    return { kind: "ConditionWidget", ...base, branches, ...(elseExit !== undefined && { else: elseExit }) };
  }

  conditionEntry(ctx: Ctx<cst.ConditionEntryCstChildren>): WhenBranch | Exit | undefined {
    return this.node(ctx.whenBranch ?? ctx.elseExit);
  }

  whenBranch(ctx: Ctx<cst.WhenBranchCstChildren>): WhenBranch | undefined {
    const start = this.span(ctx.Kw_when);
    const condition = this.node<Expr>(ctx.orExpr);
    const target = this.ident(ctx.Name);
    if (start === undefined || condition === undefined || target === undefined) return undefined;
    return { kind: "When", condition, target, span: cover(start, target.span) };
  }

  elseExit(ctx: Ctx<cst.ElseExitCstChildren>): Exit | undefined {
    return this.exit("else", ctx.Kw_else, ctx.Name);
  }

  setWidget(ctx: Ctx<cst.SetWidgetCstChildren>): SetWidget | undefined {
    const entries = this.nodes<Assignment | Exit>(ctx.setEntry);
    const spans = entries.map((n) => n.span);
    const base = this.widgetBase(ctx.Kw_set, this.header(ctx), this.span(ctx.RCurly), ...spans);
    if (base === undefined) return undefined;
    const assignments: Assignment[] = [];
    let next: Exit | undefined;
    for (const entry of entries) {
      if (entry.kind === "Assignment") assignments.push(entry);
      else next = this.once(next, entry, "next", base.id);
    }
    return { kind: "SetWidget", ...base, assignments, ...(next !== undefined && { next }) };
  }

  setEntry(ctx: Ctx<cst.SetEntryCstChildren>): Assignment | Exit | undefined {
    return this.node(ctx.nextExit ?? ctx.assignment);
  }

  assignment(ctx: Ctx<cst.AssignmentCstChildren>): Assignment | undefined {
    const target = this.ident(ctx.Name);
    const value = this.node<Value>(ctx.value);
    if (target === undefined || value === undefined) return undefined;
    return { kind: "Assignment", target, value, span: cover(target.span, value.span) };
  }

  nextExit(ctx: Ctx<cst.NextExitCstChildren>): Exit | undefined {
    return this.exit("next", ctx.Kw_next, ctx.Name);
  }

  sendWidget(ctx: Ctx<cst.SendWidgetCstChildren>): SendWidget | undefined {
    const entries = this.nodes<MessageSetting | Exit>(ctx.sendEntry);
    const spans = entries.map((n) => n.span);
    const base = this.widgetBase(ctx.Kw_send, this.header(ctx), this.span(ctx.RCurly), ...spans);
    if (base === undefined) return undefined;
    let message: MessageSetting | undefined;
    let next: Exit | undefined;
    for (const entry of entries) {
      if (entry.kind === "MessageSetting") message = this.once(message, entry, "message", base.id);
      else next = this.once(next, entry, "next", base.id);
    }
    return {
      kind: "SendWidget",
      ...base,
      ...(message !== undefined && { message }),
      ...(next !== undefined && { next }),
    };
  }

  sendEntry(ctx: Ctx<cst.SendEntryCstChildren>): MessageSetting | Exit | undefined {
    return this.node(ctx.messageSetting ?? ctx.nextExit);
  }

  messageSetting(ctx: Ctx<cst.MessageSettingCstChildren>): MessageSetting | undefined {
    const start = this.span(ctx.Kw_message);
    const value = this.str(ctx.StringLiteral);
    if (start === undefined || value === undefined) return undefined;
    return { kind: "MessageSetting", value, span: cover(start, value.span) };
  }

  routeWidget(ctx: Ctx<cst.RouteWidgetCstChildren>): RouteWidget | undefined {
    const queues = this.nodes<QueueSetting>(ctx.queueSetting);
    const base = this.widgetBase(ctx.Kw_route, this.header(ctx), this.span(ctx.RCurly), ...queues.map((q) => q.span));
    if (base === undefined) return undefined;
    let queue: QueueSetting | undefined;
    for (const setting of queues) queue = this.once(queue, setting, "queue", base.id);
    return { kind: "RouteWidget", ...base, ...(queue !== undefined && { queue }) };
  }

  queueSetting(ctx: Ctx<cst.QueueSettingCstChildren>): QueueSetting | undefined {
    const start = this.span(ctx.Kw_queue);
    const value = this.str(ctx.StringLiteral);
    if (start === undefined || value === undefined) return undefined;
    return { kind: "QueueSetting", value, span: cover(start, value.span) };
  }

  endWidget(ctx: Ctx<cst.EndWidgetCstChildren>): EndWidget | undefined {
    const base = this.widgetBase(ctx.Kw_end, this.header(ctx), this.span(ctx.RCurly));
    return base && { kind: "EndWidget", ...base };
  }

  // ---------------------------------------------------------------- values

  value(ctx: Ctx<cst.ValueCstChildren>): Value | undefined {
    if (ctx.secretRef !== undefined) return this.node<SecretRef>(ctx.secretRef);
    if (ctx.object !== undefined) return this.node<ObjectValue>(ctx.object);
    if (ctx.array !== undefined) return this.node<ArrayValue>(ctx.array);
    return this.literalOrName(ctx);
  }

  /** The single-token alternatives shared by values and expression primaries. */
  private literalOrName(ctx: Ctx<cst.PrimaryCstChildren>): Literal | VarRef | undefined {
    if (ctx.StringLiteral !== undefined) return this.str(ctx.StringLiteral);
    if (ctx.NumberLiteral !== undefined) return this.num(ctx.NumberLiteral);
    const truth = this.span(ctx.True);
    if (truth !== undefined) return { kind: "Boolean", value: true, span: truth };
    const falsity = this.span(ctx.False);
    if (falsity !== undefined) return { kind: "Boolean", value: false, span: falsity };
    const nil = this.span(ctx.Null);
    if (nil !== undefined) return { kind: "Null", span: nil };
    const name = this.ident(ctx.Name);
    return name && { kind: "VarRef", name: name.name, span: name.span };
  }

  secretRef(ctx: Ctx<cst.SecretRefCstChildren>): SecretRef | undefined {
    const start = this.span(ctx.Kw_secret);
    const name = this.ident(ctx.Name);
    if (start === undefined || name === undefined) return undefined;
    return { kind: "SecretRef", name: name.name, span: cover(start, name.span) };
  }

  object(ctx: Ctx<cst.ObjectCstChildren>): ObjectValue | undefined {
    const start = this.span(ctx.LCurly);
    if (start === undefined) return undefined;
    const entries = this.nodes<ObjectEntry>(ctx.objectEntry);
    return { kind: "Object", entries, span: cover(start, this.span(ctx.RCurly), ...entries.map((e) => e.span)) };
  }

  objectEntry(ctx: Ctx<cst.ObjectEntryCstChildren>): ObjectEntry | undefined {
    const key = this.str(ctx.StringLiteral);
    const value = this.node<Value>(ctx.value);
    if (key === undefined || value === undefined) return undefined;
    return { kind: "ObjectEntry", key, value, span: cover(key.span, value.span) };
  }

  array(ctx: Ctx<cst.ArrayCstChildren>): ArrayValue | undefined {
    const start = this.span(ctx.LBracket);
    if (start === undefined) return undefined;
    const items = this.nodes<Value>(ctx.value);
    return { kind: "Array", items, span: cover(start, this.span(ctx.RBracket), ...items.map((i) => i.span)) };
  }

  // ---------------------------------------------------------------- expressions

  orExpr(ctx: Ctx<cst.OrExprCstChildren>): Expr | undefined {
    return this.leftAssociative("or", ctx.andExpr);
  }

  andExpr(ctx: Ctx<cst.AndExprCstChildren>): Expr | undefined {
    return this.leftAssociative("and", ctx.notExpr);
  }

  private leftAssociative(op: "and" | "or", operands: readonly CstNode[] | undefined): Expr | undefined {
    let left: Expr | undefined;
    for (const operand of operands ?? []) {
      const right = this.node<Expr>(operand);
      if (right === undefined) return undefined;
      left = left === undefined ? right : { kind: "Binary", op, left, right, span: cover(left.span, right.span) };
    }
    return left;
  }

  notExpr(ctx: Ctx<cst.NotExprCstChildren>): Expr | undefined {
    const not = this.span(ctx.Not);
    if (not === undefined) return this.node<Expr>(ctx.comparison);
    const operand = this.node<Expr>(ctx.notExpr);
    return operand && { kind: "Not", operand, span: cover(not, operand.span) };
  }

  comparison(ctx: Ctx<cst.ComparisonCstChildren>): Expr | undefined {
    const left = this.node<Expr>(ctx.primary?.[0]);
    const opToken = this.tok(
      ctx.EqEq ?? ctx.NotEq ?? ctx.LessEq ?? ctx.GreaterEq ?? ctx.Less ?? ctx.Greater ?? ctx.Contains,
    );
    if (left === undefined || opToken === undefined) return left;
    const right = this.node<Expr>(ctx.primary?.[1]);
    if (right === undefined) return undefined;
    const op = opToken.image as "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains";
    return { kind: "Binary", op, left, right, span: cover(left.span, right.span) };
  }

  primary(ctx: Ctx<cst.PrimaryCstChildren>): Expr | undefined {
    if (ctx.orExpr !== undefined) return this.node<Expr>(ctx.orExpr);
    return this.literalOrName(ctx);
  }
}

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

function durationOf(token: IToken, span: Span): Duration {
  const match = /^(\d+)(ms|s|m)$/.exec(token.image) as RegExpExecArray;
  const ms = Number(match[1]) * (units[match[2] as string] as number);
  return { kind: "Duration", ms, raw: token.image, span };
}

const builder = new AstBuilder();

/** Builds the AST of a parsed file, appending builder diagnostics (CF1007-CF1009). */
export function buildAst(
  root: CstNode,
  file: string,
  strings: ReadonlyMap<IToken, StringLiteral>,
  diagnostics: Diagnostic[],
): Flow | undefined {
  return builder.build(root, file, strings, diagnostics);
}
