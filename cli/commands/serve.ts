// `callflow serve [paths...]`: hosts flows behind HTTP (server/) until SIGTERM or SIGINT, then drains and
// exits 0. Flows come from the paths given (default: every .flow file below the current folder); config is
// none and secrets come from the runtime's default provider (CALLFLOW_SECRET_<NAME>) until environments
// (callflow.json) are wired in. Exit 2 for wrong usage, a flow with errors or a missing auth secret.
import { watch, type FSWatcher } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import type { FlowProblem, HostedFlow } from "../../host/host.js";
import { envSecrets } from "../../runtime/index.js";
import { expandInputs, readSource } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export interface ServeArgs {
  readonly patterns: readonly string[];
  readonly host: string;
  readonly port: number;
  /** The secret holding the bearer token callers send. */
  readonly authSecret?: string;
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
  const files = await expandInputs(args.patterns, io.cwd, ["flow"]);
  if (files.length === 0) {
    io.stderr("callflow serve: no .flow files to serve\n");
    return EXIT_USAGE;
  }
  const secrets = envSecrets(io.env);
  let authToken: string | undefined;
  if (args.authSecret !== undefined) {
    authToken = await secrets(args.authSecret);
    if (authToken === undefined || authToken === "") {
      io.stderr(
        `callflow serve: the auth secret ${args.authSecret} has no value; set CALLFLOW_SECRET_${args.authSecret}\n`,
      );
      return EXIT_USAGE;
    }
  } else if (args.auth && !isLoopback(args.host)) {
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

  const { HOST_DEFAULTS } = await import("../../host/host.js");
  const { startServer, SERVE_DEFAULTS } = await import("../../server/server.js");
  const server = await startServer({
    flows,
    problems,
    environment: { config: {}, secrets },
    host: args.host,
    port: args.port,
    authToken,
    deadlineMs: args.deadlineMs ?? HOST_DEFAULTS.deadlineMs,
    maxConcurrency: args.maxConcurrency ?? HOST_DEFAULTS.maxConcurrency,
    bodyLimit: args.bodyLimit ?? SERVE_DEFAULTS.bodyLimit,
    version: args.version,
    log: process.stderr,
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
