// The outline (flow, declarations, widgets by kind), folding ranges and semantic tokens, from the
// recovered tree and the analysis's names.
import {
  FoldingRangeKind,
  SemanticTokensBuilder,
  SymbolKind,
  type DocumentSymbol,
  type FoldingRange,
  type SemanticTokens,
  type SemanticTokensLegend,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Span, Widget } from "../grammar/ast.js";
import { visit } from "../grammar/visitor.js";
import { specOf } from "../grammar/widgets.js";
import type { Analysis } from "./analysis.js";
import { lineOf, lineStart, positionOf, rangeOf } from "./positions.js";

/** Each widget kind as the nearest LSP symbol kind, so editors show it with its own icon. */
const WIDGET_SYMBOL: Readonly<Record<Widget["kind"], SymbolKind>> = {
  HttpWidget: SymbolKind.Function,
  ConditionWidget: SymbolKind.Boolean,
  SetWidget: SymbolKind.Field,
  SendWidget: SymbolKind.Event,
  RouteWidget: SymbolKind.Interface,
  EndWidget: SymbolKind.Null,
};

export function documentSymbols(analysis: Analysis, document: TextDocument): DocumentSymbol[] {
  const flow = analysis.flow;
  if (flow === undefined) return [];
  const children: DocumentSymbol[] = [];
  for (const decl of flow.declarations) {
    const detail =
      decl.kind === "SecretDecl" ? "secret" : `${decl.scope} ${decl.type.name}${decl.masked ? " masked" : ""}`;
    children.push({
      name: decl.name.name,
      detail,
      kind: decl.kind === "SecretDecl" ? SymbolKind.Key : SymbolKind.Variable,
      range: rangeOf(document, decl.span),
      selectionRange: rangeOf(document, decl.name.span),
    });
  }
  for (const widget of flow.widgets) {
    const title = widget.displayName === undefined ? "" : ` "${widget.displayName.value}"`;
    children.push({
      name: widget.id.name,
      detail: `${specOf(widget).keyword}${title}`,
      kind: WIDGET_SYMBOL[widget.kind],
      range: rangeOf(document, widget.span),
      selectionRange: rangeOf(document, widget.id.span),
    });
  }
  return [
    {
      name: flow.id.name,
      detail: flow.displayName === undefined ? "flow" : `flow "${flow.displayName.value}"`,
      kind: SymbolKind.Module,
      range: rangeOf(document, flow.span),
      selectionRange: rangeOf(document, flow.id.span),
      children,
    },
  ];
}

/**
 * Braced blocks that span lines (the flow, widgets, `query`, `headers`, `results`, bodies, objects,
 * arrays) and runs of comment lines. A block folds up to the line before its closing bracket,
 * so that the bracket stays in view.
 */
export function foldingRanges(analysis: Analysis, document: TextDocument): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  const block = (span: Span) => {
    const start = lineOf(document, span.offset);
    const end = lineOf(document, span.offset + span.length) - 1;
    if (end > start) ranges.push({ startLine: start, endLine: end });
  };
  if (analysis.flow !== undefined)
    visit(analysis.flow, {
      Flow: (node) => block(node.span),
      HttpWidget: (node) => block(node.span),
      ConditionWidget: (node) => block(node.span),
      SetWidget: (node) => block(node.span),
      SendWidget: (node) => block(node.span),
      RouteWidget: (node) => block(node.span),
      EndWidget: (node) => block(node.span),
      KeyValueBlock: (node) => block(node.span),
      ResultsBlock: (node) => block(node.span),
      FormBody: (node) => block(node.span),
      Object: (node) => block(node.span),
      Array: (node) => block(node.span),
      // Nothing inside a string, a name or an expression folds.
      String: () => false,
      Identifier: () => false,
      When: () => false,
    });
  let run: { start: number; end: number } | undefined;
  const flush = () => {
    if (run !== undefined && run.end > run.start)
      ranges.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
    run = undefined;
  };
  for (const comment of analysis.comments) {
    const line = lineOf(document, comment.span.offset);
    // Only comments alone on their line make a foldable run.
    if (analysis.text.slice(lineStart(document, line), comment.span.offset).trim() !== "") continue;
    if (run !== undefined && run.end === line - 1) run.end = line;
    else {
      flush();
      run = { start: line, end: line };
    }
  }
  flush();
  return ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
}

/** Widget ids are functions; variables and secrets variables, secrets `readonly`; targets `modification`. */
export const SEMANTIC_TOKENS_LEGEND: SemanticTokensLegend = {
  tokenTypes: ["function", "variable"],
  tokenModifiers: ["declaration", "readonly", "modification"],
};

/** Tokens for the names only: the TextMate grammars colour keywords, strings and numbers already. */
export function semanticTokens(analysis: Analysis, document: TextDocument): SemanticTokens {
  const builder = new SemanticTokensBuilder();
  const secrets = analysis.scope?.secrets;
  for (const o of analysis.occurrences) {
    const { line, character } = positionOf(document, o.offset);
    const secret = o.secret || (o.namespace === "declaration" && secrets?.has(o.name) === true);
    const modifiers = (o.definition ? 1 : 0) | (secret ? 2 : 0) | (o.write ? 4 : 0);
    builder.push(line, character, o.length, o.namespace === "widget" ? 0 : 1, modifiers);
  }
  return builder.build();
}
