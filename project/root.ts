// Where a project starts: the folder of the nearest callflow.json, found by walking up as tsc finds tsconfig.json.
import { statSync } from "node:fs";
import path from "node:path";

/** The project file's name. */
export const PROJECT_FILE = "callflow.json";

/** The nearest callflow.json at or above `fromDir` (absolute), or undefined when none is a regular file. */
export function findProjectFile(fromDir: string): string | undefined {
  for (let dir = path.resolve(fromDir); ;) {
    const candidate = path.join(dir, PROJECT_FILE);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile() === true) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The project's root folder: the folder of the nearest callflow.json, else undefined. */
export function findProjectRoot(fromDir: string): string | undefined {
  const file = findProjectFile(fromDir);
  return file === undefined ? undefined : path.dirname(file);
}
