// `callflow compile`: one generated module per flow under --out-dir; `--check` compares
// instead of writing, the guard against hand edits and forgotten regenerations.
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { EmitKind } from "../../compiler/compile.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { compileFiles, type CompileJob } from "../compile-files.js";
import { expandInputs, InputError, makeDir } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./io.js";

export interface CompileArgs {
  readonly patterns: readonly string[];
  readonly outDir: string;
  readonly check: boolean;
  readonly emit: EmitKind;
  readonly runtimeImport: string;
  readonly cwd: string;
}

export interface CompileIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly color?: boolean;
}

/**
 * The deepest folder containing every input, absolute: outputs keep the inputs' layout below it, so an input
 * given as `../../other/y.flow` still lands inside --out-dir. Undefined when the inputs share no folder (two drives).
 */
function commonDir(cwd: string, files: readonly string[]): string | undefined {
  if (files.length === 0) return path.resolve(cwd);
  const dirs = files.map((f) => path.dirname(path.resolve(cwd, f)).split(path.sep));
  const first = dirs[0] ?? [];
  let length = 0;
  while (length < first.length && dirs.every((d) => d[length] === first[length])) length++;
  return length === 0 ? undefined : first.slice(0, length).join(path.sep) || path.sep;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function compileCommand(args: CompileArgs, io: CompileIO): Promise<number> {
  const started = performance.now();
  let files: string[];
  let base: string | undefined;
  try {
    files = await expandInputs(args.patterns, args.cwd);
    base = commonDir(args.cwd, files);
    if (base === undefined) throw new InputError("The inputs share no folder to lay out their outputs below.");
    // An output folder that cannot be made fails at once, before any work.
    if (!args.check) await makeDir(path.resolve(args.cwd, args.outDir));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`callflow: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const job: CompileJob = {
    cwd: args.cwd,
    outDir: args.outDir,
    base,
    check: args.check,
    emit: args.emit,
    runtimeImport: args.runtimeImport,
  };
  const outcomes = await compileFiles(files, job);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const stale: string[] = [];
  let failed = 0;
  let written = 0;
  let unchanged = 0;
  outcomes.forEach((outcome, index) => {
    if (outcome.source !== undefined) sources.set(files[index] as string, outcome.source);
    // A loop, not a spread: a file can have 200,000 diagnostics.
    for (const d of outcome.diagnostics) diagnostics.push(d);
    stale.push(...outcome.stale);
    if (outcome.failed) failed++;
    written += outcome.written;
    unchanged += outcome.unchanged;
  });

  if (diagnostics.length > 0) io.stdout(formatReport(diagnostics, sources, "pretty", io.color ?? false) + "\n");
  for (const line of stale) io.stdout(line + "\n");
  const ms = Math.round(performance.now() - started);
  const flows = `${plural(files.length - failed, "flow")} ${args.check ? "checked" : "compiled"}${failed > 0 ? `, ${failed} with errors` : ""}`;
  const outcome = args.check
    ? stale.length === 0
      ? "generated files are up to date"
      : `${plural(stale.length, "generated file")} missing or stale: run callflow compile without --check`
    : `${plural(written, "file")} written, ${unchanged} unchanged`;
  io.stdout(`${flows}: ${outcome} (${ms} ms)\n`);
  return failed > 0 || stale.length > 0 ? EXIT_FAILURE : EXIT_OK;
}
