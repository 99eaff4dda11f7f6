// `callflow serve` as a real child process: started on a free port, its first stdout line read for the
// address, its stderr (the JSON log lines) collected, stopped by a signal.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { CLI } from "./cli.js";

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** The JSON log lines of runs so far. */
  runLogs(): Array<Record<string, unknown>>;
  /** Sends `signal` and resolves with the exit code. */
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
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
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
export function serveFails(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr })));
}
