// `callflow compile`: one generated module per flow under --out-dir; `--check` compares
// instead of writing, the guard against hand edits and forgotten regenerations.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { compile, type EmitKind } from "../../compiler/compile.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { expandInputs, InputError, makeDir, mapConcurrently, readSource, writeOutput } from "../files.js";
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

/** The deepest folder containing every input, so the output keeps the inputs' layout below it. */
function commonDir(files: readonly string[]): string {
  const dirs = files.map((f) => path.posix.dirname(f).split("/"));
  const first = dirs[0] ?? [];
  let length = 0;
  while (length < first.length && dirs.every((d) => d[length] === first[length])) length++;
  return first.slice(0, length).join("/") || ".";
}

/** Files read, compared and written at once: enough to keep the disk busy while the main thread compiles. */
const IO_CONCURRENCY = 16;

/** What compiling one file produced; merged in input order, so output does not depend on timing. */
interface FileOutcome {
  readonly source?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly failed: boolean;
  readonly written: number;
  readonly unchanged: number;
  readonly stale: readonly string[];
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export async function compileCommand(args: CompileArgs, io: CompileIO): Promise<number> {
  const started = performance.now();
  let files: string[];
  try {
    files = await expandInputs(args.patterns, args.cwd);
    // An output folder that cannot be made fails at once, before any work.
    if (!args.check) await makeDir(path.resolve(args.cwd, args.outDir));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`callflow: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const base = commonDir(files);
  // Each output folder is listed once and made once, however many modules go into it: opening a file
  // that is not there costs an error with a stack, and most outputs of a first compile are not there.
  const listings = new Map<string, Promise<ReadonlySet<string>>>();
  const listing = (dir: string): Promise<ReadonlySet<string>> => {
    let names = listings.get(dir);
    if (names === undefined)
      listings.set(
        dir,
        (names = readdir(dir).then(
          (found) => new Set(found),
          () => new Set(),
        )),
      );
    return names;
  };
  const folders = new Map<string, Promise<void>>();
  const folder = (dir: string): Promise<void> => {
    let made = folders.get(dir);
    if (made === undefined) folders.set(dir, (made = makeDir(dir)));
    return made;
  };

  const compileFile = async (file: string): Promise<FileOutcome> => {
    const read = await readSource(args.cwd, file);
    if ("invalid" in read) return { diagnostics: [read.invalid], failed: true, written: 0, unchanged: 0, stale: [] };
    const result = compile(read.text, { file, emit: args.emit, runtimeImport: args.runtimeImport });
    const outcome = {
      source: read.text,
      diagnostics: result.diagnostics,
      written: 0,
      unchanged: 0,
      stale: [] as string[],
    };
    if (result.files.length === 0) return { ...outcome, failed: true };
    const dir = path.posix.join(args.outDir.replaceAll("\\", "/"), path.posix.relative(base, path.posix.dirname(file)));
    for (const output of result.files) {
      const target = path.posix.join(dir, output.path);
      const absolute = path.resolve(args.cwd, target);
      const exists = (await listing(path.dirname(absolute))).has(path.basename(absolute));
      const current = exists ? await readFile(absolute, "utf8").catch(() => undefined) : undefined;
      if (current === output.text) {
        outcome.unchanged++;
      } else if (args.check) {
        outcome.stale.push(`${current === undefined ? "missing" : "stale"}: ${target}`);
      } else {
        await folder(path.dirname(absolute));
        await writeOutput(absolute, output.text);
        outcome.written++;
      }
    }
    return { ...outcome, failed: false };
  };

  // Compiling is synchronous: while one file compiles, the reads and writes of the others proceed.
  const outcomes = await mapConcurrently(files, IO_CONCURRENCY, compileFile);
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
