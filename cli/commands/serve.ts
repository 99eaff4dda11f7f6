// `callflow serve [paths...]`: hosts flows behind HTTP (server/) until SIGTERM or SIGINT, then drains and
// exits 0. Flows come from the paths given, else callflow.json's `flows`, else every .flow file below the
// current folder. With a project, config values and secret sources come from its environment (--env, else
// its defaultEnvironment), all read before the server listens; without one, secrets come from
// CALLFLOW_SECRET_<NAME>. Exit 2 for wrong usage, a flow with errors, a missing config or secret.
import { watch, type FSWatcher } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import type { FlowProblem, HostedFlow } from "../../host/host.js";
import { configFor, configsOf } from "../../project/environments.js";
import { resolveSecrets } from "../../project/secrets.js";
import { envSecrets, type SecretProvider } from "../../runtime/index.js";
import { expandInputs, readSource } from "../files.js";
import { chooseEnvironment, openProject, projectFlowFiles } from "../project.js";
import { formatReport } from "../report.js";
import { EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export interface ServeArgs {
  readonly patterns: readonly string[];
  readonly host: string;
  readonly port: number;
  /** The secret holding the bearer token callers send. */
  readonly authSecret?: string;
  /** The environment of callflow.json whose config and secrets the flows run with (default: its defaultEnvironment). */
  readonly env?: string;
  /** callflow.json to read instead of the nearest one above the working folder. */
  readonly project?: string;
  /** False with --no-auth: serve without authentication even on a non-loopback host. */
  readonly auth: boolean;
  /** Each absent one takes its default (HOST_DEFAULTS, SERVE_DEFAULTS). */
  readonly deadlineMs?: number;
  readonly drainTimeoutMs?: number;
  readonly maxConcurrency?: number;
  readonly bodyLimit?: number;
  readonly watch: boolean;
  /** callflow's version, for the OpenAPI document. */
  readonly version: string;
  /** Resolves when the server should stop (the CLI wires SIGTERM and SIGINT). */
  readonly stop: Promise<void>;
}

/** Loopback hosts: the only ones served without authentication unless --no-auth says so. */
function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

interface Loaded {
  readonly flows: HostedFlow[];
  readonly problems: FlowProblem[];
  readonly sources: Map<string, string>;
}

export async function load(files: readonly string[], io: CommandIO): Promise<Loaded> {
  const { hostFlows } = await import("../../host/host.js");
  const sources = new Map<string, string>();
  const problems: FlowProblem[] = [];
  for (const file of files) {
    const read = await readSource(io.cwd, file);
    if ("invalid" in read) problems.push({ file, message: read.invalid.message, diagnostics: [read.invalid] });
    else sources.set(file, read.text);
  }
  const hosted = await hostFlows([...sources].map(([file, text]) => ({ file, text })));
  return { flows: hosted.flows, problems: [...problems, ...hosted.problems], sources };
}

export function report(
  problems: readonly FlowProblem[],
  sources: ReadonlyMap<string, string>,
  io: CommandIO,
  command = "serve",
): void {
  for (const problem of problems) {
    if (problem.diagnostics.length > 0)
      io.stderr(formatReport(problem.diagnostics, sources, "pretty", io.color) + "\n");
    io.stderr(`callflow ${command}: ${problem.message}\n`);
  }
}

export async function serveCommand(args: ServeArgs, io: CommandIO): Promise<number> {
  const opened = await openProject(io, args.project);
  const project = opened?.project;
  if ((args.env !== undefined || args.project !== undefined) && project === undefined) {
    io.stderr("callflow serve: --env needs a readable callflow.json (run callflow check)\n");
    return EXIT_USAGE;
  }
  const files =
    args.patterns.length === 0 && project !== undefined
      ? await projectFlowFiles(project, io)
      : await expandInputs(args.patterns, io.cwd, ["flow"]);
  if (files.length === 0) {
    io.stderr("callflow serve: no .flow files to serve\n");
    return EXIT_USAGE;
  }
  // --no-auth on the command line wins over the project's serve.authSecret: the operator says something in front
  // authenticates callers.
  const authSecret = args.authSecret ?? (args.auth ? project?.serve.authSecret : undefined);
  if (authSecret === undefined && args.auth && !isLoopback(args.host)) {
    io.stderr(
      `callflow serve: refusing to serve ${args.host} without authentication; give --auth-secret NAME, or --no-auth if something in front authenticates callers\n`,
    );
    return EXIT_USAGE;
  }

  const { flows, problems, sources } = await load(files, io);
  // A deploy that silently lost a flow is worse than one that did not start.
  if (problems.length > 0) {
    report(problems, sources, io);
    io.stderr("callflow serve: not started: every flow must load\n");
    return EXIT_USAGE;
  }

  // Every config and secret is read before the server listens: a missing one names its source, never a value.
  const environment = project === undefined ? undefined : chooseEnvironment(project, args.env);
  const missing: string[] = [];
  const config: Record<string, unknown> = {};
  let secrets: SecretProvider = envSecrets(io.env);
  if (environment === undefined) {
    for (const flow of flows)
      for (const decl of configsOf(flow.loaded.ast))
        missing.push(
          `flow ${flow.id} declares config ${decl.name.name}: serve it with an environment of callflow.json`,
        );
  } else {
    for (const flow of flows)
      for (const [name, value] of Object.entries(configFor(flow.loaded.ast, environment, [], missing)))
        Object.defineProperty(config, name, { value, enumerable: true, writable: true, configurable: true });
    const names = new Set(flows.flatMap((flow) => flow.loaded.definition.secrets));
    if (authSecret !== undefined) names.add(authSecret);
    const resolved = await resolveSecrets(environment, [...names].sort(), io.env);
    missing.push(...resolved.problems);
    secrets = (name) => resolved.values.get(name);
  }
  let authToken: string | undefined;
  if (authSecret !== undefined && missing.length === 0) {
    authToken = await secrets(authSecret);
    if (authToken === undefined || authToken === "")
      missing.push(`the auth secret ${authSecret} has no value; set CALLFLOW_SECRET_${authSecret}`);
  }
  if (missing.length > 0) {
    for (const problem of missing) io.stderr(`callflow serve: ${problem}\n`);
    io.stderr("callflow serve: not started\n");
    return EXIT_USAGE;
  }

  const { HOST_DEFAULTS } = await import("../../host/host.js");
  const { startServer, SERVE_DEFAULTS } = await import("../../server/server.js");
  const { destination } = await import("pino");
  const log = destination({
    dest: 2,
    // Asynchronous and buffered: a run never waits on a write (nor on a slow reader of stderr), and lines go out
    // in batches of 4 kB or every second; a reader that stops altogether costs lines past 16 MB, not memory.
    sync: false,
    minLength: 4096,
    periodicFlush: 1000,
    maxLength: 16 * 1024 * 1024,
  });
  const server = await startServer({
    flows,
    problems,
    environment: { config, secrets },
    host: args.host,
    port: args.port,
    authToken,
    // --deadline, else the environment's own, else the project's serve.deadline (docs/time-budgets.md).
    deadlineMs:
      args.deadlineMs ?? environment?.deadline?.value ?? project?.serve.deadline?.value ?? HOST_DEFAULTS.deadlineMs,
    maxConcurrency: args.maxConcurrency ?? HOST_DEFAULTS.maxConcurrency,
    bodyLimit: args.bodyLimit ?? SERVE_DEFAULTS.bodyLimit,
    version: args.version,
    log,
  });
  io.stdout(`callflow serve: listening on ${server.url}\n`);
  if (authToken === undefined) io.stderr("callflow serve: warning: callers are not authenticated\n");

  const watchers: FSWatcher[] = args.watch
    ? files.map((file) => watchFlow(file, (f, result) => server.reload(f, result), io))
    : [];
  await args.stop;
  for (const watcher of watchers) watcher.close();
  io.stderr("callflow serve: draining\n");
  await server.close(args.drainTimeoutMs ?? SERVE_DEFAULTS.drainTimeoutMs);
  // Every line buffered is written before the process exits (end leaves stderr open).
  await new Promise((resolve) => {
    log.once("close", resolve);
    log.end();
  });
  return EXIT_OK;
}

/** Reloads a flow when its file changes; a version with errors is reported and the previous one kept. */
function watchFlow(
  file: string,
  reload: (file: string, result: { flow: HostedFlow } | { problem: FlowProblem }) => void,
  io: CommandIO,
): FSWatcher {
  let timer: NodeJS.Timeout | undefined;
  const onChange = async (): Promise<void> => {
    const { flows, problems, sources } = await load([file], io);
    const [flow] = flows;
    if (flow !== undefined) {
      reload(file, { flow });
      io.stderr(`callflow serve: reloaded ${file} (flow ${flow.id})\n`);
      return;
    }
    report(problems, sources, io);
    for (const problem of problems) reload(file, { problem });
    io.stderr(`callflow serve: ${file} has errors; still serving its previous version\n`);
  };
  // The folder, not the file: editors often save by renaming a new file over the old one, which ends a
  // watch on the file itself. Writes come in bursts: one reload per burst.
  const absolute = path.resolve(io.cwd, file);
  return watch(path.dirname(absolute), (_event, name) => {
    if (name !== path.basename(absolute)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void onChange(), 100);
  });
}
