// One handler per feature: each finds the document, takes the services of its language and asks
// them. A request the client has cancelled before it is handled is answered with RequestCancelled
// and does no work (a burst of edits cancels the requests it made stale). No handler may take the
// server down: an error is logged and the request gets its empty answer.
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Position,
  type SemanticTokens,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { offsetOf } from "./positions.js";
import type { LanguageServices } from "./services.js";
import { describe, type Language, type Workspace } from "./workspace.js";

interface DocumentParams {
  readonly textDocument: { readonly uri: string };
}
interface PositionParams extends DocumentParams {
  readonly position: Position;
}

export function registerHandlers(
  connection: Connection,
  workspace: Workspace,
  services: Readonly<Record<Language, LanguageServices>>,
): void {
  /** A request about one document: `run` gets its services; `fallback` answers an unknown document or an error. */
  function request<P extends DocumentParams, R>(
    name: string,
    fallback: R,
    run: (services: LanguageServices, document: TextDocument, params: P) => R,
  ): (params: P, token: CancellationToken) => R | ResponseError {
    return (params, token) => {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, `${name} cancelled`);
      const document = workspace.documents.get(params.textDocument.uri);
      if (document === undefined) return fallback;
      try {
        return run(services[workspace.languageOf(document)], document, params);
      } catch (error) {
        connection.console.error(`${name} failed: ${describe(error)}`);
        return fallback;
      }
    };
  }
  /** A request at a position: `run` gets the cursor's offset. */
  function at<P extends PositionParams, R>(
    name: string,
    fallback: R,
    run: (services: LanguageServices, document: TextDocument, offset: number, params: P) => R,
  ) {
    return request<P, R>(name, fallback, (s, document, params) =>
      run(s, document, offsetOf(document, params.position), params),
    );
  }

  connection.onHover(at("hover", null, (s, document, offset) => s.hover(document, offset)));
  connection.onDefinition(at("definition", null, (s, document, offset) => s.definition(document, offset)));
  connection.onReferences(
    at("references", [], (s, document, offset, params) =>
      s.references(document, offset, params.context.includeDeclaration),
    ),
  );
  connection.onPrepareRename(at("prepareRename", null, (s, document, offset) => s.prepareRename(document, offset)));
  connection.onRenameRequest(
    at("rename", null, (s, document, offset, params) => s.rename(document, offset, params.newName)),
  );
  connection.onCompletion(at("completion", [], (s, document, offset) => s.completion(document, offset)));
  connection.onDocumentSymbol(request("symbols", [], (s, document) => s.symbols(document)));
  connection.onFoldingRanges(request("folding", [], (s, document) => s.folding(document)));
  connection.onDocumentFormatting(request("formatting", [], (s, document) => s.formatting(document)));
  connection.onCodeAction(
    request("codeAction", [], (s, document, params) =>
      s.codeActions(document, params.range, params.context.diagnostics),
    ),
  );
  const noTokens: SemanticTokens = { data: [] };
  connection.languages.semanticTokens.on(
    request("semanticTokens", noTokens, (s, document) => s.semanticTokens(document)),
  );
}
