// A test's failures show the run's data redacted where it is built: a one-letter secret or a masked value that
// is a word of callflow's own vocabulary hides the data it is in, never the failure's words, ids or outcome kinds.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const dir = mkdtempSync(path.join(tmpdir(), "callflow-failure-redaction-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("callflow test: failures with short and vocabulary-like secrets", () => {
  it("keeps every failure's words and shape, and shows no secret in a value", () => {
    writeFileSync(path.join(dir, "callflow.json"), "{}\n");
    copyFileSync(path.join(ROOT, "examples/order-status.flow"), path.join(dir, "order-status.flow"));
    writeFileSync(
      path.join(dir, "short.flowtest"),
      `tests for "order-status.flow"

test "fails on purpose" {
  config { api_base = "https://crm.test" }
  globals { caller_id = "+15550100"  order_id = "1001" }
  secrets { CRM_TOKEN = "e" }
  mock lookup_order {
    request { header "Authorization" = "Bearer x" }
    reply 200 { json { "shipDate": "2026-12-24", "items": [1], "customer": { "vip": false }, "payment": { "last4": "4242" } } }
  }
  expect {
    route "vip-support"
    ship_date = "never"
  }
}
`,
    );
    const result = spawnSync(process.execPath, [CLI, "test", "--format", "json", "short.flowtest"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout) as {
      files: { tests: { name: string; failures: { message: string; expected?: string; actual?: string }[] }[] }[];
    };
    expect(report.files[0]!.tests[0]!.name).toBe("fails on purpose");
    const failures = report.files[0]!.tests[0]!.failures;
    expect(failures.map((f) => f.message)).toEqual([
      "attempt 1 of lookup_order: header Authorization differs",
      "the run did not route as expected",
      "ship_date differs",
    ]);
    const header = failures[0]!;
    // The value sent carried the secret: it is hidden there, and only there.
    expect(header.actual).toBe('"B••••ar••••r ••••"');
    expect(result.stdout).not.toContain("Bearer e");
    expect(failures[1]!.expected).toBe('route "vip-support"');
    expect(failures[1]!.actual).toBe("end goodbye");
    expect(failures[2]!.expected).toBe('"n••••v••••r"');
  });
});
