// `callflow fmt`: rewrites .flow and .flowtest files in canonical layout, or with --check lists the ones
// that are not. Files with syntax errors are never touched.

import path from "node:path";
import { hasErrors, type Diagnostic } from "../../grammar/diagnostics.js";
import { expandInputs, readSource, writeOutput } from "../files.js";
import { formatFlowTest } from "../../grammar/flowtest-printer.js";
import { FormatError, formatSource, type FormatResult } from "../../grammar/printer.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface FmtArgs {
  /** Files, directories or globs; none means every .flow and .flowtest file below the working directory. */
  readonly patterns: readonly string[];
  /** Write nothing; list unformatted files and fail if there are any. */
  readonly check: boolean;
}

/** Exit 0 when all is well, 1 when a file has syntax errors or (with --check) needs formatting. */
export async function fmtCommand(args: FmtArgs, io: CommandIO): Promise<number> {
  const files = await expandInputs(args.patterns, io.cwd, ["flow", "flowtest"]);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  let unformatted = 0;
  let failed = 0;
  for (const file of files) {
    const full = path.resolve(io.cwd, file);
    const read = await readSource(io.cwd, file);
    // A file that is not UTF-8 is reported and never rewritten.
    if ("invalid" in read) {
      diagnostics.push(read.invalid);
      failed++;
      continue;
    }
    const source = read.text;
    sources.set(file, source);
    let result: FormatResult;
    try {
      result = file.endsWith(".flowtest") ? formatFlowTest(source, file) : formatSource(source, file);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      io.stderr(`callflow fmt: ${error.message} This is a bug in callflow; please report it with the file.\n`);
      failed++;
      continue;
    }
    if (result.text === undefined || hasErrors(result.diagnostics)) {
      for (const d of result.diagnostics) diagnostics.push(d);
      failed++;
      continue;
    }
    if (result.text === source) continue;
    unformatted++;
    // Listed either way: with --check as the files to fix, without it as the files rewritten.
    io.stdout(`${file}\n`);
    if (!args.check) await writeOutput(full, result.text);
  }
  if (diagnostics.length > 0) {
    io.stderr(formatReport(diagnostics, sources, "pretty", io.color) + "\n");
  }
  if (failed > 0) io.stderr(`${plural(failed, "file")} left unchanged because of errors.\n`);
  if (args.check && unformatted > 0) {
    io.stderr(`${plural(unformatted, "file")} not formatted; run 'callflow fmt' to fix.\n`);
  }
  return failed > 0 || (args.check && unformatted > 0) ? EXIT_FAILURE : EXIT_OK;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
