// The flow a test file names (`tests for "…"`), resolved: a `.flow` file inside the project, the folder holding
// the nearest callflow.json, or else the test file's own folder tree. Anything else is refused before it is opened,
// so no tool (`callflow test`, `check`, the language server) ever reads, parses or prints another file.
import { realpathSync } from "node:fs";
import path from "node:path";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import type { FlowTestFile } from "../grammar/flowtest-ast.js";
import { findProjectRoot } from "../project/root.js";

/**
 * The flow's absolute path as the test file names it, and with symbolic links resolved (the one to open, so that
 * what was checked is what is read); or the diagnostic that refuses it.
 */
export type FlowTarget = { readonly path: string; readonly real: string } | { readonly refused: Diagnostic };

const HINT =
  "a test file names a .flow file below the folder holding the nearest callflow.json, or below its own folder when there is none";

/** Whether `file` is `dir` or below it; both absolute. */
function inside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** Resolves without following what is not there: a missing file keeps its path, for the read to report. */
function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}

/** `testPath` is the test file's absolute path. */
export function resolveFlowTarget(test: FlowTestFile, testPath: string): FlowTarget {
  const { value, span } = test.target;
  if (!value.endsWith(".flow")) return { refused: diagnostic("targetNotFlowFile", span, [JSON.stringify(value)]) };
  const base = path.dirname(testPath);
  const root = findProjectRoot(base) ?? base;
  const wanted = path.resolve(base, value);
  const resolved = real(wanted);
  // Both as written and with links followed: `../../etc/passwd.flow` and a link that leads out are refused alike.
  if (!inside(root, wanted) || !inside(real(root), resolved))
    return { refused: diagnostic("flowOutsideProject", span, [JSON.stringify(value)], HINT) };
  return { path: wanted, real: resolved };
}
