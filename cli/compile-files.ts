// The files of `callflow compile`: each is read, compiled, compared with what is on disk and written when it
// changed. Reads are synchronous (cheaper than a promise per open, stat, read and close for small files, and
// compiling needs the text at once); writes are not, so they proceed while the next files compile.
import { readdir } from "node:fs/promises";
import path from "node:path";
import { compile, type EmitKind } from "../compiler/compile.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import { makeOutputDir, mapConcurrently, readGenerated, readSourceSync, toPosix, writeGenerated } from "./files.js";

export interface CompileJob {
  readonly cwd: string;
  readonly outDir: string;
  /** The deepest folder containing every input, absolute: outputs keep the inputs' layout below it. */
  readonly base: string;
  readonly check: boolean;
  readonly emit: EmitKind;
  readonly runtimeImport: string;
}

/** What compiling one file produced; the command merges these in input order, so output does not depend on timing. */
export interface FileOutcome {
  /** Absent when the file is not valid UTF-8. */
  readonly source?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly failed: boolean;
  readonly written: number;
  readonly unchanged: number;
  /** `missing: PATH` or `stale: PATH`, with --check. */
  readonly stale: readonly string[];
}

/** Files read, compared and written at once: enough to keep the disk busy while the main thread compiles. */
const IO_CONCURRENCY = 16;

/** Compiles `files` (relative to `job.cwd`); outcomes in the same order. Throws an InputError on I/O failure. */
export function compileFiles(files: readonly string[], job: CompileJob): Promise<FileOutcome[]> {
  // Each output folder is listed once and made once, however many modules go into it: opening a file that is
  // not there costs an error with a stack, and most outputs of a first compile are not there.
  const listings = new Map<string, Promise<ReadonlySet<string>>>();
  const listing = (dir: string): Promise<ReadonlySet<string>> => {
    let names = listings.get(dir);
    if (names === undefined) {
      names = readdir(dir).then(
        (found) => new Set(found),
        () => new Set(),
      );
      listings.set(dir, names);
    }
    return names;
  };
  const folders = new Map<string, Promise<void>>();
  const folder = (dir: string): Promise<void> => {
    let made = folders.get(dir);
    if (made === undefined) folders.set(dir, (made = makeOutputDir(job.cwd, job.outDir, dir)));
    return made;
  };
  const outDir = job.outDir.replaceAll("\\", "/");

  const compileFile = async (file: string): Promise<FileOutcome> => {
    const read = readSourceSync(job.cwd, file);
    if ("invalid" in read) return { diagnostics: [read.invalid], failed: true, written: 0, unchanged: 0, stale: [] };
    const result = compile(read.text, { file, emit: job.emit, runtimeImport: job.runtimeImport });
    const stale: string[] = [];
    let written = 0;
    let unchanged = 0;
    // Below the base, which holds every input: never `..`, so every output lands inside the output folder.
    const dir = path.posix.join(outDir, toPosix(path.relative(job.base, path.dirname(path.resolve(job.cwd, file)))));
    for (const output of result.files) {
      const target = path.posix.join(dir, output.path);
      const absolute = path.resolve(job.cwd, target);
      const exists = (await listing(path.dirname(absolute))).has(path.basename(absolute));
      const current = exists ? readGenerated(absolute, target) : undefined;
      if (current === output.text) {
        unchanged++;
      } else if (job.check) {
        stale.push(`${current === undefined ? "missing" : "stale"}: ${target}`);
      } else {
        await folder(path.dirname(absolute));
        await writeGenerated(absolute, output.text, target);
        written++;
      }
    }
    const failed = result.files.length === 0;
    return { source: read.text, diagnostics: result.diagnostics, failed, written, unchanged, stale };
  };

  return mapConcurrently(files, IO_CONCURRENCY, compileFile);
}
