// The CLI's file system: CLI arguments (files, directories, globs) to a sorted list of .flow (or .flowtest) files,
// sources read as strict UTF-8 from regular files only, output folders made one level at a time, and generated
// modules written only inside the output folder, never through a link.
import { randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, type Dirent, type Stats } from "node:fs";
import { appendFile, lstat, mkdir, open, readdir, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import { SourcePositions } from "../grammar/spans.js";
import { findProjectRoot } from "../project/root.js";

/** A problem with the command's inputs or outputs: the command prints it and exits 2. */
export class InputError extends Error {}

const IGNORED_DIRS = new Set(["node_modules", "dist", ".git"]);
const IGNORE = ["**/node_modules/**", "**/dist/**", "**/.git/**"];

/** What a failed file-system call says, in words. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    case "EISDIR":
      return "it is a directory";
    case "ENXIO":
      // Opening a socket, or a device with nothing behind it, through its name (/dev/stdin on a socket).
      return "it is not a regular file";
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}

/**
 * Relative POSIX paths, sorted, without duplicates. No arguments means every file below `cwd` with one
 * of `extensions` (without the dot); a directory means every such file below it.
 */
export async function expandInputs(
  patterns: readonly string[],
  cwd: string,
  extensions: readonly string[] = ["flow"],
): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns.length === 0 ? ["."] : patterns) {
    // A path that exists is a path, even when it has glob characters such as `(`.
    const info = await stat(path.resolve(cwd, pattern)).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (!(info instanceof Error)) {
      if (info.isDirectory()) {
        const files = await filesIn(cwd, pattern, extensions);
        await refuseLinksOut(
          cwd,
          files.filter((file) => file.link).map((file) => file.path),
          pattern,
        );
        for (const file of files) found.add(file.path);
      } else found.add(toPosix(path.normalize(pattern)));
      continue;
    }
    if (info.code !== "ENOENT") throw new InputError(`Cannot read ${pattern}: ${reason(info)}.`);
    // Only a pattern that names no file needs the glob matcher: plain paths start without loading it.
    const { glob, isDynamicPattern } = await import("tinyglobby");
    if (!isDynamicPattern(pattern)) throw new InputError(`File not found: ${pattern}`);
    const matches = await glob(pattern, { cwd, ignore: IGNORE, onlyFiles: true });
    if (matches.length === 0) throw new InputError(`No files match '${pattern}'.`);
    const links = await Promise.all(
      matches.map(async (match) => ((await lstat(path.resolve(cwd, match))).isSymbolicLink() ? [match] : [])),
    );
    await refuseLinksOut(cwd, links.flat(), ".");
    for (const match of matches) found.add(toPosix(match));
  }
  return [...found].sort();
}

/**
 * A symbolic link found by expanding a folder or glob is read only when it leads inside the project (the folder of
 * the nearest callflow.json), else inside the folder expanded: a repository's `x.flow -> /proc/self/environ` would
 * otherwise be printed in code frames by `callflow check` in CI. A link named on the command line is the user's choice.
 */
async function refuseLinksOut(cwd: string, links: readonly string[], expanded: string): Promise<void> {
  if (links.length === 0) return;
  const folder = path.resolve(cwd, expanded);
  const boundary = await realpath(findProjectRoot(folder) ?? folder);
  for (const link of links) {
    // A link that leads nowhere is left for the read to report.
    const target = await realpath(path.resolve(cwd, link)).catch(() => undefined);
    const relative = target === undefined ? "" : path.relative(boundary, target);
    if (relative.startsWith("..") || path.isAbsolute(relative))
      throw new InputError(
        `${toPosix(link)} is a symbolic link that leads outside ${toPosix(path.relative(cwd, boundary)) || "."}; name it on the command line to read it.`,
      );
  }
}

/** Every file with one of `extensions` below a directory; a folder that cannot be read is an error, never skipped. */
async function filesIn(
  cwd: string,
  dir: string,
  extensions: readonly string[],
): Promise<{ path: string; link: boolean }[]> {
  const suffixes = extensions.map((extension) => `.${extension}`);
  const files: { path: string; link: boolean }[] = [];
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(path.resolve(cwd, current), { withFileTypes: true });
    } catch (error) {
      throw new InputError(`Cannot read the folder ${toPosix(current)}: ${reason(error)}.`);
    }
    for (const entry of entries) {
      const child = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) pending.push(child);
      } else if (suffixes.some((suffix) => entry.name.endsWith(suffix)) && (entry.isFile() || entry.isSymbolicLink())) {
        files.push({ path: toPosix(path.normalize(child)), link: entry.isSymbolicLink() });
      }
    }
  }
  return files;
}

