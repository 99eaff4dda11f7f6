// `callflow serve` as a real child process: started on a free port, its first stdout line read for the
// address, its stderr (the JSON log lines) collected, stopped by a signal.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { HostedFlow } from "../../host/host.js";
import { tempDir } from "../compile-helpers.js";
import { CLI, ROOT } from "./cli.js";
import { startServer, type TestServer } from "./http-server.js";

/** The flows the serve tests run; `lookup.flow` and `quote.flow` take the environment's `config api_base`. */
export const SERVE_FIXTURES = path.join(ROOT, "test/fixtures/serve");

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The JSON log lines of runs so far. */
  runLogs(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code once its output has been read to the end. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `callflow serve ARGS --port 0` in `cwd`; rejects with its stderr when it exits before listening. */
export function serve(args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Served> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // "close", not "exit": stderr has been read to its end, so every log line the process wrote is in.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      const match = /^callflow serve: listening on (http:\/\/\S+)$/.exec(line);
      if (match === null) return reject(new Error(`unexpected first line: ${line}`));
      resolve({
        url: match[1]!,
        child,
        stderr: () => stderr,
        runLogs: () =>
          stderr
            .split("\n")
            .filter((l) => l.startsWith("{"))
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .filter((l) => l["msg"] === "run"),
        stop: (signal = "SIGTERM") => {
          child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`callflow serve exited ${code}: ${stderr}`)));
  });
}

/** A served process's exit: code and stderr, for commands that refuse to start. */
export function serveFails(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}

export interface ServeProjectOptions {
  /** Flow files copied from `from` (default SERVE_FIXTURES) into the project. */
  readonly flows: readonly string[];
  readonly from?: string;
  /** The environment "test"'s config values. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Secret values, each read through an environment variable `TEST_SECRET_<NAME>`. */
  readonly secrets: Readonly<Record<string, string>>;
  /** callflow.json's `serve.authSecret`. */
  readonly authSecret?: string;
}

/**
 * Makes `dir` a project for `callflow serve --env test`: the flows copied in and a callflow.json whose environment
 * "test" holds `config` and names an environment variable as each secret's source. Returns those variables, for
 * `serve`'s `env`.
 */
export function serveProject(dir: string, options: ServeProjectOptions): NodeJS.ProcessEnv {
  for (const flow of options.flows) copyFileSync(path.join(options.from ?? SERVE_FIXTURES, flow), path.join(dir, flow));
  const variable = (name: string): string => `TEST_SECRET_${name}`;
  const names = Object.keys(options.secrets);
  const project = {
    environments: {
      test: {
        config: options.config,
        secrets: Object.fromEntries(names.map((name) => [name, { env: variable(name) }])),
      },
    },
    ...(options.authSecret === undefined ? {} : { serve: { authSecret: options.authSecret } }),
  };
  writeFileSync(path.join(dir, "callflow.json"), JSON.stringify(project, null, 2));
  return Object.fromEntries(names.map((name) => [variable(name), options.secrets[name]]));
}

export interface ServedProject {
  readonly upstream: TestServer;
  readonly served: Served;
  /** The project folder. */
  readonly dir: string;
  /** The variables holding the secrets, for another `serve` in the same project. */
  readonly env: NodeJS.ProcessEnv;
  /** Stops the server and the upstream, removes the project. */
  close(): Promise<void>;
}

/**
 * A real upstream (routed by `route`) and `callflow serve --env test ARGS` in a temporary project whose
 * environment "test" gives the upstream's URL as `config api_base` (or `config(url)`) and holds `secrets`.
 */
export async function serveWithUpstream(
  prefix: string,
  options: Omit<ServeProjectOptions, "config"> & {
    readonly route?: (upstream: TestServer) => void;
    readonly config?: (upstream: string) => Readonly<Record<string, unknown>>;
    readonly args?: readonly string[];
  },
): Promise<ServedProject> {
  const project = tempDir(prefix);
  const upstream = await startServer();
  options.route?.(upstream);
  const env = serveProject(project.dir, {
    ...options,
    config: options.config?.(upstream.url) ?? { api_base: upstream.url },
  });
  const served = await serve(["--env", "test", ...(options.args ?? [])], { cwd: project.dir, env });
  return {
    upstream,
    served,
    dir: project.dir,
    env,
    async close() {
      await served.stop();
      await upstream.close();
      project.remove();
    },
  };
}

/** Fixture flows of SERVE_FIXTURES, loaded by the built host (whose loader imports the built runtime). */
export async function hostedFixtures(...names: readonly string[]): Promise<HostedFlow[]> {
  const { hostFlows } = (await import(path.join(ROOT, "dist/host/host.js"))) as typeof import("../../host/host.js");
  const { flows, problems } = await hostFlows(
    names.map((file) => ({ file, text: readFileSync(path.join(SERVE_FIXTURES, file), "utf8") })),
  );
  if (problems.length > 0) throw new Error(`fixtures with problems: ${problems.map((p) => p.message).join("; ")}`);
  return flows;
}
