// `callflow lsp`: the language server, over stdin and stdout. Every request reads the analysis of
// the document's current version (made once per version, by the same front end as `callflow
// check`); diagnostics follow each change at once, or once a burst of changes pauses. No handler
// may take the server down: an error is logged to the client and the request gets an empty answer.
import { fileURLToPath } from "node:url";
import { format as formatLog } from "node:util";
import {
  CodeActionKind,
  createConnection,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type SemanticTokens,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { formatSource } from "../grammar/printer.js";
import { codeActions } from "./actions.js";
import { analyze, emptyAnalysis, type Analysis } from "./analysis.js";
import { complete } from "./completion.js";
import { docsLinks, toLspDiagnostic } from "./diagnostics.js";
import { hover } from "./hover.js";
import { definition, prepareRename, references, rename } from "./navigation.js";
import { documentSymbols, foldingRanges, semanticTokens, SEMANTIC_TOKENS_LEGEND } from "./outline.js";
import { offsetOf, rangeAt } from "./positions.js";

/** Changes closer together than this are a burst: diagnostics wait until it pauses this long. */
export const DIAGNOSTICS_DELAY_MS = 30;

/**
 * Diagnostics published per document, in source order. Random bytes give hundreds of thousands,
 * which no editor lists usefully and which would take the connection seconds to carry.
 */
export const MAX_DIAGNOSTICS = 1000;

export function startServer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Connection {
  const connection = createConnection(input, output);
  redirectConsole(connection);
  process.on("uncaughtException", (error) => connection.console.error(`uncaught: ${describe(error)}`));
  process.on("unhandledRejection", (error) => connection.console.error(`unhandled rejection: ${describe(error)}`));

  const documents = new TextDocuments(TextDocument);
  const links = docsLinks(import.meta.url);
  const cache = new Map<string, { readonly version: number; readonly analysis: Analysis }>();
  const timers = new Map<string, NodeJS.Timeout>();

  // `.flowtest` files are accepted without features until their front end exists (issue 14).
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

  function publish(uri: string): void {
    timers.delete(uri);
    const document = documents.get(uri);
    if (document === undefined) return;
    guard("diagnostics", undefined, () => {
      const all = analysisOf(document).diagnostics;
      const diagnostics = all.slice(0, MAX_DIAGNOSTICS).map((d) => toLspDiagnostic(d, document, links));
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
  });
  documents.onDidClose((event) => {
    clearTimeout(timers.get(event.document.uri));
    timers.delete(event.document.uri);
    lastChange.delete(event.document.uri);
    cache.delete(event.document.uri);
    void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  });

  connection.onHover((params) => at("hover", null, params, hover));
  connection.onDefinition((params) => at("definition", null, params, definition));
  connection.onReferences((params) =>
    at("references", [], params, (analysis, document, offset) =>
      references(analysis, document, offset, params.context.includeDeclaration),
    ),
  );
  connection.onPrepareRename((params) => at("prepareRename", null, params, prepareRename));
  connection.onRenameRequest((params) => {
    const result = at("rename", null, params, (analysis, document, offset) =>
      rename(analysis, document, offset, params.newName),
    );
    if (result === null || result instanceof ResponseError) return result;
    return { changes: { [params.textDocument.uri]: result } };
  });
  connection.onCompletion((params) =>
    at("completion", [], params, (analysis, _document, offset) => complete(analysis, offset)),
  );
  connection.onDocumentSymbol((params) => {
    const document = documents.get(params.textDocument.uri);
    return document === undefined ? [] : guard("symbols", [], () => documentSymbols(analysisOf(document), document));
  });
  connection.onFoldingRanges((params) => {
    const document = documents.get(params.textDocument.uri);
    return document === undefined ? [] : guard("folding", [], () => foldingRanges(analysisOf(document), document));
  });
  connection.onDocumentFormatting((params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined || isFlowtest(document)) return [];
    return guard("formatting", [], () => {
      const text = document.getText();
      // The same function as `callflow fmt`; a file with syntax errors is left as it is.
      const formatted = formatSource(text, fileOf(document.uri)).text;
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
