// What the server knows about a `.flowtest` document: its parse (the same `parseFlowTest` as
// `callflow check` and `callflow fmt`), the flow it names, and every widget id and variable it
// names, so that navigation and rename reach from a flow into its tests and back.
import { CompletionItemKind, DocumentSymbol, SymbolKind, type CompletionItem } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Identifier } from "../grammar/ast.js";
import { diagnostic, hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import type { FlowTestFile } from "../grammar/flowtest-ast.js";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import { checkFlowTest } from "../testing/check.js";
import { resolveFlowTarget } from "../testing/target.js";
import type { Analysis, Namespace, Occurrence } from "./analysis.js";
import { secrets, variables, widgetIds } from "./completion.js";
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

/** What may start an expectation besides a variable's name. */
const EXPECT_KEYWORDS = ["path", "end", "route", "fail", "attempts", "sent"];

/**
 * Widget ids after `mock` and `attempts` (http widgets only, as the checker wants) and after `end`
 * or in a `path` list (any widget), from the text before the cursor on its line; at the start of an
 * item, the flow's variables and the expectation keywords in `expect`, its globals in `globals`, its
 * configs in `config`, its secrets in `secrets`.
 */
export function completeFlowtest(text: string, offset: number, flow: Analysis): CompletionItem[] {
  const before = text.slice(text.lastIndexOf("\n", offset - 1) + 1, offset);
  if (/(?:^|[\s{])(?:mock|attempts)\s+\w*$/.test(before)) return widgetIds(flow, (w) => w.kind === "HttpWidget");
  if (/(?:^|[\s{])(?:path\s+(?:\w+\s*,\s*)*|end\s+)\w*$/.test(before)) return widgetIds(flow);
  if (!/(?:^|\{)\s*\w*$/.test(before)) return [];
  switch (openBlocks(text, offset).at(-1)) {
    case "expect":
      return [...variables(flow), ...EXPECT_KEYWORDS.map((label) => ({ label, kind: CompletionItemKind.Keyword }))];
    case "globals":
      return variables(flow, (decl) => decl.scope === "global");
    case "config":
      return variables(flow, (decl) => decl.scope === "config");
    case "secrets":
      return secrets(flow);
    default:
      return [];
  }
}

/**
 * The word before each `{` still open at the offset, innermost last. A scan of the characters, not
 * the tree: a half-typed line inside the block does not parse.
 */
function openBlocks(text: string, offset: number): string[] {
  const stack: string[] = [];
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < offset && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
    } else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? offset : end;
    } else if (c === "{") stack.push(/(\w+)\s*$/.exec(text.slice(Math.max(0, i - 40), i))?.[1] ?? "");
    else if (c === "}") stack.pop();
  }
  return stack;
}
