// `callflow run --record`: each demo flow run against the embedded example API (real HTTP on
// 127.0.0.1) is written as a test that passes under `callflow test` and holds no secret or
// masked value.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_SECRETS, startDemoApi } from "../examples/demo-api.js";
import { CLI, ROOT } from "./helpers/cli.js";

const execFileAsync = promisify(execFile);

let dir = "";
let api: Awaited<ReturnType<typeof startDemoApi>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "callflow-record-"));
  api = await startDemoApi();
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI, asynchronously: the example API answers from this process meanwhile. */
async function callflow(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const [name, value] of Object.entries(DEMO_SECRETS)) env[`CALLFLOW_SECRET_${name}`] = value;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

const RUNS: readonly (readonly [string, readonly string[]])[] = [
  ["order-status.flow", ["caller_id=+15550100", "order_id=1001"]],
  ["order-status.flow", ["caller_id=+15550100", "order_id=2002"]],
  ["order-status.flow", ["caller_id=+15550100", "order_id=4040"]],
  ["appointment-reminder.flow", ["appointment_id=A-17", "patient_phone=+15550101"]],
  ["payment-status.flow", ["account_id=77"]],
];

describe("callflow run --record", () => {
  it.each(RUNS.map(([flow, globals], i) => [i, flow, globals] as const))(
    "run %i (%s) is recorded as a test that passes and holds no secret",
    async (i, flow, globals) => {
      const out = path.join(dir, `recorded-${i}.flowtest`);
      const run = await callflow([
        "run",
        `examples/${flow}`,
        "--config",
        `api_base=${api.url}`,
        ...globals.flatMap((g) => ["--global", g]),
        "--record",
        out,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const text = readFileSync(out, "utf8");
      expect(text).toContain(
        `tests for "${path
          .relative(dir, path.join(ROOT, "examples", flow))
          .split(path.sep)
          .join("/")}"`,
      );
      for (const secret of Object.values(DEMO_SECRETS)) expect(text).not.toContain(secret);
      // The demo API's card numbers fill masked variables.
      for (const card of ["4242", "1881", "0005"]) expect(text).not.toContain(card);
      expect(text).toMatch(/expect \{\n {4}path /);
      const test = await callflow(["test", out]);
      expect(test.code, test.stdout).toBe(0);
      expect(test.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
    },
  );
});
