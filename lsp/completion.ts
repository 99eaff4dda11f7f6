// Completion. Where the cursor is comes from the parser: the enclosing widget, setting block or
// declaration from the recovered syntax tree (a half-typed line still parses around it), the
// token before the cursor from the lexer, and the keywords that may come next from the grammar
// (grammar-assist.ts) or the language description. The analysis gives the names: variables,
// widget ids after `->`, secret names after `secret.`.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type MarkupContent } from "vscode-languageserver";
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import type { AnySetting, VarDecl, Widget } from "../grammar/ast.js";
import { ITEM_KEYWORDS, WIDGET_SPECS, type WidgetSpec } from "../grammar/language.js";
import { flowParser } from "../grammar/parser.js";
import * as t from "../grammar/tokens.js";
import { exitsOf, settingsOf, specOf } from "../grammar/widgets.js";
import { HTTP_METHODS, VAR_TYPES } from "../runtime/contract.js";
import type { Analysis } from "./analysis.js";
import { firstKeywords, firstTokens } from "./grammar-assist.js";
import { settingDoc } from "./hover.js";

/** Where the cursor is: outside the flow, in it, in a widget's block, in a setting's block, or elsewhere in a widget. */
type Place =
  | { readonly kind: "outside" | "flow" | "header" }
  | { readonly kind: "widget"; readonly widget: Widget; readonly spec: WidgetSpec }
  | { readonly kind: "results" | "keyValues" | "value"; readonly spec: WidgetSpec };

/** Tokens after which an expression begins: a condition, or an operand after an operator. */
const EXPRESSION_STARTS: ReadonlySet<TokenType> = new Set([t.When, t.And, t.Or, t.Not, t.LParen]);
const OPERAND_STARTS: ReadonlySet<TokenType> = new Set([
  t.EqEq,
  t.NotEq,
  t.LessEq,
  t.GreaterEq,
  t.Less,
  t.Greater,
  t.Contains,
]);
/** What the keywords of a results block read (the parser has the keywords; this is their documentation). */
const RESULT_SOURCE_DOCS: ReadonlyMap<TokenType, string> = new Map([
  [t.Status, "The response status code."],
  [t.Header, 'A response header: `header "Name"`.'],
]);
/** Where a token ends (the offset after its last character). */
const end = (token: IToken): number => token.startOffset + token.image.length;
const markdown = (value: string): MarkupContent => ({ kind: "markdown", value });
const keyword = (label: string, doc?: string): CompletionItem => ({
  label,
  kind: CompletionItemKind.Keyword,
  ...(doc === undefined ? {} : { documentation: markdown(doc) }),
});

/** The tokens before the cursor, as the lexer reads them; what the cursor is in. */
export interface Cursor {
  /** Every token before the cursor. */
  readonly tokens: readonly IToken[];
  /** The tokens before the word being typed (all of them when none is). */
  readonly before: readonly IToken[];
  /** On the line, nothing before the word being typed, or only a `{` or `}`. */
  readonly lineStart: boolean;
  /** In a comment, or in a string that is not closed (then `string` is its text so far). */
  readonly comment: boolean;
  readonly string: string | undefined;
}

/** The cursor read by the lexer, the same for `.flow` and `.flowtest` (they share their tokens). */
export function cursorAt(text: string, offset: number): Cursor {
  const { tokens, groups } = t.tokenize(text.slice(0, offset));
  const last = tokens.at(-1);
  const touching = last !== undefined && end(last) === offset;
  const comment = (groups["comments"] ?? []).some((c) => end(c) === offset);
  const string = touching && tokenMatcher(last, t.StringLiteral) && !closed(last.image) ? last.image : undefined;
  // The word being typed is not context: what comes before it is.
  const before = touching && tokenMatcher(last, t.Name) ? tokens.slice(0, -1) : tokens;
  const previous = before.at(-1);
  const lineStart =
    previous === undefined ||
    end(previous) <= text.lastIndexOf("\n", offset - 1) + 1 ||
    previous.tokenType === t.LCurly ||
    previous.tokenType === t.RCurly;
  return { tokens, before, lineStart, comment, string };
}

