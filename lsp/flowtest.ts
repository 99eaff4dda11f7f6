// What the server knows about a `.flowtest` document: its parse (the same `parseFlowTest` as
// `callflow check` and `callflow fmt`), the flow it names, and every widget id and variable it
// names, so that navigation and rename reach from a flow into its tests and back.
import { CompletionItemKind, DocumentSymbol, SymbolKind, type CompletionItem } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { tokenMatcher, type IToken, type TokenType } from "chevrotain";
import type { Identifier, Widget } from "../grammar/ast.js";
import { diagnostic, hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import type { FlowTestFile, TestItem } from "../grammar/flowtest-ast.js";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import { flowTestParser } from "../grammar/flowtest-parser.js";
import * as t from "../grammar/tokens.js";
import { checkFlowTest } from "../testing/check.js";
import { resolveFlowTarget } from "../testing/target.js";
import type { Analysis, Namespace, Occurrence } from "./analysis.js";
import { cursorAt, firstBrace, secrets, variables, widgetIds } from "./completion.js";
import { firstKeywords } from "./grammar-assist.js";
import { rangeOf } from "./positions.js";

export interface FlowtestAnalysis {
  readonly text: string;
  readonly file: FlowTestFile | undefined;
  /** Syntax diagnostics only; the checks against the flow depend on the flow's current text. */
  readonly diagnostics: readonly Diagnostic[];
  /** The named flow's absolute path, when the `tests for` line could be read and names a flow of the project. */
  readonly flowPath: string | undefined;
  /** Why the named flow is not read (CF3014, CF3015): outside the project, or not a .flow file. */
  readonly refused?: Diagnostic;
  /** Widget ids and variable or secret names, sorted by offset; none is a definition. */
  readonly occurrences: readonly Occurrence[];
}

/** `file` is the test file's absolute path: the flow's path is relative to it. */
export function analyzeFlowtest(text: string, file: string): FlowtestAnalysis {
  const { file: parsed, diagnostics } = parseFlowTest(text, file);
  if (parsed === undefined) return { text, file: parsed, diagnostics, flowPath: undefined, occurrences: [] };
  const target = resolveFlowTarget(parsed, file);
  const occurrences = indexNames(text, parsed);
  if ("refused" in target)
    return { text, file: parsed, diagnostics, flowPath: undefined, refused: target.refused, occurrences };
  return { text, file: parsed, diagnostics, flowPath: target.path, occurrences };
}

function indexNames(text: string, file: FlowTestFile): Occurrence[] {
  const occurrences: Occurrence[] = [];
  const add = (id: Identifier, namespace: Namespace, secret = false) => {
    // A recovered tree may hold an identifier whose span is not its name: leave it out.
    if (text.startsWith(id.name, id.span.offset) && id.name !== "")
      occurrences.push({
        name: id.name,
        namespace,
        definition: false,
        write: false,
        secret,
        offset: id.span.offset,
        length: id.name.length,
      });
  };
  for (const test of file.tests)
    for (const item of test.items)
      switch (item.kind) {
        case "InputBlock":
          for (const entry of item.entries) add(entry.name, "declaration", item.keyword === "secrets");
          break;
        case "Mock":
          add(item.widget, "widget");
          break;
        case "ExpectBlock":
          for (const e of item.items)
            if (e.kind === "PathExpect") for (const w of e.widgets) add(w, "widget");
            else if (e.kind === "EndExpect" || e.kind === "AttemptsExpect") add(e.widget, "widget");
            else if (e.kind === "VarExpect") add(e.name, "declaration");
          break;
      }
  occurrences.sort((a, b) => a.offset - b.offset);
  return occurrences;
}

/** CF3002 lists at most this many of the flow's errors as related places. */
const MAX_RELATED = 100;

/** The flow a test file names: its analysis, or why it cannot be read. */
export type FlowSource = { readonly analysis: Analysis } | { readonly unreadable: string };

/**
 * What `callflow check` reports for the test file: its syntax errors, else CF3001 when the flow
 * cannot be read, CF3002 (with the flow's errors as related places) when it has errors, else the
 * checks against the flow. The flow is named as the test file names it.
 */
export function flowtestDiagnostics(test: FlowtestAnalysis, flow: FlowSource | undefined): Diagnostic[] {
  const all = [...test.diagnostics];
  if (test.refused !== undefined && !hasErrors(all)) return [...all, test.refused];
  if (test.file === undefined || flow === undefined || hasErrors(all)) return all;
  const name = test.file.target.value;
  if ("unreadable" in flow) {
    all.push(diagnostic("flowNotFound", test.file.target.span, [name, flow.unreadable]));
    return all;
  }
  const errors = flow.analysis.diagnostics.filter((d) => d.severity === "error");
  if (flow.analysis.flow === undefined || errors.length > 0) {
    // The first errors are enough to go to; a flow of random bytes has hundreds of thousands.
    const related = errors.slice(0, MAX_RELATED).map((d) => ({ span: d.span, message: `${d.code}: ${d.message}` }));
    all.push(diagnostic("flowHasErrors", test.file.target.span, [name], undefined, related));
    return all;
  }
  all.push(...checkFlowTest(test.file, flow.analysis.flow));
  return all;
}

/** The outline: each test, with its input blocks, mocks and expectations. */
export function flowtestSymbols(test: FlowtestAnalysis, document: TextDocument): DocumentSymbol[] {
  const file = test.file;
  if (file === undefined) return [];
  return file.tests.map((t) => {
    const children = t.items.map((item) => {
      const [name, kind, selection] =
        item.kind === "Mock"
          ? [`mock ${item.widget.name}`, SymbolKind.Function, item.widget.span]
          : item.kind === "InputBlock"
            ? [item.keyword, SymbolKind.Variable, item.span]
            : ["expect", SymbolKind.Event, item.span];
      return DocumentSymbol.create(name, undefined, kind, rangeOf(document, item.span), rangeOf(document, selection));
    });
    const range = rangeOf(document, t.span);
    return DocumentSymbol.create(
      t.name.value,
      "test",
      SymbolKind.Method,
      range,
      rangeOf(document, t.name.span),
      children,
    );
  });
}

/** Tokens after which a name is a widget id of the flow, and which widgets the checker takes there. */
const isHttp = (widget: Widget): boolean => widget.kind === "HttpWidget";
const any = (): boolean => true;
const WIDGET_AFTER: ReadonlyMap<TokenType, (widget: Widget) => boolean> = new Map([
  [t.Mock, isHttp],
  [t.Attempts, isHttp],
  [t.Path, any],
  [t.keyword("end"), any],
]);

/**
 * Widget ids after `mock` and `attempts` (http widgets only, as the checker wants) and after `end`
 * or in a `path` list (any widget); at the start of an item, the flow's variables and the keywords
 * an expectation may begin with (from the grammar) in `expect`, its globals in `globals`, its
 * configs in `config`, its secrets in `secrets`. The block is read from the recovered tree.
 */
export function completeFlowtest(test: FlowtestAnalysis, offset: number, flow: Analysis): CompletionItem[] {
  const cursor = cursorAt(test.text, offset);
  if (cursor.comment || cursor.string !== undefined) return [];
  const start = pathStart(cursor.before);
  const widgets = start === undefined ? undefined : WIDGET_AFTER.get(start.tokenType);
  if (widgets !== undefined) return widgetIds(flow, widgets);
  if (!cursor.lineStart) return [];
  const block = blockAt(test, cursor.tokens, offset);
  switch (block?.kind) {
    case "ExpectBlock":
      return [
        ...variables(flow),
        ...firstKeywords(flowTestParser(), "expectation").map((label) => ({ label, kind: CompletionItemKind.Keyword })),
      ];
    case "InputBlock":
      if (block.keyword === "secrets") return secrets(flow);
      return variables(flow, (decl) => decl.scope === (block.keyword === "globals" ? "global" : "config"));
    default:
      return [];
  }
}

/** The token before the name being typed; in a `path` list (`path a, b, `), the `path` itself. */
function pathStart(before: readonly IToken[]): IToken | undefined {
  let i = before.length - 1;
  while (
    before[i]?.tokenType === t.Comma &&
    before[i - 1] !== undefined &&
    tokenMatcher(before[i - 1] as IToken, t.Name)
  )
    i -= 2;
  const found = before[i];
  // A comma that does not follow a path list's names is no path.
  return i < before.length - 1 && found?.tokenType !== t.Path ? undefined : found;
}

/** The input or expect block whose own braces hold the cursor (not a value's braces inside it). */
function blockAt(test: FlowtestAnalysis, tokens: readonly IToken[], offset: number): TestItem | undefined {
  const item = test.file?.tests
    .flatMap((c) => c.items)
    .find((i) => i.span.offset < offset && offset < i.span.offset + i.span.length);
  if (item === undefined) return undefined;
  // The innermost `{` still open at the cursor must be the block's own, its first.
  let depth = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as IToken;
    if (token.tokenType === t.RCurly) depth++;
    else if (token.tokenType === t.LCurly && depth-- === 0) {
      const own = firstBrace(tokens, item.span.offset);
      return own === token ? item : undefined;
    }
  }
  return undefined;
}
