// Quick fixes for diagnostics with a clear fix, and one refactoring: replace a name with the
// "did you mean" suggestion, declare an undeclared variable, add a missing `else`/`fail`/`next`
// exit pointing at an existing end or route widget, and mark a variable `masked` (a quick fix when a
// masked value is copied into it, a refactoring anywhere else).
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type Range,
  type TextEdit,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { ExitLabel, Expr } from "../grammar/ast.js";
import { visit } from "../grammar/visitor.js";
import { isTerminalWidget } from "../grammar/widgets.js";
import { buildScope, typeLookup } from "../compiler/scope.js";
import { typeOfExpr, typeOfValue, type ValueType } from "../compiler/types.js";
import type { VarType } from "../runtime/contract.js";
import { messages } from "../grammar/diagnostics.js";
import { occurrenceAt, type Analysis } from "./analysis.js";
import type { DiagnosticData } from "./diagnostics.js";
import { lineOf, offsetOf, rangeAt } from "./positions.js";
import { variableNamed } from "./syntax.js";

/** Missing exits the fix can add, by code, with the label it adds. */
const MISSING_EXITS: ReadonlyMap<string, ExitLabel> = new Map([
  [messages.missingElse.code, "else"],
  [messages.missingFailExit.code, "fail"],
  [messages.missingNextExit.code, "next"],
]);
/** At most this many "add an exit" fixes, one per terminal widget. */
const EXIT_CHOICES = 3;

export function codeActions(
  analysis: Analysis,
  document: TextDocument,
  range: Range,
  diagnostics: readonly LspDiagnostic[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  const edit = (title: string, edits: TextEdit[], diagnostic?: LspDiagnostic, preferred = false): CodeAction => ({
    title,
    kind: diagnostic === undefined ? CodeActionKind.RefactorRewrite : CodeActionKind.QuickFix,
    ...(diagnostic === undefined ? {} : { diagnostics: [diagnostic] }),
    ...(preferred ? { isPreferred: true } : {}),
    edit: { changes: { [document.uri]: edits } },
  });
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== "callflow") continue;
    const code = String(diagnostic.code);
    const hint = (diagnostic.data as DiagnosticData | undefined)?.hint;
    const suggestion = hint === undefined ? undefined : /^did you mean '([^']+)'\?$/.exec(hint)?.[1];
    if (suggestion !== undefined) {
      // `secret.NAME` diagnostics cover the prefix: only the name is replaced.
      const written = document.getText(diagnostic.range);
      const newText = written.startsWith("secret.") ? `secret.${suggestion}` : suggestion;
      actions.push(edit(`Change to '${suggestion}'`, [{ range: diagnostic.range, newText }], diagnostic, true));
    }
    if (code === messages.undeclaredVariable.code) {
      const name = document.getText(diagnostic.range);
      const at = declarationInsertion(analysis, document);
      if (at !== undefined && /^\w+$/.test(name)) {
        const type = inferType(analysis, name);
        for (const scope of ["local", "global"])
          actions.push(
            edit(
              `Declare '${scope} ${name}: ${type}'`,
              [{ range: at.range, newText: `${at.indent}${scope} ${name}: ${type}\n` }],
              diagnostic,
            ),
          );
      }
    }
    // CF2037: a masked value copied into an unmasked variable; the hint names the variable.
    const unmasked = hint === undefined ? undefined : /^declare '(\w+)' masked$/.exec(hint)?.[1];
    const mask = unmasked === undefined ? undefined : maskEdit(analysis, document, unmasked);
    if (mask !== undefined) actions.push(edit(`Mark '${unmasked}' as masked`, [mask], diagnostic, true));
    const label = MISSING_EXITS.get(code);
    if (label !== undefined) actions.push(...missingExit(analysis, document, diagnostic, label, edit));
  }
  const masked = markMasked(analysis, document, offsetOf(document, range.start));
  if (masked !== undefined) actions.push(edit(masked.title, [masked.edit]));
  return actions;
}

/**
 * The type a new declaration needs so that its uses check: from what is assigned to it (a `set`
 * value, a result's source) or what it is compared with; `boolean` when it stands alone in a
 * condition; `string` when nothing says.
 */
