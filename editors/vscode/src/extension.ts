// The callflow extension: highlighting comes from the grammars in package.json; everything else from the
// language server, `callflow lsp --stdio`, which this client starts and restarts.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { commands, window, workspace } from "vscode";
import type { ExtensionContext } from "vscode";
import { LanguageClient } from "vscode-languageclient/node";
import type { Executable, LanguageClientOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  context.subscriptions.push(
    commands.registerCommand("callflow.restartServer", restart),
    workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("callflow.server.path")) void restart();
    }),
  );
  await start();
}

export function deactivate(): Promise<void> {
  return stop();
}

async function start(): Promise<void> {
  const command = serverCommand();
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

/**
 * The server executable: the `callflow.server.path` setting (a relative path is taken from the first
 * workspace folder), else the first workspace folder's `node_modules/.bin/callflow`, else `callflow`.
 */
function serverCommand(): string {
  const folders = (workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);
  const configured = workspace.getConfiguration("callflow").get<string>("server.path", "").trim();
  if (configured !== "") {
    // A bare name such as `callflow` is looked up on the PATH, like any command.
    const isBareName = !configured.includes("/") && !configured.includes("\\");
    const base = folders[0];
    return isBareName || isAbsolute(configured) || base === undefined ? configured : resolve(base, configured);
  }
  const bin = process.platform === "win32" ? "callflow.cmd" : "callflow";
  for (const folder of folders) {
    const local = join(folder, "node_modules", ".bin", bin);
    if (existsSync(local)) return local;
  }
  return "callflow";
}

/** With `shell: true` (Windows) a path containing spaces must be quoted to stay one word. */
function quoteForShell(command: string): string {
  return process.platform === "win32" && command.includes(" ") ? `"${command}"` : command;
}
