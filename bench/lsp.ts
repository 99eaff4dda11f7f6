// Language server latency on a 5,000-line flow, as an editor sees it: the built `callflow lsp
// --stdio` in a child process, timed by the client. For each round: a one-character change (full
// document sync, as the server asks for) until the diagnostics for that version arrive; a
// completion request; and `callflow check` of the same text in a fresh process, alternating so all
// three see the same load. Each change comes after a quiet while, as a keystroke at typing speed
// does, so the server checks it at once (a burst of faster changes waits DIAGNOSTICS_DELAY_MS).
//
// Run: npm run build && node bench/lsp.ts (BASELINE_CLI=OTHER/dist/cli/main.cjs to compare with another build)
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  CompletionRequest,
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from "vscode-languageserver-protocol/node";
import { checkSource } from "../dist/compiler/check.js";
import { DIAGNOSTICS_DELAY_MS } from "../dist/lsp/server.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: { callflow: string } };
const CLI = path.join(ROOT, pkg.bin.callflow);
const ROUNDS = 21;
const LINES = 5000;

/**
 * One flow of about LINES lines: order-status.flow's declarations once, then renamed copies of its
 * widgets chained so that every widget is reachable and the flow checks clean.
 */
function generateFlow(): string {
  const example = readFileSync(path.join(ROOT, "examples/order-status.flow"), "utf8");
  const head = example.slice(0, example.indexOf("  http lookup_order"));
  const widgets = example
    .slice(example.indexOf("  http lookup_order"), example.lastIndexOf("}"))
    .replace("next -> agents", "next -> goodbye")
    .replace(/\n {2}route agents .*\n/, "\n");
  const perCopy = widgets.split("\n").length - 1;
  const copies = Math.ceil((LINES - head.split("\n").length) / perCopy);
  const parts = [head.replace("start -> lookup_order", "start -> c0_lookup_order")];
  for (let i = 0; i < copies; i++) {
    let copy = widgets.replace(/\b(lookup_order|check_vip|announce|apologize|vip_queue|goodbye)\b/g, `c${i}_$1`);
    if (i < copies - 1) copy = copy.replace(`next -> c${i}_goodbye`, `next -> c${i + 1}_lookup_order`);
    parts.push(copy);
  }
  parts.push("}\n");
  return parts.join("");
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const text = generateFlow();
const checked = checkSource(text, "bench.flow").diagnostics;
if (checked.length > 0) throw new Error(`generated flow is not clean: ${checked[0]?.message}`);
const lines = text.split("\n").length - 1;

const dir = mkdtempSync(path.join(tmpdir(), "callflow-bench-lsp-"));
const file = path.join(dir, "bench.flow");
writeFileSync(file, text);
const uri = pathToFileURL(file).href;

/** One language server with the flow open: `cli` is the built CLI to start (this one, or a baseline's). */
async function startSession(cli: string) {
  const child = spawn(process.execPath, [cli, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let waiting: { version: number; resolve: (p: PublishDiagnosticsParams) => void } | undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    if (waiting !== undefined && (params.version ?? 0) >= waiting.version) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve(params);
    }
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    capabilities: {},
    workspaceFolders: null,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  let version = 1;
  const diagnosticsFor = (v: number) =>
    new Promise<PublishDiagnosticsParams>((resolve) => (waiting = { version: v, resolve }));
  const published = diagnosticsFor(1);
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "flow", version, text },
  });
  await published;
  return {
    /** Milliseconds from a change to its diagnostics. */
    async change(newText: string): Promise<number> {
      version++;
      const done = diagnosticsFor(version);
      const started = performance.now();
      await connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ text: newText }],
      });
      await done;
      return performance.now() - started;
    },
    /** Milliseconds to answer a completion request, and how many items it gave. */
    async complete(): Promise<{ ms: number; items: number }> {
      const started = performance.now();
      const items = await connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
      return {
        ms: performance.now() - started,
        items: Array.isArray(items) ? items.length : (items?.items.length ?? 0),
      };
    },
    async close(): Promise<void> {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      connection.dispose();
    },
  };
}

// The edit: one character typed into, then deleted from, a message in the middle of the flow.
const middle = text.indexOf('message "Sorry', Math.floor(text.length / 2)) + 'message "'.length;
const edited = `${text.slice(0, middle)}x${text.slice(middle)}`;
// Completion after `next -> ` in the middle: the flow's widget ids.
const target = text.indexOf("next -> ", middle) + "next -> ".length;
const before = text.slice(0, target);
const position = { line: before.split("\n").length - 1, character: target - (before.lastIndexOf("\n") + 1) };

// BASELINE_CLI names another build's dist/cli/main.cjs: both servers then run side by side, their
// rounds alternating, and the ratios per round are reported.
const baselineCli = process.env["BASELINE_CLI"];
const session = await startSession(CLI);
const baseline = baselineCli === undefined ? undefined : await startSession(baselineCli);

const diagnosticsMs: number[] = [];
const completionMs: number[] = [];
const baselineDiagnosticsMs: number[] = [];
const baselineCompletionMs: number[] = [];
const checkCliMs: number[] = [];
const checkInProcessMs: number[] = [];
let completionItems = 0;
for (let round = 0; round < ROUNDS; round++) {
  const newText = round % 2 === 0 ? edited : text;
  // Which server goes first alternates too, so neither always sees the other's leftover load.
  const order = baseline === undefined ? [session] : round % 2 === 0 ? [session, baseline] : [baseline, session];
  for (const server of order) {
    const changed = await server.change(newText);
    const completed = await server.complete();
    (server === session ? diagnosticsMs : baselineDiagnosticsMs).push(changed);
    (server === session ? completionMs : baselineCompletionMs).push(completed.ms);
    completionItems = completed.items;
  }

  let started = performance.now();
  execFileSync(process.execPath, [CLI, "check", file], { cwd: dir });
  checkCliMs.push(performance.now() - started);

  started = performance.now();
  checkSource(newText, "bench.flow");
  checkInProcessMs.push(performance.now() - started);
}

await session.close();
await baseline?.close();
rmSync(dir, { recursive: true });

const fmt = (values: readonly number[]) =>
  `median ${median(values).toFixed(1)} ms (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})`;
console.log(
  `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}, node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")}`,
);
console.log(`flow: ${lines} lines, ${(Buffer.byteLength(text) / 1000).toFixed(0)} kB; ${ROUNDS} rounds`);
console.log(`didChange -> diagnostics (bursts wait ${DIAGNOSTICS_DELAY_MS} ms; these do not): ${fmt(diagnosticsMs)}`);
console.log(`completion (${completionItems} widget ids): ${fmt(completionMs)}`);
console.log(`callflow check, fresh process: ${fmt(checkCliMs)}`);
console.log(`checkSource in process (what the server runs per change): ${fmt(checkInProcessMs)}`);
if (baseline !== undefined) {
  const ratios = (ours: readonly number[], theirs: readonly number[]) =>
    median(ours.map((ms, i) => ms / (theirs[i] as number))).toFixed(2);
  console.log(`baseline didChange -> diagnostics: ${fmt(baselineDiagnosticsMs)}`);
  console.log(`baseline completion: ${fmt(baselineCompletionMs)}`);
  console.log(
    `this build / baseline, median of per-round ratios: diagnostics ${ratios(diagnosticsMs, baselineDiagnosticsMs)}, completion ${ratios(completionMs, baselineCompletionMs)}`,
  );
}