export function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A source file's text, or the diagnostic that says why it is not valid UTF-8 (never guessed at). */
export type SourceText = { readonly text: string } | { readonly invalid: Diagnostic };

/**
 * Opening flags for every input: without O_NONBLOCK, opening a FIFO waits for a writer forever. The file is then
 * checked on its descriptor (fstat) and read from it, so what is checked is what is read.
 */
const INPUT_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Why a file that opened is not an input, or undefined when it is a regular file. */
function notRegular(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return "it is a directory";
  if (info.isFIFO()) return "it is a FIFO (named pipe), not a regular file";
  if (info.isCharacterDevice() || info.isBlockDevice()) return "it is a device, not a regular file";
  if (info.isSocket()) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

/** Why an input could not be read, in words ("no such file or directory", "it is a FIFO ..."). */
export class Unreadable extends Error {}

const unreadable = (error: unknown): Unreadable =>
  error instanceof Unreadable ? error : new Unreadable(reason(error));

/** A file's bytes, read only when it is a regular file; throws Unreadable. */
export async function readInputBytes(absolute: string): Promise<Buffer> {
  const handle = await open(absolute, INPUT_FLAGS).catch((error: unknown) => {
    throw unreadable(error);
  });
  try {
    const refused = notRegular(await handle.stat());
    if (refused !== undefined) throw new Unreadable(refused);
    return await handle.readFile();
  } catch (error) {
    throw unreadable(error);
  } finally {
    await handle.close();
  }
}

/** `readInputBytes`, synchronously. */
export function readInputBytesSync(absolute: string): Buffer {
  let fd: number;
  try {
    fd = openSync(absolute, INPUT_FLAGS);
  } catch (error) {
    throw unreadable(error);
  }
  try {
    const refused = notRegular(fstatSync(fd));
    if (refused !== undefined) throw new Unreadable(refused);
    return readFileSync(fd);
  } catch (error) {
    throw unreadable(error);
  } finally {
    closeSync(fd);
  }
}

/** The file at `absolute` as strict UTF-8, named `file` in diagnostics; throws Unreadable. */
export async function readSourceAt(absolute: string, file: string): Promise<SourceText> {
  return decodeSource(file, await readInputBytes(absolute));
}

/** Reads a source file as strict UTF-8; `file` is the name diagnostics use. Only regular files are read. */
export async function readSource(cwd: string, file: string): Promise<SourceText> {
  try {
    return await readSourceAt(path.resolve(cwd, file), file);
  } catch (error) {
    throw new InputError(`Cannot read ${file}: ${unreadable(error).message}.`);
  }
}

/**
 * `readSource`, synchronously: for a caller that compiles each file as soon as it is read, where the read's
 * own work (one call, no promise per open, stat, read and close) is cheaper than handing it to a thread:
 * `callflow compile --check` of 1,000 unchanged flows took 0.72x the wall time with its reads synchronous.
 */
export function readSourceSync(cwd: string, file: string): SourceText {
  let bytes: Buffer;
  try {
    bytes = readInputBytesSync(path.resolve(cwd, file));
  } catch (error) {
    throw new InputError(`Cannot read ${file}: ${unreadable(error).message}.`);
  }
  return decodeSource(file, bytes);
}

function decodeSource(file: string, bytes: Buffer): SourceText {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    const at = firstInvalidByte(bytes);
    // The valid text before the bad bytes gives the line and column to point at.
    const before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, at));
    const span = new SourcePositions(file, before).span(before.length, 1);
    return { invalid: diagnostic("invalidUtf8", span, [at], "save the file as UTF-8") };
  }
}

/** Whether `bytes[0, end)` is UTF-8; with `partial`, a character cut at the end is allowed. */
function decodes(bytes: Uint8Array, end: number, partial: boolean): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, end), { stream: partial });
    return true;
  } catch {
    return false;
  }
}

/** The offset where the first invalid UTF-8 sequence starts. */
function firstInvalidByte(bytes: Uint8Array): number {
  // The longest prefix that is valid UTF-8 but for a last character cut short, by bisection...
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (decodes(bytes, mid, true)) lo = mid;
    else hi = mid - 1;
  }
  // ...then back to the start of that cut character, which is where the bad sequence begins.
  let start = lo;
  while (start > 0 && start > lo - 3 && !decodes(bytes, start, false)) start--;
  return start;
}