function inferType(analysis: Analysis, name: string): VarType {
  if (analysis.flow === undefined) return "string";
  const lookup = typeLookup(buildScope(analysis.flow));
  const found: VarType[] = [];
  const note = (type: ValueType | undefined) => {
    if (type !== undefined && type !== "null") found.push(type);
  };
  const named = (e: Expr) => e.kind === "VarRef" && e.name === name;
  const condition = (e: Expr) => {
    if (named(e)) found.push("boolean");
  };
  visit(analysis.flow, {
    Assignment: (a) => {
      if (a.target.name === name) note(typeOfValue(a.value, lookup));
    },
    ResultMapping: (m) => {
      if (m.target.name !== name) return;
      const source = m.source.kind;
      found.push(source === "StatusSource" ? "number" : source === "HeaderSource" ? "string" : "json");
    },
    When: (w) => condition(w.condition),
    Not: (n) => condition(n.operand),
    Binary: (b) => {
      if (b.op === "and" || b.op === "or") {
        condition(b.left);
        condition(b.right);
      } else if (b.op !== "contains") {
        if (named(b.left)) note(typeOfExpr(b.right, lookup));
        if (named(b.right)) note(typeOfExpr(b.left, lookup));
      }
    },
  });
  return found[0] ?? "string";
}

/** After the last declaration, or on the line after the flow's `{`, indented as the flow's items. */
function declarationInsertion(
  analysis: Analysis,
  document: TextDocument,
): { range: Range; indent: string } | undefined {
  const flow = analysis.flow;
  if (flow === undefined) return undefined;
  const last = flow.declarations.at(-1);
  const anchor = last?.span ?? flow.start?.span ?? flow.widgets[0]?.span;
  if (anchor === undefined) return undefined;
  const line = lineOf(document, anchor.offset);
  const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? "  ";
  const insertLine = last === undefined ? line : lineOf(document, last.span.offset + last.span.length) + 1;
  const position = { line: insertLine, character: 0 };
  return { range: { start: position, end: position }, indent };
}

function missingExit(
  analysis: Analysis,
  document: TextDocument,
  diagnostic: LspDiagnostic,
  label: ExitLabel,
  edit: (title: string, edits: TextEdit[], diagnostic?: LspDiagnostic) => CodeAction,
): CodeAction[] {
  const start = offsetOf(document, diagnostic.range.start);
  const widget = analysis.flow?.widgets.find((w) => w.id.span.offset === start);
  if (widget === undefined) return [];
  const close = widget.span.offset + widget.span.length - 1;
  const text = analysis.text;
  if (text[close] !== "}") return [];
  const terminals = (analysis.flow?.widgets ?? []).filter((w) => isTerminalWidget(w) && w !== widget);
  const lineStart = text.lastIndexOf("\n", close - 1) + 1;
  const beforeClose = text.slice(lineStart, close);
  return terminals.slice(0, EXIT_CHOICES).map((terminal) => {
    const exit = `${label} -> ${terminal.id.name}`;
    // A `}` alone on its line gets the exit on a line of its own; a one-line widget gets it inline.
    const newText =
      beforeClose.trim() === "" ? `${beforeClose}  ${exit}\n` : `${beforeClose.endsWith(" ") ? "" : " "}${exit} `;
    const at = beforeClose.trim() === "" ? lineStart : close;
    return edit(`Add '${exit}'`, [{ range: rangeAt(document, at, at), newText }], diagnostic);
  });
}

/** On a variable that is not masked: append ` masked` to its declaration. */
function markMasked(
  analysis: Analysis,
  document: TextDocument,
  offset: number,
): { title: string; edit: TextEdit } | undefined {
  const at = occurrenceAt(analysis, offset);
  if (at === undefined || at.namespace !== "declaration") return undefined;
  const edit = maskEdit(analysis, document, at.name);
  return edit === undefined ? undefined : { title: `Mark '${at.name}' as masked`, edit };
}

/** ` masked` after a variable's declaration (its type or default), unless it is masked already. */
function maskEdit(analysis: Analysis, document: TextDocument, name: string): TextEdit | undefined {
  const decl = variableNamed(analysis.flow, name);
  if (decl === undefined || decl.masked) return undefined;
  const end = decl.span.offset + decl.span.length;
  return { range: rangeAt(document, end, end), newText: " masked" };
}
