// Every CF3xxx code is produced by some test file: the checks against the flow (testing/check.ts)
// in process, and the two about the flow itself (missing, or with errors) through the CLI.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { messages } from "../grammar/diagnostics.js";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import { parse } from "../grammar/parse.js";
import { checkFlowTest } from "../testing/check.js";
import { CLI, ROOT } from "./helpers/cli.js";

const FLOW = readFileSync(path.join(ROOT, "examples/order-status.flow"), "utf8");

function check(test: string): string[] {
  const parsed = parseFlowTest(`tests for "order-status.flow"\n${test}`, "t.flowtest");
  expect(parsed.diagnostics).toEqual([]);
  const flow = parse(FLOW, "order-status.flow").flow!;
  return checkFlowTest(parsed.file!, flow).map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`);
}

describe("checking a test file against its flow", () => {
  it("accepts the examples' tests", () => {
    const source = readFileSync(path.join(ROOT, "examples/order-status.flowtest"), "utf8");
    const parsed = parseFlowTest(source, "order-status.flowtest");
    expect(checkFlowTest(parsed.file!, parse(FLOW, "order-status.flow").flow!)).toEqual([]);
  });

  it("reports each problem with its code and place", () => {
    expect(
      check(`test "t" {
  globals { caller_id = 3  ship_date = "x"  nope = "x"  order_id = caller_id }  config { api_base = 3  order_id = "1" }
  secrets { CRM_TOKEN = 5  OTHER = "x" }
  mock announce { reply 200 }
  mock lookup_ordr { reply 200 }
  mock lookup_order { reply 99 }
  mock lookup_order { }
  expect {
    path lookup_order, nowhere
    end nowhere
    attempts check_vip = 1
    shipdate = "x"
    is_vip = "yes"
    customer = { "a": secret.CRM_TOKEN }
  }
}
test "t" { }
`),
    ).toEqual([
      "CF3010 3:25 The value is a number, but 'caller_id' is declared as string.",
      "CF3008 3:28 'ship_date' is not a global of flow 'order_status'.",
      "CF3008 3:45 'nope' is not a global of flow 'order_status'.",
      "CF3011 3:68 Test values are written out: found a name, expected a string, number, boolean, null, object or array.",
      "CF3010 3:101 The value is a number, but 'api_base' is declared as url.",
      "CF3020 3:104 'order_id' is not a config of flow 'order_status'.",
      "CF3010 4:25 The value is a number, but 'CRM_TOKEN' is declared as a secret (a string).",
      "CF3009 4:28 'OTHER' is not a secret of flow 'order_status'.",
      "CF3004 5:8 'announce' is a send widget; mock needs an http widget.",
      "CF3003 6:8 The flow has no widget 'lookup_ordr'.",
      "CF3012 7:29 A reply status must be a whole number from 100 to 599; found 99.",
      "CF3005 8:8 Widget 'lookup_order' is mocked more than once in this test.",
      "CF3006 8:8 Mock 'lookup_order' has no reply.",
      "CF3003 10:24 The flow has no widget 'nowhere'.",
      "CF3003 11:9 The flow has no widget 'nowhere'.",
      "CF3004 12:14 'check_vip' is a condition widget; attempts needs an http widget.",
      "CF3007 13:5 The flow declares no variable 'shipdate'.",
      "CF3010 14:14 The expected value is a string, but 'is_vip' is declared as boolean.",
      "CF3011 15:23 Test values are written out: found a secret reference, expected a string, number, boolean, null, object or array.",
      'CF3013 18:6 Another test in this file is named "t".',
    ]);
  });

  it("reports a missing flow and a flow with errors (callflow check, exit 1)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "callflow-flowtest-check-"));
    try {
      writeFileSync(path.join(dir, "missing.flowtest"), 'tests for "nowhere.flow"\n');
      writeFileSync(path.join(dir, "bad.flow"), "flow bad {\n  start -> nowhere\n}\n");
      writeFileSync(path.join(dir, "bad.flowtest"), 'tests for "bad.flow"\n');
      const result = spawnSync(process.execPath, [CLI, "check", "missing.flowtest", "bad.flowtest"], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      expect(result.status).toBe(1);
      expect(result.stdout).toContain(
        "missing.flowtest:1:11 - error CF3001: Cannot read the flow nowhere.flow (no such file or directory).",
      );
      expect(result.stdout).toContain(
        "bad.flowtest:1:11 - error CF3002: The flow bad.flow has errors; run 'callflow check bad.flow'.",
      );
      expect(result.stdout).toContain("bad.flow:2:12 - error CF2001");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("the flow a test file names is a .flow file inside the project, else refused unread (issue 22)", () => {
    const SECRET = "hunter2-never-printed";
    // Content that, parsed as a flow, gives a syntax error with a code frame: printed, it would show.
    const OUTSIDE = `flow leaked {\n  ${SECRET} ${SECRET}\n}\n`;
    const run = (cwd: string, args: readonly string[]) =>
      spawnSync(process.execPath, [CLI, ...args], {
        cwd,
        encoding: "utf8",
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: "1", CALLFLOW_SECRET_LEAK: SECRET },
      });

    it("refuses paths outside the project, links that lead out and files that are not .flow, in check and test", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "callflow-flowtest-target-"));
      try {
        const project = path.join(dir, "project");
        mkdirSync(path.join(project, "tests"), { recursive: true });
        mkdirSync(path.join(project, "flows"));
        writeFileSync(path.join(project, "callflow.json"), "{}\n");
        writeFileSync(path.join(dir, "outside.flow"), OUTSIDE);
        symlinkSync(path.join(dir, "outside.flow"), path.join(project, "flows", "link.flow"));
        const up = "../".repeat(path.join(project, "tests").split(path.sep).length);
        const cases = {
          "environ.flowtest": [`${up}proc/self/environ`, 'CF3015: A test file tests a .flow file; "'],
          "passwd.flowtest": ["/etc/passwd", "error CF3015:"],
          "stdin.flowtest": ["/dev/stdin", "error CF3015:"],
          "above.flowtest": [
            "../../outside.flow",
            'error CF3014: The flow "../../outside.flow" is outside the project.',
          ],
          "absolute.flowtest": [path.join(dir, "outside.flow"), "error CF3014:"],
          "link.flowtest": [
            "../flows/link.flow",
            'error CF3014: The flow "../flows/link.flow" is outside the project.',
          ],
        };
        for (const [name, [target]] of Object.entries(cases))
          writeFileSync(path.join(project, "tests", name), `tests for ${JSON.stringify(target)}\n`);
        for (const command of ["check", "test"]) {
          const result = run(path.join(project, "tests"), [command, ...Object.keys(cases)]);
          const output = result.stdout + result.stderr;
          expect(result.status, output).toBe(command === "check" ? 1 : 2);
          for (const [name, [, expected]] of Object.entries(cases)) {
            const line = output.split("\n").find((l) => l.startsWith(`${name}:1:11 - error CF301`));
            expect(line, `${command} ${name}:\n${output}`).toContain(expected);
          }
          expect(output).not.toContain(SECRET);
          expect(output).not.toContain("root:");
          expect(output).not.toContain("leaked");
        }
        expect(run(path.join(project, "tests"), ["check", "--format", "json", "link.flowtest"]).stdout).not.toContain(
          "leaked",
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("takes a flow from elsewhere in the project, and without callflow.json only below the test file's folder", () => {
      const dir = mkdtempSync(path.join(tmpdir(), "callflow-flowtest-target-"));
      try {
        mkdirSync(path.join(dir, "a", "tests"), { recursive: true });
        writeFileSync(path.join(dir, "a", "order-status.flow"), FLOW);
        const test = 'tests for "../order-status.flow"\n\ntest "t" {\n  expect { fail }\n}\n';
        writeFileSync(path.join(dir, "a", "tests", "t.flowtest"), test);
        writeFileSync(path.join(dir, "a", "below.flowtest"), test.replace("../", "./"));
        const outside = run(dir, ["check", "a/tests/t.flowtest", "a/below.flowtest"]);
        expect(outside.stdout).toContain(
          'a/tests/t.flowtest:1:11 - error CF3014: The flow "../order-status.flow" is outside the project.',
        );
        expect(outside.stdout).not.toContain("below.flowtest:1:11");
        writeFileSync(path.join(dir, "a", "callflow.json"), "{}\n");
        const inside = run(dir, ["check", "a/tests/t.flowtest", "a/below.flowtest"]);
        expect(inside.stdout).toContain("2 files checked: 0 errors");
        expect(inside.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("has a test above for every CF3xxx code", () => {
    const source = readFileSync(new URL(import.meta.url), "utf8");
    const codes = Object.values(messages)
      .map((m) => m.code)
      .filter((code) => code.startsWith("CF3"));
    // Each code appears in an expected diagnostic above (as "CF3xxx LINE:COL" or "error CF3xxx:").
    for (const code of codes) expect(source, code).toMatch(new RegExp(`["']${code} |error ${code}:`));
  });
});