export function complete(analysis: Analysis, offset: number): CompletionItem[] {
  const cursor = cursorAt(analysis.text, offset);
  if (cursor.comment) return [];
  if (cursor.string !== undefined) return inString(analysis, cursor.string);
  const place = placeAt(analysis, cursor.tokens, offset);
  const previous = cursor.before.at(-1);
  if (previous?.tokenType === t.Dot && cursor.before.at(-2)?.tokenType === t.Secret) return secrets(analysis);
  if (previous === undefined || cursor.lineStart) return keywords(analysis, place);
  const type = previous.tokenType;
  if (type === t.Arrow)
    // A config is read-only: never offered as a result target.
    return place.kind === "results" ? variables(analysis, writable) : widgetIds(analysis);
  if (type === t.Colon)
    return place.kind === "flow" ? VAR_TYPES.map((v) => ({ label: v, kind: CompletionItemKind.TypeParameter })) : [];
  if (EXPRESSION_STARTS.has(type)) return operand(analysis, "orExpr", false);
  if (OPERAND_STARTS.has(type)) return operand(analysis, "primary", false);
  if (type === t.Equals) return operand(analysis, "value", place.kind === "keyValues");
  if ("spec" in place) {
    const setting = place.spec.settings.find((s) => t.keyword(s.keyword) === type);
    if (setting?.value === "method")
      return HTTP_METHODS.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember }));
    if (setting?.value === "body") return firstKeywords(flowParser(), "body").map((k) => keyword(k));
  }
  return [];
}

/** A config is read-only: never a result target or a `set` target. */
const writable = (decl: VarDecl): boolean => decl.scope !== "config";

/** Where a value or an expression operand goes: the variables, the keywords that may begin `rule`, and `secret.` where allowed. */
function operand(analysis: Analysis, rule: "orExpr" | "primary" | "value", secretsAllowed: boolean): CompletionItem[] {
  const items = [...variables(analysis)];
  for (const type of firstTokens(flowParser(), rule)) {
    const word = t.wordOf(type);
    if (type === t.Secret) {
      if (secretsAllowed) items.push(secretPrefix());
    } else if (word !== undefined) items.push(keyword(word));
  }
  return items;
}

/** Whether a string token's text ends with its closing quote (an escaped quote does not close it). */
function closed(image: string): boolean {
  return (
    image.length > 1 &&
    image
      .slice(1)
      .replace(/\\[^\n\r]?/g, "")
      .endsWith('"')
  );
}

/** The place of the cursor, from the recovered tree: the flow, the widget and the setting whose text holds it. */
function placeAt(analysis: Analysis, tokens: readonly IToken[], offset: number): Place {
  const flow = analysis.flow;
  /** Whether the cursor is past the node's first `{` and before its closing brace (if it has one). */
  const inside = (span: { readonly offset: number; readonly length: number }) => {
    const open = firstBrace(tokens, span.offset);
    const end = span.offset + span.length;
    const closedHere = analysis.text[end - 1] === "}";
    return open !== undefined && open.startOffset < offset && (closedHere ? offset < end : offset <= end);
  };
  if (flow === undefined || !inside(flow.span)) return { kind: "outside" };
  const widget = flow.widgets.find((w) => w.span.offset < offset && offset <= w.span.offset + w.span.length);
  if (widget === undefined) return { kind: "flow" };
  const spec = specOf(widget);
  if (!inside(widget.span))
    return widget.span.offset + widget.span.length === offset ? { kind: "flow" } : { kind: "header" };
  for (const setting of Object.values(settingsOf(widget)) as (AnySetting | undefined)[])
    if (setting !== undefined && inside(setting.span)) return { kind: blockKind(setting), spec };
  return { kind: "widget", widget, spec };
}

/** The first `{` at or after an offset: the tokens are in source order, so the search starts there. */
export function firstBrace(tokens: readonly IToken[], from: number): IToken | undefined {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((tokens[mid] as IToken).startOffset < from) low = mid + 1;
    else high = mid;
  }
  for (let i = low; i < tokens.length; i++) if ((tokens[i] as IToken).tokenType === t.LCurly) return tokens[i];
  return undefined;
}

/** What a setting's `{ ... }` holds, by the setting's value kind in the description. */
function blockKind(setting: AnySetting): "results" | "keyValues" | "value" {
  if (setting.valueKind === "results") return "results";
  if (setting.valueKind === "keyValues" || (setting.valueKind === "body" && setting.value.kind === "FormBody"))
    return "keyValues";
  return "value";
}

