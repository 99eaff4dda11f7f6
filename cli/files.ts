// Turns CLI arguments (files, directories, globs) into a sorted list of .flow (or .flowtest) files.
import { stat } from "node:fs/promises";
import path from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";

export class InputError extends Error {}

const IGNORE = ["**/node_modules/**", "**/dist/**", "**/.git/**"];

/**
 * Relative POSIX paths, sorted, without duplicates. No arguments means every file below `cwd`
 * with one of `extensions` (without the dot); a directory means every such file below it.
 */
export async function expandInputs(
  patterns: readonly string[],
  cwd: string,
  extensions: readonly string[] = ["flow"],
): Promise<string[]> {
  const found = new Set<string>();
  const every = extensions.length === 1 ? `**/*.${extensions[0]}` : `**/*.{${extensions.join(",")}}`;
  for (const pattern of patterns.length === 0 ? [every] : patterns) {
    if (isDynamicPattern(pattern)) {
      const matches = await glob(pattern, { cwd, ignore: IGNORE, onlyFiles: true });
      if (matches.length === 0 && patterns.length > 0) throw new InputError(`No files match '${pattern}'.`);
      for (const match of matches) found.add(toPosix(match));
      continue;
    }
    const info = await stat(path.resolve(cwd, pattern)).catch(() => undefined);
    if (info === undefined) throw new InputError(`File not found: ${pattern}`);
    if (info.isDirectory()) {
      const matches = await glob(every, { cwd: path.resolve(cwd, pattern), ignore: IGNORE, onlyFiles: true });
      for (const match of matches) found.add(toPosix(path.join(pattern, match)));
    } else {
      found.add(toPosix(path.normalize(pattern)));
    }
  }
  return [...found].sort();
}

export function toPosix(file: string): string {
  return file.split(path.sep).join("/");
}
