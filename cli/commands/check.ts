// `callflow check`: parse and validate, print every diagnostic, end with a summary line.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { checkSource } from "../../compiler/check.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { loadTestFile } from "../../testing/run-file.js";
import { expandInputs } from "../files.js";
import { formatReport, jsonDiagnostics, summarize, summaryLine, type ReportFormat } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface CheckArgs {
  readonly patterns: readonly string[];
  readonly format: ReportFormat;
}

export async function checkCommand(args: CheckArgs, io: CommandIO): Promise<number> {
  const started = performance.now();
  const files = await expandInputs(args.patterns, io.cwd, ["flow", "flowtest"]);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const read = (file: string): Promise<string> => readFile(path.resolve(io.cwd, file), "utf8");
  for (const file of files) {
    const source = await read(file);
    sources.set(file, source);
    if (!file.endsWith(".flowtest")) {
      diagnostics.push(...checkSource(source, file).diagnostics);
      continue;
    }
    // A test file is checked against its flow, which is compiled for it.
    const checked = await loadTestFile(source, file, read);
    for (const [name, text] of checked.sources) sources.set(name, text);
    diagnostics.push(...checked.diagnostics);
  }
  const summary = summarize(files.length, diagnostics);
  if (args.format === "json") {
    io.stdout(JSON.stringify({ ...summary, diagnostics: jsonDiagnostics(diagnostics, sources) }, null, 2) + "\n");
  } else {
    const report = formatReport(diagnostics, sources, args.format, io.color);
    if (report !== "") io.stdout(report + (args.format === "pretty" ? "\n" : ""));
    if (args.format === "pretty") io.stdout(summaryLine(summary, performance.now() - started, io.color));
  }
  return summary.errors > 0 ? EXIT_FAILURE : EXIT_OK;
}
