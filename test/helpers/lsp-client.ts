// An editor's side of the language server: the built CLI as a child process (`callflow lsp
// --stdio`), spoken to over JSON-RPC on its stdin and stdout through vscode-languageserver-protocol.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeResult,
  type ProtocolConnection,
  type Position,
  type PublishDiagnosticsParams,
  type TextEdit,
} from "vscode-languageserver-protocol/node";
import { CLI, ROOT } from "./cli.js";

export interface LspClient {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcessWithoutNullStreams;
  readonly initialized: InitializeResult;
  /** What the server wrote to its log (window/logMessage) and to stderr. */
  readonly log: string[];
  /** Every diagnostics notification, in order. */
  readonly publications: PublishDiagnosticsParams[];
  /** Opens a document and returns its URI. */
  open(name: string, text: string, languageId?: string): Promise<string>;
  /** Replaces a document's text (full sync), bumping its version. */
  change(uri: string, text: string): Promise<void>;
  /** The next diagnostics published for a URI at `version` or later. */
  diagnostics(uri: string, version?: number): Promise<PublishDiagnosticsParams>;
  close(): Promise<void>;
}

/** A file URI under the repository, as an editor names a document (the file need not exist). */
export function uriOf(name: string): string {
  return pathToFileURL(`${ROOT}/${name}`).href;
}

export async function startClient(): Promise<LspClient> {
  const child = spawn(process.execPath, [CLI, "lsp", "--stdio"], { cwd: ROOT });
  const log: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => log.push(`stderr: ${chunk.toString()}`));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const versions = new Map<string, number>();
  const published = new Map<string, PublishDiagnosticsParams>();
  const publications: PublishDiagnosticsParams[] = [];
  const waiters: { uri: string; version: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.set(params.uri, params);
    publications.push(params);
    // Backwards, so that removing a waiter does not skip the next one.
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i];
      if (waiter !== undefined && waiter.uri === params.uri && (params.version ?? 0) >= waiter.version) {
        waiters.splice(i, 1);
        waiter.resolve(params);
      }
    }
  });
  connection.onNotification(LogMessageNotification.type, (params) => {
    log.push(params.message);
  });
  connection.listen();
  const initialized = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(ROOT).href,
    capabilities: {},
    workspaceFolders: null,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    process: child,
    initialized,
    log,
    publications,
    async open(name, text, languageId = name.endsWith(".flowtest") ? "flowtest" : "flow") {
      const uri = uriOf(name);
      versions.set(uri, 1);
      published.delete(uri);
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId, version: 1, text },
      });
      return uri;
    },
    async change(uri, text) {
      const version = (versions.get(uri) ?? 0) + 1;
      versions.set(uri, version);
      await connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
    },
    diagnostics(uri, version = versions.get(uri) ?? 1) {
      const seen = published.get(uri);
      if (seen !== undefined && (seen.version ?? 0) >= version) {
        published.delete(uri);
        return Promise.resolve(seen);
      }
      return new Promise((resolve) =>
        waiters.push({
          uri,
          version,
          resolve: (p) => {
            published.delete(uri);
            resolve(p);
          },
        }),
      );
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
        await exited;
      }
      connection.dispose();
    },
  };
}

/** The position of the `nth` (0-based) occurrence of `needle`, plus `shift` characters. */
export function pos(text: string, needle: string, nth = 0, shift = 0): Position {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`'${needle}' #${nth} not found`);
  }
  offset += shift;
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

/** The range of the `nth` occurrence of `needle` (its first `length` characters). */
export function range(text: string, needle: string, nth = 0, length = needle.length) {
  const start = pos(text, needle, nth);
  return { start, end: { line: start.line, character: start.character + length } };
}

/** Applies LSP text edits to a text (edits in any order, not overlapping). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const offset = (p: Position) => {
    const lines = text.split("\n");
    let o = 0;
    for (let i = 0; i < p.line; i++) o += (lines[i]?.length ?? 0) + 1;
    return o + p.character;
  };
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted)
    result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}
