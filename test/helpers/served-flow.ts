// A flow run through the built CLI (`callflow run --json`) against a real node:http server, as
// the type tests do: the flow is written to a temp dir and the server started before the tests.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll } from "vitest";
import type { StepEndEvent, TraceEvent } from "../../runtime/trace.js";
import { tempDir } from "../compile-helpers.js";
import { CLI } from "./cli.js";
import { startServer, type TestServer } from "./http-server.js";

const exec = promisify(execFile);

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ServedFlow {
  /** The flow file. */
  readonly file: string;
  /** The server; only inside tests. */
  readonly server: TestServer;
  /** `callflow run FILE --json` with `--global base=SERVER_URL` and then each of `globals`. */
  run(...globals: string[]): Promise<CliRun>;
  /** `callflow run FILE` with exactly these `--global`s and `--json` when asked. */
  runWith(globals: readonly string[], json?: boolean): Promise<CliRun>;
}

export function servedFlow(prefix: string, source: string): ServedFlow {
  let server: TestServer | undefined;
  const temp = tempDir(prefix);
  const file = path.join(temp.dir, "f.flow");
  beforeAll(async () => {
    server = await startServer();
    writeFileSync(file, source);
  });
  afterAll(async () => {
    temp.remove();
    await server?.close();
  });
  const served: ServedFlow = {
    file,
    get server(): TestServer {
      if (server === undefined) throw new Error("the server starts before the tests");
      return server;
    },
    run: (...globals) => served.runWith([`base=${served.server.url}`, ...globals]),
    runWith: (globals, json = true) =>
      exec(
        process.execPath,
        // `base` is the flows' `config base: url`: the environment's, given with --config.
        [
          CLI,
          "run",
          file,
          ...(json ? ["--json"] : []),
          ...globals.flatMap((g) => [g.startsWith("base=") ? "--config" : "--global", g]),
        ],
        {
          env: { ...process.env, NO_COLOR: "1" },
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: CliRun) => error,
      ),
  };
  return served;
}

/** The `step.end` events of `--json` output, in order. */
export function stepEnds(stdout: string): StepEndEvent<string>[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as TraceEvent)
    .filter((e): e is StepEndEvent<string> => e.type === "step.end");
}