/**
 * Makes `dir` and its missing parents one level at a time: `mkdir({ recursive: true })` can spin
 * forever on a path it cannot create (under /proc, for one). Fails with a clear InputError.
 */
export async function makeDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let current = path.resolve(dir);
  for (;;) {
    const info = await stat(current).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw new InputError(`Cannot create ${dir}: ${current} is not a directory.`);
      break;
    }
    if (info.code !== "ENOENT") throw new InputError(`Cannot create ${dir}: ${reason(info)}.`);
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new InputError(`Cannot create ${dir}: ${reason(error)}.`);
    }
  }
}

/** Writes a file, with an error that says it was the write that failed. */
export async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text, "utf8");
  } catch (error) {
    throw new InputError(`Cannot write ${file}: ${reason(error)}.`);
  }
}

/** Adds to the end of a file (made if missing), as a CI step's summary file is written to by every tool. */
export async function appendOutput(file: string, text: string): Promise<void> {
  try {
    await appendFile(file, text, "utf8");
  } catch (error) {
    throw new InputError(`Cannot write ${file}: ${reason(error)}.`);
  }
}

/**
 * The generated file at `absolute` (shown as `shown`), or undefined when there is none or it cannot be read (it is
 * then written anew, and the write says what fails). A symbolic link or anything but a regular file there is an
 * InputError: outputs are never followed elsewhere, and a FIFO is never waited on.
 */
export function readGenerated(absolute: string, shown: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(absolute, INPUT_FLAGS | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP")
      throw new InputError(notAnOutput(shown, "a symbolic link, never written through"));
    return undefined;
  }
  try {
    const refused = notRegular(fstatSync(fd));
    if (refused !== undefined) throw new InputError(notAnOutput(shown, refused.replace(/^it is /, "")));
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** An output path that holds something callflow does not replace. */
const notAnOutput = (shown: string, what: string): string => `The output ${shown} is ${what}; remove it.`;

/**
 * Makes the folders from `outDir` (which exists) down to `dir` (inside it), both relative to `cwd`, one level at a
 * time. A symbolic link or a file on the way is an InputError: a module lands inside the output folder, never elsewhere.
 */
export async function makeOutputDir(cwd: string, outDir: string, dir: string): Promise<void> {
  let current = path.resolve(cwd, outDir);
  for (const part of path
    .relative(current, path.resolve(cwd, dir))
    .split(path.sep)
    .filter((p) => p !== "")) {
    current = path.join(current, part);
    const shown = toPosix(path.relative(cwd, current));
    let info = await lstat(current).catch(() => undefined);
    if (info === undefined) {
      await mkdir(current).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST")
          throw new InputError(`Cannot create ${shown}: ${reason(error)}.`);
      });
      info = await lstat(current);
    }
    if (info.isSymbolicLink()) throw new InputError(notAnOutput(shown, "a symbolic link, never written through"));
    if (!info.isDirectory()) throw new InputError(`Cannot create ${shown}: it is not a directory.`);
  }
}

/**
 * Writes a generated file atomically: a new file beside it (created exclusively, so never through a link planted
 * at its name), then renamed over the old one. A reader sees the old module or the new one, never half of one;
 * rename replaces a path and never follows a link at it, and a link or non-regular file there is refused first.
 */
export async function writeGenerated(absolute: string, text: string, shown: string): Promise<void> {
  const temporary = path.join(
    path.dirname(absolute),
    `.${path.basename(absolute)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    await writeFile(temporary, text, { encoding: "utf8", flag: "wx" });
    const info = await lstat(absolute).catch(() => undefined);
    if (info?.isSymbolicLink() === true)
      throw new InputError(notAnOutput(shown, "a symbolic link, never written through"));
    const refused = info === undefined ? undefined : notRegular(info);
    if (refused !== undefined) throw new InputError(notAnOutput(shown, refused.replace(/^it is /, "")));
    await rename(temporary, absolute);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error instanceof InputError ? error : new InputError(`Cannot write ${shown}: ${reason(error)}.`);
  }
}

/**
 * `work` on every item, at most `limit` at once; results in the items' order. After a failure no new item
 * starts, and the failure of the earliest item is thrown once the running ones have settled, as a loop over
 * the items would have thrown it.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  const failures: { index: number; error: unknown }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && failures.length === 0) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failures.push({ index, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length > 0)
    throw failures.reduce((first, failure) => (failure.index < first.index ? failure : first)).error;
  return results;
}
