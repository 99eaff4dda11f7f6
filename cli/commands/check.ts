// `callflow check`: parse and validate (test files against their flows), print every diagnostic,
// end with a summary line.
import { performance } from "node:perf_hooks";
import { checkSource } from "../../compiler/check.js";
import {
  deadlineDiagnostics,
  formatDuration,
  PLATFORM_DEADLINES,
  type Deadline,
  type Platform,
} from "../../compiler/time-budget.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import { parse } from "../../grammar/parse.js";
import type { Flow } from "../../grammar/ast.js";
import { checkEnvironments } from "../../project/environments.js";
import { projectDeadline } from "../../project/deadline.js";
import { describeSource, type Environment } from "../../project/project-file.js";
import { expandInputs, readSource, readSourceAt } from "../files.js";
import { chooseEnvironment, openProject, projectFlowFiles } from "../project.js";
import {
  formatReport,
  formatSarif,
  jsonDiagnostics,
  repositoryRoot,
  summarize,
  summaryLine,
  type ReportFormat,
} from "../report.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export interface CheckArgs {
  readonly patterns: readonly string[];
  readonly format: ReportFormat;
  /** callflow's version and home page (where its diagnostics are documented), for SARIF's tool section. */
  readonly tool: { readonly version: string; readonly homepage: string };
  /** Check only this environment of callflow.json (default: every one). */
  readonly env?: string;
  /** callflow.json to read instead of the nearest one above the working folder. */
  readonly project?: string;
  /** Warn of paths whose worst case is over this (`--deadline`), or over a platform's limit (`--platform`). */
  readonly deadlineMs?: number;
  readonly platform?: Platform;
}

export async function checkCommand(args: CheckArgs, io: CommandIO): Promise<number> {
  const started = performance.now();
  const files = await expandInputs(args.patterns, io.cwd, ["flow", "flowtest"]);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const flows = new Map<string, Flow>();
  // Flows without errors, whose paths are checked against a deadline.
  const sound: Flow[] = [];
  for (const file of files) {
    const read = await readSource(io.cwd, file);
    if ("invalid" in read) {
      diagnostics.push(read.invalid);
      continue;
    }
    const source = read.text;
    sources.set(file, source);
    if (!file.endsWith(".flowtest")) {
      const checked = checkSource(source, file);
      if (checked.flow !== undefined) flows.set(file, checked.flow);
      if (checked.flow !== undefined && !checked.diagnostics.some((d) => d.severity === "error"))
        sound.push(checked.flow);
      for (const d of checked.diagnostics) diagnostics.push(d);
      continue;
    }
    // A test file is checked against its flow, which is compiled for it: loaded only then, because the
    // runtime and the test runner are most of what `callflow check` would otherwise load.
    const { loadTestFile } = await import("../../testing/run-file.js");
    const checked = await loadTestFile(source, file, { cwd: io.cwd, read: readSourceAt });
    for (const [name, text] of checked.sources) sources.set(name, text);
    for (const d of checked.diagnostics) diagnostics.push(d);
  }
  const opened = await openProject(io, args.project);
  if (opened === undefined && args.env !== undefined) {
    io.stderr("callflow check: --env needs a callflow.json (none found at or above this folder)\n");
    return EXIT_USAGE;
  }
  const environments: Environment[] = [];
  if (opened !== undefined) {
    sources.set(opened.file, opened.text);
    for (const d of opened.diagnostics) diagnostics.push(d);
    const project = opened.project;
    if (project !== undefined) {
      const chosen = args.env === undefined ? undefined : chooseEnvironment(project, args.env);
      environments.push(...(chosen === undefined ? project.environments.values() : [chosen]));
      // Every flow of the project counts, checked here or not: a config one of them needs must be set.
      // A project without environments has none to check, and its flows are read only when named.
      const projectFlows: { flow: Flow }[] = [];
      for (const file of environments.length === 0 ? [] : await projectFlowFiles(project, io)) {
        let flow = flows.get(file);
        if (flow === undefined) {
          const read = await readSource(io.cwd, file);
          if ("invalid" in read) continue;
          sources.set(file, read.text);
          flow = parse(read.text, file).flow;
        }
        if (flow !== undefined) projectFlows.push({ flow });
      }
      const names = environments.map((env) => env.name);
      for (const d of checkEnvironments(project, projectFlows, chosen === undefined ? [] : names)) diagnostics.push(d);
    }
  }
  const deadline: Deadline | undefined =
    args.deadlineMs !== undefined
      ? { ms: args.deadlineMs, source: `--deadline ${formatDuration(args.deadlineMs)}` }
      : args.platform !== undefined
        ? { ms: PLATFORM_DEADLINES[args.platform].ms, source: PLATFORM_DEADLINES[args.platform].why }
        : opened?.project === undefined
          ? undefined
          : projectDeadline(opened.project, environments);
  if (deadline !== undefined)
    for (const flow of sound) for (const d of deadlineDiagnostics(flow, deadline)) diagnostics.push(d);
  const summary = summarize(files.length, diagnostics);
  if (args.format === "sarif") {
    io.stdout(formatSarif(diagnostics, sources, io.cwd, { ...args.tool, root: repositoryRoot(io.cwd) }));
  } else if (args.format === "json") {
    const secretSources = Object.fromEntries(
      environments.map((env) => [env.name, Object.fromEntries([...env.secrets].map(([k, v]) => [k, v.value]))]),
    );
    const extra = environments.length === 0 ? {} : { secretSources };
    io.stdout(JSON.stringify({ ...summary, ...jsonDiagnostics(diagnostics, sources), ...extra }, null, 2) + "\n");
  } else {
    const report = formatReport(diagnostics, sources, args.format, io.color);
    if (report !== "") io.stdout(report + (args.format === "pretty" ? "\n" : ""));
    if (args.format === "pretty") {
      // Where each secret will be read, so a reviewer sees it before promotion; never a value.
      for (const env of environments)
        for (const [name, source] of env.secrets)
          io.stdout(`environment ${env.name}: secret ${name} from ${describeSource(source.value)}\n`);
      io.stdout(summaryLine(summary, performance.now() - started, io.color));
    }
  }
  return summary.errors > 0 ? EXIT_FAILURE : EXIT_OK;
}
