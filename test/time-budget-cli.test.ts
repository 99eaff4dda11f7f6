// Time budgets through the real CLI: `check --deadline`, `--platform`, the project file's deadline,
// `graph --annotate time` and `diff` on a raised worst case.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const FIXTURE = path.join(ROOT, "test/fixtures/time-budget");
const CHECKOUT = readFileSync(path.join(FIXTURE, "checkout.flow"), "utf8");
let dir: string;

function callflow(args: readonly string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  line: number;
  column: number;
  related?: { message: string; line: number; column: number }[];
}

async function warnings(args: readonly string[], cwd = dir): Promise<JsonDiagnostic[]> {
  const { code, stdout, stderr } = await callflow(["check", "--format", "json", ...args], cwd);
  expect(code, stderr).toBe(0);
  return (JSON.parse(stdout) as { diagnostics: JsonDiagnostic[] }).diagnostics;
}

beforeAll(() => {
  // No callflow.json here: only the flags set a deadline.
  dir = mkdtempSync(path.join(tmpdir(), "callflow-budget-"));
  writeFileSync(path.join(dir, "checkout.flow"), CHECKOUT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("callflow check: time budgets", () => {
  it("warns of each path over --deadline on its slowest widget, with the path, the figure and the rest", async () => {
    const found = await warnings(["--deadline", "15s", "checkout.flow"]);
    expect(found.map((d) => [d.code, d.severity, [d.line, d.column], d.message])).toEqual([
      [
        "CF2046",
        "warning",
        [7, 8],
        "Path start → lookup → pay → sorry → goodbye can take 17 s, over the 15 s deadline (--deadline 15 s); 'lookup' contributes most (14 s).",
      ],
      [
        "CF2046",
        "warning",
        [7, 8],
        "Path start → lookup → pay → goodbye can take 17 s, over the 15 s deadline (--deadline 15 s); 'lookup' contributes most (14 s).",
      ],
    ]);
    expect(found[0]!.related?.map((r) => [r.line, r.column, r.message])).toEqual([[16, 8, "'pay' can take 3 s"]]);
    // Without a deadline, check says nothing of time.
    expect(await warnings(["checkout.flow"])).toEqual([]);
  });

  it("takes a platform's limit from --platform, and refuses it beside --deadline", async () => {
    const connect = await warnings(["--platform", "connect", "checkout.flow"]);
    expect(connect).toHaveLength(3);
    expect(connect[2]!.message).toBe(
      "Path start → lookup → sorry → goodbye can take 14 s, over the 8 s deadline (Amazon Connect lets a Lambda function run up to 8 s); 'lookup' contributes most (14 s).",
    );
    const twilio = await warnings(["--platform", "twilio", "checkout.flow"]);
    expect(twilio.map((d) => d.message.split(" can take")[0])).toEqual([
      "Path start → lookup → pay → sorry → goodbye",
      "Path start → lookup → pay → goodbye",
      "Path start → lookup → sorry → goodbye",
    ]);
    const both = await callflow(["check", "--platform", "twilio", "--deadline", "8s", "checkout.flow"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("cannot be used with option '--deadline");
  });

  it("reads the deadline from callflow.json: the shortest environment's, else the server's", async () => {
    const found = await warnings(["checkout.flow"], FIXTURE);
    expect(found.map((d) => d.message.split("deadline ")[1])).toEqual(
      Array(3).fill("(environment connect in callflow.json); 'lookup' contributes most (14 s)."),
    );
    const served = await warnings(["--env", "connect", "--deadline", "16s", "checkout.flow"], FIXTURE);
    expect(served.map((d) => d.message.split(" can take")[0])).toEqual([
      "Path start → lookup → pay → sorry → goodbye",
      "Path start → lookup → pay → goodbye",
    ]);
  });

  it("says a loop that makes requests is unbounded", async () => {
    writeFileSync(path.join(dir, "poll.flow"), CHECKOUT.replace("next -> goodbye", "next -> lookup"));
    // Two loops close at lookup: through pay and straight from lookup's fail exit.
    const found = await warnings(["--deadline", "1m", "poll.flow"]);
    expect(found.map((d) => [d.code, d.line, d.column, d.message])).toEqual([
      [
        "CF2047",
        7,
        8,
        "Path start → lookup → pay → sorry → lookup can take unbounded time: the loop lookup → pay → sorry makes requests, over the 60 s deadline (--deadline 60 s).",
      ],
      [
        "CF2047",
        7,
        8,
        "Path start → lookup → sorry → lookup can take unbounded time: the loop lookup → sorry makes requests, over the 60 s deadline (--deadline 60 s).",
      ],
    ]);
  });
});

describe("callflow graph --annotate time and diff", () => {
  it("adds each widget's worst case to the graph", async () => {
    const { code, stdout } = await callflow(["graph", "--annotate", "time", "checkout.flow"]);
    expect(code).toBe(0);
    expect(stdout).toContain('w_lookup[["lookup<br/>http<br/>≤ 14 s, by 14 s"]]');
    expect(stdout).toContain('w_pay[["pay<br/>http<br/>≤ 3 s, by 17 s"]]');
    expect(stdout).toContain('w_goodbye((("goodbye<br/>end<br/>by 17 s")))');
    const plain = await callflow(["graph", "checkout.flow"]);
    expect(plain.stdout).not.toContain("by 17 s");
  });

  it("says which path a change made slower", async () => {
    writeFileSync(path.join(dir, "slower.flow"), CHECKOUT.replace("retry 1", "retry 3"));
    const text = await callflow(["diff", "checkout.flow", "slower.flow"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("~ retry: 1 → 3");
    expect(text.stdout).toContain("slower.flow: worst case raised, path to goodbye: 17 s → 41 s\n");
    const json = await callflow(["diff", "--format", "json", "checkout.flow", "slower.flow"]);
    expect((JSON.parse(json.stdout) as { timeBudgets: unknown }).timeBudgets).toEqual([
      { file: "slower.flow", end: "goodbye", beforeMs: 17_000, afterMs: 41_000 },
    ]);
    const back = await callflow(["diff", "slower.flow", "checkout.flow"]);
    expect(back.stdout).not.toContain("worst case raised");
  });
});
