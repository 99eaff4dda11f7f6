// `callflow lsp`: the language server, over stdin and stdout. Every request reads the analysis of
// the document's current version (made once per version, by the same front end as `callflow
// check`); diagnostics follow each change at once, or once a burst of changes pauses. No handler
// may take the server down: an error is logged to the client and the request gets an empty answer.
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format as formatLog } from "node:util";
import {
  CodeActionKind,
  createConnection,
  ErrorCodes,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type SemanticTokens,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { formatFlowTest } from "../grammar/flowtest-printer.js";
import { formatSource } from "../grammar/printer.js";
import type { Span } from "../grammar/spans.js";
import { codeActions } from "./actions.js";
import { analyze, emptyAnalysis, occurrenceAt, occurrencesOf, type Analysis, type Occurrence } from "./analysis.js";
import { complete } from "./completion.js";
import { docsLinks, toLspDiagnostic } from "./diagnostics.js";
import { hover } from "./hover.js";
import { environmentDiagnostics, projectFor, projectLocation } from "./environments.js";
import { budgetDiagnostics } from "./time-budget.js";
import {
  analyzeFlowtest,
  completeFlowtest,
  flowtestDiagnostics,
  flowtestSymbols,
  type FlowtestAnalysis,
} from "./flowtest.js";
import { definition, prepareRename, references, renameAcross, testLocations, type Opened } from "./navigation.js";
import { documentSymbols, foldingRanges, semanticTokens, SEMANTIC_TOKENS_LEGEND } from "./outline.js";
import { offsetOf, rangeAt, rangeOf } from "./positions.js";
import { FramingGuard } from "./transport.js";

/** Changes closer together than this are a burst: diagnostics wait until it pauses this long. */
export const DIAGNOSTICS_DELAY_MS = 30;

/**
 * Diagnostics published per document, in source order. Random bytes give hundreds of thousands,
 * which no editor lists usefully and which would take the connection seconds to carry.
 */
export const MAX_DIAGNOSTICS = 1000;

/** A flow a test file names is read from disk up to this size (the 5 MB flows the server is tested on fit). */
const MAX_FLOW_BYTES = 64 * 1024 * 1024;

export function startServer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Connection {
  // Misframed input cannot be read further: the server exits with the reason, and the editor restarts it.
  const framed = input.pipe(
    new FramingGuard((reason) => {
      process.stderr.write(`callflow lsp: ${reason}; exiting, the editor starts a new server\n`);
      process.exit(2);
    }),
  );
  const connection = createConnection(framed, output);
  redirectConsole(connection);
  process.on("uncaughtException", (error) => connection.console.error(`uncaught: ${describe(error)}`));
  process.on("unhandledRejection", (error) => connection.console.error(`unhandled rejection: ${describe(error)}`));

  const documents = new TextDocuments(TextDocument);
  const links = docsLinks(import.meta.url);
  const cache = new Map<string, { readonly version: number; readonly analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();

  // A `.flowtest` document has its own analysis; the `.flow` features it lacks (hover, folding,
  // semantic tokens, code actions) see an empty one.
  const testCache = new Map<string, { readonly version: number; readonly analysis: FlowtestAnalysis }>();
  const isFlowtest = (document: TextDocument) => document.uri.endsWith(".flowtest");
  const fileOf = (uri: string) => (uri.startsWith("file:") ? fileURLToPath(uri) : uri);

  function analysisOf(document: TextDocument): Analysis {
    const cached = cache.get(document.uri);
    if (cached?.version === document.version) return cached.analysis;
    const text = document.getText();
    let analysis: Analysis;
    try {
      analysis = isFlowtest(document) ? emptyAnalysis(text) : analyze(text, fileOf(document.uri));
    } catch (error) {
      connection.console.error(`checking ${document.uri} failed: ${describe(error)}`);
      analysis = emptyAnalysis(text);
    }
    cache.set(document.uri, { version: document.version, analysis });
    return analysis;
  }

  function testAnalysisOf(document: TextDocument): FlowtestAnalysis {
    const cached = testCache.get(document.uri);
    if (cached?.version === document.version) return cached.analysis;
    const text = document.getText();
    let analysis: FlowtestAnalysis;
    try {
      analysis = analyzeFlowtest(text, fileOf(document.uri));
    } catch (error) {
      connection.console.error(`checking ${document.uri} failed: ${describe(error)}`);
      analysis = { text, file: undefined, diagnostics: [], flowPath: undefined, occurrences: [] };
    }
    testCache.set(document.uri, { version: document.version, analysis });
    return analysis;
  }

  /** The flow at a path: the editor's text when it has the file open, else the file on disk. */
  function flowAt(flowPath: string): Opened<Analysis> | { readonly unreadable: string } {
    const open = documents.all().find((d) => !isFlowtest(d) && fileOf(d.uri) === flowPath);
    if (open !== undefined) return { uri: open.uri, document: open, analysis: analysisOf(open) };
    let text: string;
    let fd: number | undefined;
    try {
      // A FIFO opens at once with O_NONBLOCK; checked and read on the descriptor, what is checked is what is read.
      fd = openSync(flowPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      const stat = fstatSync(fd);
      if (!stat.isFile()) return { unreadable: "not a file" };
      if (stat.size > MAX_FLOW_BYTES) return { unreadable: `larger than ${MAX_FLOW_BYTES} bytes` };
      text = readFileSync(fd, "utf8");
    } catch (error) {
      return { unreadable: (error as NodeJS.ErrnoException).code ?? String(error) };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const uri = pathToFileURL(flowPath).href;
    return { uri, document: TextDocument.create(uri, "flow", 0, text), analysis: analyze(text, flowPath) };
  }

  /** The flow a test file names, when it names one and it can be read. */
  function flowOfTest(test: FlowtestAnalysis): Opened<Analysis> | undefined {
    if (test.flowPath === undefined) return undefined;
    const flow = flowAt(test.flowPath);
    return "unreadable" in flow ? undefined : flow;
  }

  /** The open test files that name the flow at a path. */
  function testsOf(flowPath: string): Opened<FlowtestAnalysis>[] {
    return documents
      .all()
      .filter(isFlowtest)
      .map((document) => ({ uri: document.uri, document, analysis: testAnalysisOf(document) }))
      .filter((test) => test.analysis.flowPath === flowPath);
  }

  /** The `.flow` diagnostics, or what `callflow check` reports for a test file against its flow. */
  function diagnosticsOf(document: TextDocument) {
    if (!isFlowtest(document)) {
      const analysis = analysisOf(document);
      const project = document.uri.startsWith("file:") ? projectFor(fileOf(document.uri)) : undefined;
      return [
        ...analysis.diagnostics,
        ...environmentDiagnostics(analysis.flow, project),
        ...budgetDiagnostics(analysis, project),
      ].map((d) => ({
        d,
        elsewhere: projectLocation,
      }));
    }
    const test = testAnalysisOf(document);
    const flow = test.flowPath === undefined ? undefined : flowAt(test.flowPath);
    // The flow's errors, related to CF3002, are placed in the flow's document.
    const elsewhere = (span: Span) =>
      flow !== undefined && "document" in flow && span.file === test.flowPath
        ? { uri: flow.uri, range: rangeOf(flow.document, span) }
        : undefined;
    return flowtestDiagnostics(test, flow).map((d) => ({ d, elsewhere }));
  }

  function publish(uri: string): void {
    timers.delete(uri);
    const document = documents.get(uri);
    if (document === undefined) return;
    guard("diagnostics", undefined, () => {
      const all = diagnosticsOf(document);
      const diagnostics = all
        .slice(0, MAX_DIAGNOSTICS)
        .map(({ d, elsewhere }) => toLspDiagnostic(d, document, links, elsewhere));
      if (all.length > MAX_DIAGNOSTICS)
        connection.console.info(`${uri}: ${all.length} diagnostics, the first ${MAX_DIAGNOSTICS} are shown`);
      void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
    });
  }

  function schedule(uri: string, delay: number): void {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => publish(uri), delay),
    );
  }

  /** Runs a handler; on an error logs it and answers `fallback`. */
  function guard<T>(name: string, fallback: T, run: () => T): T {
    try {
      return run();
    } catch (error) {
      connection.console.error(`${name} failed: ${describe(error)}`);
      return fallback;
    }
  }

  /** The document and the cursor's offset for a position request. */
  function at<T>(
    name: string,
    fallback: T,
    params: { textDocument: { uri: string }; position: { line: number; character: number } },
    run: (analysis: Analysis, document: TextDocument, offset: number) => T,
  ): T {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined || isFlowtest(document)) return fallback;
    return guard(name, fallback, () => run(analysisOf(document), document, offsetOf(document, params.position)));
  }

  connection.onInitialize((): InitializeResult => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Full },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: { triggerCharacters: [".", ">", "{"] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      foldingRangeProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
      semanticTokensProvider: {
        legend: SEMANTIC_TOKENS_LEGEND,
        full: true,
      },
    },
    serverInfo: { name: "callflow" },
  }));

  // Fired on open too. A change after a quiet while (an opened file, a keystroke at typing speed)
  // is checked at once; changes that come faster wait until the burst pauses, so a held-down key
  // or a paste of many edits costs one check, not one per change.
  const lastChange = new Map<string, number>();
  documents.onDidChangeContent((event) => {
    const uri = event.document.uri;
    const now = performance.now();
    const previous = lastChange.get(uri);
    lastChange.set(uri, now);
    const quiet = previous === undefined || now - previous >= DIAGNOSTICS_DELAY_MS;
    schedule(uri, quiet && !timers.has(uri) ? 0 : DIAGNOSTICS_DELAY_MS);
    recheckTestsOf(event.document);
  });
  documents.onDidClose((event) => {
    clearTimeout(timers.get(event.document.uri));
    timers.delete(event.document.uri);
    lastChange.delete(event.document.uri);
    cache.delete(event.document.uri);
    testCache.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
    // Its tests now read the flow from disk.
    recheckTestsOf(event.document);
  });

  /** A flow's open test files are checked against its new text once a burst of changes pauses. */
  function recheckTestsOf(document: TextDocument): void {
    if (isFlowtest(document)) return;
    guard("diagnostics", undefined, () => {
      for (const test of testsOf(fileOf(document.uri))) schedule(test.uri, DIAGNOSTICS_DELAY_MS);
    });
  }

  /**
   * For a position request in a test file: the name under the cursor, its flow, and the offset of
   * the name's declaration in the flow (undefined when the flow does not declare it).
   */
  function inTest<T>(
    name: string,
    fallback: T,
    params: { textDocument: { uri: string }; position: { line: number; character: number } },
    run: (at: Occurrence, flow: Opened<Analysis>, declared: number | undefined, document: TextDocument) => T,
  ): T {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined || !isFlowtest(document)) return fallback;
    return guard(name, fallback, () => {
      const test = testAnalysisOf(document);
      const at = occurrenceAt(test, offsetOf(document, params.position));
      const flow = flowOfTest(test);
      if (at === undefined || flow === undefined) return fallback;
      const declared = occurrencesOf(flow.analysis, at.name, at.namespace).find((o) => o.definition)?.offset;
      return run(at, flow, declared, document);
    });
  }

  connection.onHover(
    (params) =>
      at("hover", null, params, (analysis, document, offset) =>
        hover(
          analysis,
          document,
          offset,
          document.uri.startsWith("file:") ? projectFor(fileOf(document.uri)) : undefined,
        ),
      ) ??
      // A name in a test file is described as at its declaration, over the name's range here.
      inTest("hover", null, params, (name, flow, declared, document) => {
        const found = declared === undefined ? null : hover(flow.analysis, flow.document, declared);
        return found === null ? null : { ...found, range: rangeAt(document, name.offset, name.offset + name.length) };
      }),
  );

  /** The flow document a position request in a `.flow` is about. */
  const opened = (document: TextDocument, analysis: Analysis): Opened<Analysis> => ({
    uri: document.uri,
    document,
    analysis,
  });

  connection.onDefinition(
    (params) =>
      at("definition", null, params, definition) ??
      inTest("definition", null, params, (_at, flow, declared) =>
        declared === undefined ? null : definition(flow.analysis, flow.document, declared),
      ),
  );
  connection.onReferences((params) => {
    const include = params.context.includeDeclaration;
    const inFlow = at("references", undefined, params, (analysis, document, offset) => {
      const name = occurrenceAt(analysis, offset);
      if (name === undefined) return [];
      return [
        ...references(analysis, document, offset, include),
        ...testLocations(testsOf(fileOf(document.uri)), name.name, name.namespace),
      ];
    });
    return (
      inFlow ??
      inTest("references", [], params, (name, flow) => {
        const inFlowFile = occurrencesOf(flow.analysis, name.name, name.namespace)[0];
        return [
          ...(inFlowFile === undefined ? [] : references(flow.analysis, flow.document, inFlowFile.offset, include)),
          ...testLocations(testsOf(fileOf(flow.uri)), name.name, name.namespace),
        ];
      })
    );
  });
  connection.onPrepareRename(
    (params) =>
      at("prepareRename", null, params, prepareRename) ??
      // A name the flow does not declare has nothing to rename with it.
      inTest("prepareRename", null, params, (name, _flow, declared, document) =>
        declared === undefined
          ? null
          : { range: rangeAt(document, name.offset, name.offset + name.length), placeholder: name.name },
      ),
  );
  connection.onRenameRequest(
    (params) =>
      at("rename", null, params, (analysis, document, offset) =>
        renameAcross(opened(document, analysis), testsOf(fileOf(document.uri)), offset, params.newName),
      ) ??
      inTest("rename", null, params, (_at, flow, declared) =>
        declared === undefined
          ? new ResponseError(ErrorCodes.InvalidRequest, "The flow declares no such name: there is nothing to rename.")
          : renameAcross(flow, testsOf(fileOf(flow.uri)), declared, params.newName),
      ),
  );
  connection.onCompletion((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    if (!isFlowtest(document))
      return at("completion", [], params, (analysis, _document, offset) => complete(analysis, offset));
    return guard("completion", [], () => {
      const test = testAnalysisOf(document);
      const flow = flowOfTest(test);
      return flow === undefined ? [] : completeFlowtest(test.text, offsetOf(document, params.position), flow.analysis);
    });
  });
  connection.onDocumentSymbol((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    return guard("symbols", [], () =>
      isFlowtest(document)
        ? flowtestSymbols(testAnalysisOf(document), document)
        : documentSymbols(analysisOf(document), document),
    );
  });
  connection.onFoldingRanges((params) => {
    const document = documents.get(params.textDocument.uri);
    return document === undefined ? [] : guard("folding", [], () => foldingRanges(analysisOf(document), document));
  });
  connection.onDocumentFormatting((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    return guard("formatting", [], () => {
      const text = document.getText();
      // The same functions as `callflow fmt`; a file with syntax errors is left as it is.
      const file = fileOf(document.uri);
      const formatted = isFlowtest(document) ? formatFlowTest(text, file).text : formatSource(text, file).text;
      if (formatted === undefined || formatted === text) return [];
      return [{ range: rangeAt(document, 0, text.length), newText: formatted }];
    });
  });
  connection.onCodeAction((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    return guard("codeAction", [], () =>
      codeActions(analysisOf(document), document, params.range, params.context.diagnostics),
    );
  });
  connection.languages.semanticTokens.on((params) => {
    const document = documents.get(params.textDocument.uri);
    const empty: SemanticTokens = { data: [] };
    if (document === undefined) return empty;
    return guard("semanticTokens", empty, () => semanticTokens(analysisOf(document), document));
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

/** Anything a dependency prints goes to the client's log: stdout carries the protocol only. */
function redirectConsole(connection: Connection): void {
  console.log = (...args: unknown[]) => connection.console.log(formatLog(...args));
  console.info = (...args: unknown[]) => connection.console.info(formatLog(...args));
  console.debug = (...args: unknown[]) => connection.console.log(formatLog(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(formatLog(...args));
  console.error = (...args: unknown[]) => connection.console.error(formatLog(...args));
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
