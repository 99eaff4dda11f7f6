// `callflow run --record`: each demo flow run against the embedded example API (real HTTP on
// 127.0.0.1) is written as a test that passes under `callflow test` and holds no secret or
// masked value.
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
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
  // A project: a test file names a flow inside it (testing.md), here from tests/ into flows/.
  writeFileSync(path.join(dir, "callflow.json"), "{}\n");
  mkdirSync(path.join(dir, "flows"));
  mkdirSync(path.join(dir, "tests"));
  for (const name of readdirSync(path.join(ROOT, "examples")).filter((n) => n.endsWith(".flow")))
    copyFileSync(path.join(ROOT, "examples", name), path.join(dir, "flows", name));
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
      const out = path.join(dir, "tests", `recorded-${i}.flowtest`);
      const run = await callflow([
        "run",
        path.join(dir, "flows", flow),
        "--config",
        `api_base=${api.url}`,
        ...globals.flatMap((g) => ["--global", g]),
        "--record",
        out,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const text = readFileSync(out, "utf8");
      expect(text).toContain(`tests for "../flows/${flow}"`);
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

// Responses the runtime accepts at the edge of what a test file can hold: JSON nested 98 to 100 deep (the
// test's own blocks come on top) and strings around 1,000,000 characters (the longest literal a test
// file holds). Each run is either recorded as a test that passes, or refused with the reason and no file.
describe("callflow run --record at the limits of test files", () => {
  let server: Server;
  let base = "";
  const bodies = new Map<string, { type: string; body: string }>();
  const nested = (depth: number): string => "[".repeat(depth) + "1" + "]".repeat(depth);
  for (const depth of [97, 98, 99, 100])
    bodies.set(`depth-${depth}`, { type: "application/json", body: nested(depth) });
  for (const length of [999_999, 1_000_000, 1_000_001]) {
    bodies.set(`json-string-${length}`, { type: "application/json", body: JSON.stringify({ s: "a".repeat(length) }) });
    bodies.set(`text-${length}`, { type: "text/plain", body: "b".repeat(length) });
  }

  beforeAll(async () => {
    server = createServer((request, response) => {
      const found = bodies.get((request.url ?? "").slice(1));
      response.writeHead(found === undefined ? 404 : 200, { "content-type": found?.type ?? "text/plain" });
      response.end(found?.body ?? "");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    writeFileSync(
      path.join(dir, "probe.flow"),
      `flow probe {
  global api_base: string
  global route: string

  start -> fetch

  http fetch {
    method GET
    url "{{api_base}}/{{route}}"
    success -> done
    fail -> done
  }

  end done
}
`,
    );
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function record(route: string): Promise<{ written: boolean; stderr: string; passes?: boolean }> {
    const out = path.join(dir, `probe-${route}.flowtest`);
    const flow = path.join(dir, "probe.flow");
    const run = await callflow([
      "run",
      flow,
      "--global",
      `api_base=${base}`,
      "--global",
      `route=${route}`,
      "--record",
      out,
    ]);
    if (!existsSync(out)) {
      expect(run.code, run.stderr).toBe(2);
      return { written: false, stderr: run.stderr };
    }
    expect(run.code, run.stderr).toBe(0);
    const test = await callflow(["test", out]);
    // The response was recorded: the test replays it from a mock.
    expect(readFileSync(out, "utf8")).toContain("mock fetch {");
    return { written: true, stderr: run.stderr, passes: test.code === 0 && test.stdout.includes("1 passed, 0 failed") };
  }

  it.each([97, 98, 99, 100])("a JSON response nested %i deep is recorded as a test that passes", async (depth) => {
    expect(await record(`depth-${depth}`)).toMatchObject({ written: true, passes: true });
  });

  it.each(["json-string", "text"])("a %s of 999,999 characters is recorded as a test that passes", async (kind) => {
    expect(await record(`${kind}-999999`)).toMatchObject({ written: true, passes: true });
  });

  it.each(["json-string", "text"])("a %s of 1,000,000 characters is recorded and passes, or refused", async (kind) => {
    const result = await record(`${kind}-1000000`);
    if (result.written) expect(result.passes).toBe(true);
    else expect(result.stderr).toMatch(/^callflow run: cannot record the run as a test, so .* is not written: /);
  });

  it.each(["json-string", "text"])("a %s of 1,000,001 characters is refused with the reason", async (kind) => {
    const result = await record(`${kind}-1000001`);
    expect(result.written).toBe(false);
    expect(result.stderr).toContain(
      "the response 1 of fetch holds a string of 1,000,001 characters as a test file writes it; test files hold strings of at most 1,000,000",
    );
  });
});
