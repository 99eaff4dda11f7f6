// Completion from the text before the cursor, the enclosing blocks (from the lexer's tokens, so a
// half-typed line still has its context) and the analysis's names: keywords valid at the cursor,
// settings and exits a widget does not have yet, HTTP methods, types, variables, widget ids after
// `->` and secret names after `secret.`.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type MarkupContent } from "vscode-languageserver";
import type { IToken } from "chevrotain";
import type { VarDecl, Widget } from "../grammar/ast.js";
import { ITEM_KEYWORDS, WIDGET_SPECS, type WidgetSpec } from "../grammar/language.js";
import { tokenize, LCurly, RCurly } from "../grammar/tokens.js";
import { exitsOf, settingsOf, specOf } from "../grammar/widgets.js";
import { HTTP_METHODS, VAR_TYPES } from "../runtime/contract.js";
import type { Analysis } from "./analysis.js";
import { settingDoc } from "./hover.js";

/** What a `{ ... }` holds: the flow, a widget (by keyword), a setting's block, or a JSON value. */
type Frame =
  | { readonly kind: "flow" }
  | { readonly kind: "widget"; readonly spec: WidgetSpec; readonly id: IToken | undefined }
  | { readonly kind: "results" | "query" | "headers" | "form" | "value" };

const WIDGET_SPECS_BY_KEYWORD: ReadonlyMap<string, WidgetSpec> = new Map(WIDGET_SPECS.map((w) => [w.keyword, w]));
const BLOCK_SETTINGS = new Set(["results", "query", "headers", "form"]);
const markdown = (value: string): MarkupContent => ({ kind: "markdown", value });

export function complete(analysis: Analysis, offset: number): CompletionItem[] {
  const text = analysis.text;
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const line = scanLine(before);
  if (line.comment) return [];
  if (line.stringStart !== undefined) return inString(analysis, before.slice(line.stringStart));
  const head = before.replace(/[A-Za-z0-9_]*$/, "").trimEnd();
  if (head.endsWith("secret.")) return secrets(analysis);
  if (/\bmethod$/.test(head)) return HTTP_METHODS.map((m) => ({ label: m, kind: CompletionItemKind.EnumMember }));
  if (/^\s*(?:global|local|config)\s+\w+\s*:$/.test(head))
    return VAR_TYPES.map((t) => ({ label: t, kind: CompletionItemKind.TypeParameter }));
  if (/\bbody$/.test(head))
    return ["json", "form", "text"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
  const frame = enclosingFrame(text, offset);
  // A config is read-only: never offered as a result target or a `set` target.
  const writable = (decl: VarDecl): boolean => decl.scope !== "config";
  if (head.endsWith("->")) return frame?.kind === "results" ? variables(analysis, writable) : widgetIds(analysis);
  if (head.trim() === "" || head.endsWith("{") || head.endsWith("}")) return keywords(analysis, frame);
  if (/(?:^|\s)when$|(?:==|!=|<=|>=|<|>|=|\(|\b(?:and|or|not|contains))$/.test(head))
    return [
      ...variables(analysis),
      ...["true", "false", "null", "not"].map((k) => ({ label: k, kind: CompletionItemKind.Keyword })),
      ...(frame?.kind === "query" || frame?.kind === "headers" || frame?.kind === "form" ? [secretPrefix()] : []),
    ];
  return [];
}

/** Where a comment or an unclosed string starts on the line, if it does. */
function scanLine(before: string): { comment: boolean; stringStart: number | undefined } {
  let stringStart: number | undefined;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (stringStart !== undefined) {
      if (c === "\\") i++;
      else if (c === '"') stringStart = undefined;
    } else if (c === '"') stringStart = i;
    else if (c === "#" || (c === "/" && before[i + 1] === "/")) return { comment: true, stringStart: undefined };
  }
  return { comment: false, stringStart };
}

/** Inside a string: names after an unclosed `{{`, secret names after `{{secret.`. */
function inString(analysis: Analysis, string: string): CompletionItem[] {
  const open = string.lastIndexOf("{{");
  if (open < 0 || string.indexOf("}}", open) >= 0) return [];
  const inside = string.slice(open + 2);
  if (/^\s*secret\.\w*$/.test(inside)) return secrets(analysis);
  if (!/^\s*\w*$/.test(inside)) return [];
  return [...variables(analysis), secretPrefix()];
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

/** The words that may begin a line in the enclosing block. */
function keywords(analysis: Analysis, frame: Frame | undefined): CompletionItem[] {
  const keyword = (label: string, doc?: string): CompletionItem => ({
    label,
    kind: CompletionItemKind.Keyword,
    ...(doc === undefined ? {} : { documentation: markdown(doc) }),
  });
  if (frame === undefined)
    return [
      {
        label: "flow",
        kind: CompletionItemKind.Snippet,
        insertText: "flow ${1:name} {\n  start -> ${2:first}\n  $0\n}",
        insertTextFormat: InsertTextFormat.Snippet,
      },
    ];
  switch (frame.kind) {
    case "flow":
      return ITEM_KEYWORDS.map((word) => keyword(word, WIDGET_SPECS_BY_KEYWORD.get(word)?.doc));
    case "widget": {
      const widget = analysis.flow?.widgets.find((w) => w.id.span.offset === frame.id?.startOffset);
      const settings = widget === undefined ? {} : settingsOf(widget);
      const exits = new Set(widget === undefined ? [] : exitsOf(widget).map((e) => e.label));
      const items: CompletionItem[] = frame.spec.settings
        .filter((s) => settings[s.keyword] === undefined)
        .map((s) => ({
          ...keyword(s.keyword),
          kind: CompletionItemKind.Property,
          detail: s.doc,
          documentation: markdown(settingDoc(s)),
        }));
      for (const exit of frame.spec.exits)
        if (!exits.has(exit.label)) items.push({ ...keyword(exit.label, exit.doc), detail: exit.doc });
      if (frame.spec.entries === "branches") items.push(keyword("when", "A branch: `when CONDITION -> WIDGET`."));
      if (frame.spec.entries === "assignments") items.push(...variables(analysis, (decl) => decl.scope !== "config"));
      return items;
    }
    case "results":
      return [keyword("status", "The response status code."), keyword("header", 'A response header: `header "Name"`.')];
    default:
      return [];
  }
}

/** The innermost `{ ... }` around the offset, read from the lexer's tokens. */
function enclosingFrame(text: string, offset: number): Frame | undefined {
  const { tokens } = tokenize(text.slice(0, offset));
  const stack: Frame[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const type = (tokens[i] as IToken).tokenType;
    if (type === RCurly) stack.pop();
    else if (type === LCurly) stack.push(frameOf(tokens, i));
  }
  return stack.at(-1);
}

function frameOf(tokens: readonly IToken[], open: number): Frame {
  const word = (i: number) => tokens[i]?.image;
  const previous = word(open - 1);
  if (previous !== undefined && BLOCK_SETTINGS.has(previous))
    return { kind: previous as "results" | "query" | "headers" | "form" };
  // `KIND id {` or `KIND id "Display name" {`.
  for (const at of [open - 2, open - 3]) {
    const kind = word(at);
    if (kind === "flow") return { kind: "flow" };
    const spec = kind === undefined ? undefined : WIDGET_SPECS_BY_KEYWORD.get(kind);
    if (spec !== undefined) return { kind: "widget", spec, id: tokens[at + 1] };
  }
  return { kind: "value" };
}
