// `callflow env diff A B`: two environments of callflow.json side by side. Exit 0 when each has every
// key the other has (values may differ: that is what environments are for), 1 when a key is missing
// on either side, so a pipeline can gate a promotion; 2 for usage errors.
import { parse } from "../../grammar/parse.js";
import { configsOf } from "../../project/environments.js";
import { diffEnvironments, diffMarkdown, diffText } from "../../project/env-diff.js";
import { readSource } from "../files.js";
import { formatReport } from "../report.js";
import { chooseEnvironment, openProject, projectFlowFiles } from "../project.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export interface EnvDiffArgs {
  readonly from: string;
  readonly to: string;
  readonly format: "text" | "json" | "markdown";
  readonly project?: string;
}

export async function envDiffCommand(args: EnvDiffArgs, io: CommandIO): Promise<number> {
  const opened = await openProject(io, args.project);
  if (opened === undefined) {
    io.stderr("callflow env diff: no callflow.json at or above this folder (or name one with --project)\n");
    return EXIT_USAGE;
  }
  if (opened.project === undefined) {
    io.stderr(formatReport(opened.diagnostics, new Map([[opened.file, opened.text]]), "pretty", io.color) + "\n");
    return EXIT_USAGE;
  }
  const from = chooseEnvironment(opened.project, args.from)!; // a name is given, so one is chosen or it throws
  const to = chooseEnvironment(opened.project, args.to)!;
  // Which configs are masked is the flows' to say.
  const masked = new Set<string>();
  for (const file of await projectFlowFiles(opened.project, io)) {
    const read = await readSource(io.cwd, file);
    if ("invalid" in read) continue;
    const flow = parse(read.text, file).flow;
    for (const decl of flow === undefined ? [] : configsOf(flow)) if (decl.masked) masked.add(decl.name.name);
  }
  const diff = diffEnvironments(from, to, masked);
  if (args.format === "json") io.stdout(JSON.stringify(diff, null, 2) + "\n");
  else io.stdout(args.format === "markdown" ? diffMarkdown(diff) : diffText(diff));
  return diff.missing > 0 ? EXIT_FAILURE : EXIT_OK;
}
