// The callflow extension: highlighting comes from the grammars in package.json; everything else from the
// language server, `callflow lsp --stdio`, which this client starts and restarts.
import { existsSync } from "node:fs";
import { commands, window, workspace } from "vscode";
import type { ExtensionContext } from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import type { Executable, LanguageClientOptions } from "vscode-languageclient/node";
import { serverCommand } from "./server-command.mjs";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    commands.registerCommand("callflow.restartServer", restart),
    workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("callflow.server.path")) void restart();
    }),
    workspace.onDidGrantWorkspaceTrust(() => void start()),
  );
  await start();
}

export function deactivate(): Promise<void> {
  return stop();
}

async function start(): Promise<void> {
  // The server may be a program from the workspace (node_modules/.bin, or a path in its settings): run it only
  // once the workspace is trusted. The grammars work in Restricted Mode all the same.
  if (!workspace.isTrusted) return;
  const command = serverCommand({
    configured: workspace.getConfiguration("callflow").get<string>("server.path", ""),
    folders: (workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath),
    platform: process.platform,
    exists: existsSync,
  });
  const server: Executable = {
    command: quoteForShell(command),
    args: ["lsp", "--stdio"],
    // On Windows npm installs `callflow.cmd`, which Node only starts through a shell.
    options: { shell: process.platform === "win32" },
  };
  const options: LanguageClientOptions = {
    documentSelector: [{ language: "flow" }, { language: "flowtest" }],
  };
  // The id "callflow" makes the client honour the `callflow.trace.server` setting.
  client = new LanguageClient("callflow", "callflow", server, options);
  try {
    await client.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void window.showErrorMessage(
      `callflow: could not start \`${command} lsp --stdio\` (${reason}). ` +
        "Install callflow in this workspace or set `callflow.server.path`.",
    );
  }
}

async function stop(): Promise<void> {
  await client?.dispose();
  client = undefined;
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

/** With `shell: true` (Windows) a path containing spaces must be quoted to stay one word. */
function quoteForShell(command: string): string {
  return process.platform === "win32" && command.includes(" ") ? `"${command}"` : command;
}
