// The services of a `.flow` document: its own analysis, the environments of its project, and the
// open test files that name it (their names are found, renamed and rechecked with the flow's).
import type { TextDocument } from "vscode-languageserver-textdocument";
import { formatSource } from "../grammar/printer.js";
import { codeActions } from "./actions.js";
import { occurrenceAt } from "./analysis.js";
import { complete } from "./completion.js";
import { environmentDiagnostics, projectFor, projectLocation } from "./environments.js";
import { budgetDiagnostics } from "./time-budget.js";
import { hover } from "./hover.js";
import { definition, prepareRename, references, renameAcross, testLocations } from "./navigation.js";
import { documentSymbols, foldingRanges, semanticTokens } from "./outline.js";
import { replaceAll, type LanguageServices } from "./services.js";
import { fileOf, type Workspace } from "./workspace.js";

export function flowServices(workspace: Workspace): LanguageServices {
  const analysisOf = (document: TextDocument) => workspace.flowAnalysis(document);
  /** The project of a file on disk; an untitled document has none. */
  const projectOf = (document: TextDocument) =>
    document.uri.startsWith("file:") ? projectFor(fileOf(document.uri)) : undefined;
  const testsOf = (document: TextDocument) => workspace.testsOf(fileOf(document.uri));
  return {
    diagnostics(document) {
      const analysis = analysisOf(document);
      const project = projectOf(document);
      return [
        ...analysis.diagnostics,
        ...environmentDiagnostics(analysis.flow, project),
        ...budgetDiagnostics(analysis, project),
      ].map((d) => ({
        d,
        elsewhere: projectLocation,
      }));
    },
    dependents: (document) => testsOf(document).map((test) => test.uri),
    hover: (document, offset) => hover(analysisOf(document), document, offset, projectOf(document)),
    definition: (document, offset) => definition(analysisOf(document), document, offset),
    references(document, offset, includeDeclaration) {
      const analysis = analysisOf(document);
      const name = occurrenceAt(analysis, offset);
      if (name === undefined) return [];
      return [
        ...references(analysis, document, offset, includeDeclaration),
        ...testLocations(testsOf(document), name.name, name.namespace),
      ];
    },
    prepareRename: (document, offset) => prepareRename(analysisOf(document), document, offset),
    rename: (document, offset, newName) =>
      renameAcross({ uri: document.uri, document, analysis: analysisOf(document) }, testsOf(document), offset, newName),
    completion: (document, offset) => complete(analysisOf(document), offset),
    symbols: (document) => documentSymbols(analysisOf(document), document),
    folding: (document) => foldingRanges(analysisOf(document), document),
    formatting: (document) => replaceAll(document, formatSource(document.getText(), fileOf(document.uri)).text),
    codeActions: (document, range, diagnostics) => codeActions(analysisOf(document), document, range, diagnostics),
    semanticTokens: (document) => semanticTokens(analysisOf(document), document),
  };
}
