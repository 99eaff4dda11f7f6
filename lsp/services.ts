// One services object per language, as Langium has: every feature the server offers, for one kind
// of document. The handlers choose the services once per document (by the language the document
// store gave it) and never ask which language a document is.
import type {
  CodeAction,
  CompletionItem,
  Diagnostic as LspDiagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  Location,
  Range,
  ResponseError,
  SemanticTokens,
  TextEdit,
  WorkspaceEdit,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/spans.js";
import { rangeAt } from "./positions.js";

/** A diagnostic to publish, and where a related place that lies in another file goes. */
export interface Reported {
  readonly d: Diagnostic;
  readonly elsewhere: (span: Span) => Location | undefined;
}

export interface LanguageServices {
  /** What `callflow check` reports on the document. */
  diagnostics(document: TextDocument): Reported[];
  /** The open documents whose diagnostics depend on this one's text (a flow's test files). */
  dependents(document: TextDocument): string[];
  hover(document: TextDocument, offset: number): Hover | null;
  definition(document: TextDocument, offset: number): Location | null;
  references(document: TextDocument, offset: number, includeDeclaration: boolean): Location[];
  prepareRename(document: TextDocument, offset: number): { range: Range; placeholder: string } | null;
  rename(document: TextDocument, offset: number, newName: string): WorkspaceEdit | ResponseError | null;
  completion(document: TextDocument, offset: number): CompletionItem[];
  symbols(document: TextDocument): DocumentSymbol[];
  folding(document: TextDocument): FoldingRange[];
  /** The same functions as `callflow fmt`: a file with syntax errors is left as it is. */
  formatting(document: TextDocument): TextEdit[];
  codeActions(document: TextDocument, range: Range, diagnostics: readonly LspDiagnostic[]): CodeAction[];
  semanticTokens(document: TextDocument): SemanticTokens;
}

/** The whole document replaced by `formatted`, unless formatting failed or changed nothing. */
export function replaceAll(document: TextDocument, formatted: string | undefined): TextEdit[] {
  const text = document.getText();
  if (formatted === undefined || formatted === text) return [];
  return [{ range: rangeAt(document, 0, text.length), newText: formatted }];
}
