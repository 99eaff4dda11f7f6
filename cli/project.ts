// The project file for the commands: found by walking up from the working folder (or named by
// --project), read, its flows listed, an environment chosen and turned into a run's config and secrets.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../grammar/diagnostics.js";
import { readProject, type Environment, type Project } from "../project/project-file.js";
import { findProjectFile } from "../project/root.js";
import { expandInputs, InputError, toPosix } from "./files.js";
import type { CommandIO } from "./commands/io.js";

export interface OpenedProject {
  readonly file: string;
  readonly text: string;
  /** Absent when callflow.json is not JSON or not an object (then `diagnostics` say why). */
  readonly project?: Project;
  readonly diagnostics: readonly Diagnostic[];
}

/** callflow.json named by `--project`, else the nearest at or above the working folder; undefined when there is none. */
export async function openProject(io: CommandIO, named: string | undefined): Promise<OpenedProject | undefined> {
  const absolute = named === undefined ? findProjectFile(io.cwd) : path.resolve(io.cwd, named);
  if (absolute === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    throw new InputError(`Cannot read ${named ?? absolute}: ${(error as NodeJS.ErrnoException).code ?? "error"}.`);
  }
  const file = toPosix(path.relative(io.cwd, absolute)) || path.basename(absolute);
  const { project, diagnostics } = readProject(text, file, path.dirname(absolute));
  return { file, text, diagnostics, ...(project === undefined ? {} : { project }) };
}

/** The project's flow files, relative to the working folder, sorted. */
export async function projectFlowFiles(project: Project, io: CommandIO): Promise<string[]> {
  const files = await expandInputs(project.flows, project.root, ["flow"]);
  return files.map((file) => toPosix(path.relative(io.cwd, path.resolve(project.root, file)))).sort();
}

/** The environment `--env` names, else the project's default; undefined when neither names one. */
export function chooseEnvironment(project: Project, name: string | undefined): Environment | undefined {
  const chosen = name ?? project.defaultEnvironment?.value;
  if (chosen === undefined) return undefined;
  const env = project.environments.get(chosen);
  if (env === undefined) {
    const known = [...project.environments.keys()].join(", ") || "(none)";
    throw new InputError(`There is no environment '${chosen}' in ${project.file}: use ${known}.`);
  }
  return env;
}

/** `callflow compile` with no arguments: the project's flows, its output folder (relative to the working folder) and emit kind. */
export async function projectCompile(
  io: CommandIO,
): Promise<{ files: string[]; outDir: string; emit?: "ts" | "js" } | undefined> {
  const opened = await openProject(io, undefined);
  const project = opened?.project;
  if (project?.compile.outDir === undefined) return undefined;
  const outDir = toPosix(path.relative(io.cwd, path.resolve(project.root, project.compile.outDir))) || ".";
  const emit = project.compile.emit;
  return { files: await projectFlowFiles(project, io), outDir, ...(emit === undefined ? {} : { emit }) };
}
