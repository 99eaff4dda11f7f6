// The services of a `.flowtest` document. A name in a test file (a widget id, a variable) belongs
// to the flow the file names: hover, definition, references and rename answer as at the name's
// declaration in that flow. A test file has no folding or semantic tokens of its own.
import { ErrorCodes, ResponseError } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { formatFlowTest } from "../grammar/flowtest-printer.js";
import type { Span } from "../grammar/spans.js";
import { codeActions } from "./actions.js";
import { emptyAnalysis, occurrenceAt, occurrencesOf, type Analysis, type Occurrence } from "./analysis.js";
import { completeFlowtest, flowtestDiagnostics, flowtestSymbols } from "./flowtest.js";
import { hover } from "./hover.js";
import { definition, references, renameAcross, testLocations, type Opened } from "./navigation.js";
import { rangeAt, rangeOf } from "./positions.js";
import { replaceAll, type LanguageServices } from "./services.js";
import { fileOf, type Workspace } from "./workspace.js";

/** The name under the cursor in a test file, its flow, and the offset of its declaration there (if any). */
interface NameInTest {
  readonly at: Occurrence;
  readonly flow: Opened<Analysis>;
  readonly declared: number | undefined;
}

export function flowtestServices(workspace: Workspace): LanguageServices {
  const analysisOf = (document: TextDocument) => workspace.testAnalysis(document);
  function nameAt(document: TextDocument, offset: number): NameInTest | undefined {
    const test = analysisOf(document);
    const at = occurrenceAt(test, offset);
    const flow = workspace.flowOfTest(test);
    if (at === undefined || flow === undefined) return undefined;
    const declared = occurrencesOf(flow.analysis, at.name, at.namespace).find((o) => o.definition)?.offset;
    return { at, flow, declared };
  }
  const nameRange = (document: TextDocument, name: Occurrence) =>
    rangeAt(document, name.offset, name.offset + name.length);
  return {
    diagnostics(document) {
      const test = analysisOf(document);
      const flow = test.flowPath === undefined ? undefined : workspace.flowAt(test.flowPath);
      // The flow's errors, related to CF3002, are placed in the flow's document.
      const elsewhere = (span: Span) =>
        flow !== undefined && "document" in flow && span.file === test.flowPath
          ? { uri: flow.uri, range: rangeOf(flow.document, span) }
          : undefined;
      return flowtestDiagnostics(test, flow).map((d) => ({ d, elsewhere }));
    },
    dependents: () => [],
    hover(document, offset) {
      const name = nameAt(document, offset);
      if (name?.declared === undefined) return null;
      const found = hover(name.flow.analysis, name.flow.document, name.declared);
      return found === null ? null : { ...found, range: nameRange(document, name.at) };
    },
    definition(document, offset) {
      const name = nameAt(document, offset);
      return name?.declared === undefined ? null : definition(name.flow.analysis, name.flow.document, name.declared);
    },
    references(document, offset, includeDeclaration) {
      const name = nameAt(document, offset);
      if (name === undefined) return [];
      const { at, flow } = name;
      const inFlowFile = occurrencesOf(flow.analysis, at.name, at.namespace)[0];
      return [
        ...(inFlowFile === undefined
          ? []
          : references(flow.analysis, flow.document, inFlowFile.offset, includeDeclaration)),
        ...testLocations(workspace.testsOf(fileOf(flow.uri)), at.name, at.namespace),
      ];
    },
    prepareRename(document, offset) {
      const name = nameAt(document, offset);
      // A name the flow does not declare has nothing to rename with it.
      return name?.declared === undefined ? null : { range: nameRange(document, name.at), placeholder: name.at.name };
    },
    rename(document, offset, newName) {
      const name = nameAt(document, offset);
      if (name === undefined) return null;
      return name.declared === undefined
        ? new ResponseError(ErrorCodes.InvalidRequest, "The flow declares no such name: there is nothing to rename.")
        : renameAcross(name.flow, workspace.testsOf(fileOf(name.flow.uri)), name.declared, newName);
    },
    completion(document, offset) {
      const test = analysisOf(document);
      const flow = workspace.flowOfTest(test);
      return flow === undefined ? [] : completeFlowtest(test, offset, flow.analysis);
    },
    symbols: (document) => flowtestSymbols(analysisOf(document), document),
    folding: () => [],
    formatting: (document) => replaceAll(document, formatFlowTest(document.getText(), fileOf(document.uri)).text),
    // The quick fixes that need only the diagnostic (a hint's "did you mean") apply here too.
    codeActions: (document, range, diagnostics) =>
      codeActions(emptyAnalysis(document.getText()), document, range, diagnostics),
    semanticTokens: () => ({ data: [] }),
  };
}
