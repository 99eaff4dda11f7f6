// `callflow check`: parse and validate (test files against their flows), print every diagnostic,
// end with a summary line.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { checkSource } from "../../compiler/check.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { expandInputs, readSource } from "../files.js";
import {
  formatReport,
  formatSarif,
  jsonDiagnostics,
  repositoryRoot,
  summarize,
  summaryLine,
  type ReportFormat,
} from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface CheckArgs {
  readonly patterns: readonly string[];
  readonly format: ReportFormat;
  /** callflow's version and home page (where its diagnostics are documented), for SARIF's tool section. */
  readonly tool: { readonly version: string; readonly homepage: string };
}

export async function checkCommand(args: CheckArgs, io: CommandIO): Promise<number> {
  const started = performance.now();
  const files = await expandInputs(args.patterns, io.cwd, ["flow", "flowtest"]);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    const read = await readSource(io.cwd, file);
    if ("invalid" in read) {
      diagnostics.push(read.invalid);
      continue;
    }
    const source = read.text;
    sources.set(file, source);
    if (!file.endsWith(".flowtest")) {
      for (const d of checkSource(source, file).diagnostics) diagnostics.push(d);
      continue;
    }
    // A test file is checked against its flow, which is compiled for it: loaded only then, because the
    // runtime and the test runner are most of what `callflow check` would otherwise load.
    const { loadTestFile } = await import("../../testing/run-file.js");
    const checked = await loadTestFile(source, file, (flow) => readFile(path.resolve(io.cwd, flow), "utf8"));
    for (const [name, text] of checked.sources) sources.set(name, text);
    for (const d of checked.diagnostics) diagnostics.push(d);
  }
  const summary = summarize(files.length, diagnostics);
  if (args.format === "sarif") {
    io.stdout(formatSarif(diagnostics, sources, io.cwd, { ...args.tool, root: repositoryRoot(io.cwd) }));
  } else if (args.format === "json") {
    io.stdout(JSON.stringify({ ...summary, ...jsonDiagnostics(diagnostics, sources) }, null, 2) + "\n");
  } else {
    const report = formatReport(diagnostics, sources, args.format, io.color);
    if (report !== "") io.stdout(report + (args.format === "pretty" ? "\n" : ""));
    if (args.format === "pretty") io.stdout(summaryLine(summary, performance.now() - started, io.color));
  }
  return summary.errors > 0 ? EXIT_FAILURE : EXIT_OK;
}