/** Inside a string (`image` is its text so far): names after an unclosed `{{`, secret names after `{{secret.`. */
function inString(analysis: Analysis, image: string): CompletionItem[] {
  const open = image.lastIndexOf("{{");
  if (open < 0 || image.indexOf("}}", open) >= 0) return [];
  const inner = image.slice(open + 2);
  const { tokens, errors } = t.tokenize(inner);
  if (errors.length > 0) return [];
  // The name being typed, if any, ends the text.
  const typed = tokens.at(-1);
  const done =
    typed !== undefined && tokenMatcher(typed, t.Name) && end(typed) === inner.length ? tokens.slice(0, -1) : tokens;
  if (done.length === 0) return [...variables(analysis), secretPrefix()];
  if (done.length === 2 && done[0]?.tokenType === t.Secret && done[1]?.tokenType === t.Dot) return secrets(analysis);
  return [];
}

/** The flow's variables (those `only` keeps), here and in a test file's `expect` and `globals`. */
export function variables(analysis: Analysis, only: (decl: VarDecl) => boolean = () => true): CompletionItem[] {
  return [...(analysis.scope?.variables.values() ?? [])].filter(only).map((decl) => ({
    label: decl.name.name,
    kind: CompletionItemKind.Variable,
    detail: `${decl.scope} ${decl.type.name}${decl.masked ? " masked" : ""}`,
  }));
}

export function secrets(analysis: Analysis): CompletionItem[] {
  return [...(analysis.scope?.secrets.keys() ?? [])].map((name) => ({
    label: name,
    kind: CompletionItemKind.Constant,
    detail: "secret: its value comes from the runtime",
  }));
}

function secretPrefix(): CompletionItem {
  return {
    label: "secret.",
    kind: CompletionItemKind.Module,
    detail: "a declared secret",
    command: { title: "Suggest secrets", command: "editor.action.triggerSuggest" },
  };
}

/** The flow's widget ids (those `only` keeps), for `->` here and for mocks and paths in a test file. */
export function widgetIds(analysis: Analysis, only: (widget: Widget) => boolean = () => true): CompletionItem[] {
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const widget of analysis.flow?.widgets ?? []) {
    if (seen.has(widget.id.name) || !only(widget)) continue;
    seen.add(widget.id.name);
    items.push({
      label: widget.id.name,
      kind: CompletionItemKind.Reference,
      detail: `${specOf(widget).keyword}${widget.displayName === undefined ? "" : ` "${widget.displayName.value}"`}`,
    });
  }
  return items;
}

/** The words that may begin a line where the cursor is. */
function keywords(analysis: Analysis, place: Place): CompletionItem[] {
  switch (place.kind) {
    case "outside": {
      const flow = t.wordOf(t.Flow) ?? "";
      return [
        {
          label: flow,
          kind: CompletionItemKind.Snippet,
          insertText: `${flow} \${1:name} {\n  ${t.wordOf(t.Start) ?? ""} -> \${2:first}\n  $0\n}`,
          insertTextFormat: InsertTextFormat.Snippet,
        },
      ];
    }
    case "flow":
      return ITEM_KEYWORDS.map((word) => keyword(word, WIDGET_SPECS_BY_KEYWORD.get(word)?.doc));
    case "widget": {
      const { widget, spec } = place;
      const settings = settingsOf(widget);
      const exits = new Set(exitsOf(widget).map((e) => e.label));
      const items: CompletionItem[] = spec.settings
        .filter((s) => settings[s.keyword] === undefined)
        .map((s) => ({
          ...keyword(s.keyword),
          kind: CompletionItemKind.Property,
          detail: s.doc,
          documentation: markdown(settingDoc(s)),
        }));
      for (const exit of spec.exits)
        if (!exits.has(exit.label)) items.push({ ...keyword(exit.label, exit.doc), detail: exit.doc });
      if (spec.entries === "branches")
        items.push(keyword(t.wordOf(t.When) ?? "", "A branch: `when CONDITION -> WIDGET`."));
      if (spec.entries === "assignments") items.push(...variables(analysis, writable));
      return items;
    }
    case "results":
      // The sources a result mapping may begin with that are keywords.
      return firstTokens(flowParser(), "resultMapping").flatMap((type) => {
        const word = t.wordOf(type);
        return word === undefined ? [] : [keyword(word, RESULT_SOURCE_DOCS.get(type))];
      });
    default:
      return [];
  }
}

const WIDGET_SPECS_BY_KEYWORD: ReadonlyMap<string, WidgetSpec> = new Map(WIDGET_SPECS.map((w) => [w.keyword, w]));
