// `callflow lsp`: the language server, over stdin and stdout. This file only wires the connection,
// the document store (workspace.ts), one services object per language (flow-services.ts,
// flowtest-services.ts), the handlers (handlers.ts, one per feature) and the diagnostics
// publisher (publisher.ts).
import { format as formatLog } from "node:util";
import {
  CodeActionKind,
  createConnection,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from "vscode-languageserver/node";
import { docsLinks } from "./diagnostics.js";
import { flowServices } from "./flow-services.js";
import { flowtestServices } from "./flowtest-services.js";
import { registerHandlers } from "./handlers.js";
import { SEMANTIC_TOKENS_LEGEND } from "./outline.js";
import { DiagnosticsPublisher } from "./publisher.js";
import type { LanguageServices } from "./services.js";
import { FramingGuard } from "./transport.js";
import { describe, Workspace, type Language } from "./workspace.js";

export { DIAGNOSTICS_DELAY_MS, MAX_DIAGNOSTICS } from "./publisher.js";

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

  const workspace = new Workspace((message) => connection.console.error(message));
  const services: Record<Language, LanguageServices> = {
    flow: flowServices(workspace),
    flowtest: flowtestServices(workspace),
  };
  const publisher = new DiagnosticsPublisher(
    connection,
    workspace,
    (document) => services[workspace.languageOf(document)],
    docsLinks(import.meta.url),
  );

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
      semanticTokensProvider: { legend: SEMANTIC_TOKENS_LEGEND, full: true },
    },
    serverInfo: { name: "callflow" },
  }));
  // Fired on open too.
  workspace.documents.onDidChangeContent((event) => publisher.changed(event.document));
  workspace.documents.onDidClose((event) => {
    publisher.closed(event.document);
    workspace.forget(event.document.uri);
  });
  registerHandlers(connection, workspace, services);

  workspace.documents.listen(connection);
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
