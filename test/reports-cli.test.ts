// What `callflow test` and `callflow check` write for machines and terminals, through the built CLI in
// child processes: each format holds only what its grammar allows, whatever names files and tests carry
// (JUnit without characters XML 1.0 forbids, LCOV without forged records, terminal lines without
// escape sequences, GitHub workflow commands escaped); LCOV marks exits on their own lines; JUnit times
// are real; coverage names one flow one way; the GitHub job summary.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

let dir = "";

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  dir = mkdtempSync(path.join(tmpdir(), "callflow-reports-"));
  copyFileSync(path.join(ROOT, "examples/order-status.flow"), path.join(dir, "order-status.flow"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function callflow(args: readonly string[], cwd = dir, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const clean: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env };
  if (env["GITHUB_STEP_SUMMARY"] === undefined) delete clean["GITHUB_STEP_SUMMARY"];
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: clean });
}

/** A test file for order-status.flow with one test named `name` (a .flowtest string's contents). */
function testFile(file: string, name: string, route: string, flow = "order-status.flow"): string {
  writeFileSync(
    path.join(dir, file),
    `tests for ${JSON.stringify(flow)}

test "${name}" {
  config { api_base = "https://crm.test" }
  globals { caller_id = "+15550100"  order_id = "1002" }
  secrets { CRM_TOKEN = "t-123" }
  mock lookup_order {
    reply 200 { json { "shipDate": "2026-12-27", "items": [7], "customer": { "vip": false }, "payment": { "last4": "0005" } } }
  }
  expect { route ${JSON.stringify(route)} }
}
`,
  );
  return file;
}

// XML 1.0's Char production (section 2.2): a document with anything else is not well-formed.
const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

describe("output injection", () => {
  it("JUnit: a test named with characters XML 1.0 forbids still gives a well-formed file", () => {
    // U+FFFF, a C0 control, a lone surrogate, and a tab and line break that attributes must keep.
    const file = testFile("odd-names.flowtest", "a\\uffff b\\u0001 c\\ud800 d\\te\\nf", "nowhere");
    const result = callflow(["test", "--reporter", "junit", "--output", "odd.xml", file]);
    expect(result.status, result.stderr).toBe(1);
    const xml = readFileSync(path.join(dir, "odd.xml"), "utf8");
    expect(XML_CHARS.test(xml)).toBe(true);
    const parsed = xmlParser.parse(xml) as { testsuites: { testsuite: { testcase: { name: string } } } };
    expect(parsed.testsuites.testsuite.testcase.name).toBe("a\ufffd b\ufffd c\ufffd d&#9;e&#10;f");
    expect(xml).toContain('name="a\ufffd b\ufffd c\ufffd d&#9;e&#10;f"');
  });

  it("LCOV: a flow file name with a line break is refused, not written as forged records", () => {
    const forged = "x\nend_of_record\nSF:forged.flow";
    copyFileSync(path.join(ROOT, "examples/order-status.flow"), path.join(dir, forged));
    const file = testFile("forged.flowtest", "fine", "support", forged);
    const result = callflow(["test", "--coverage-format", "lcov", "--coverage-out", "forged.lcov", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      'callflow test: cannot write forged.lcov: the flow file name "x\\nend_of_record\\nSF:forged.flow" has a line break, which LCOV cannot hold\n',
    );
    expect(existsSync(path.join(dir, "forged.lcov"))).toBe(false);
  });

  it("terminal: escape sequences and carriage returns in a test name cannot forge the summary", () => {
    const file = testFile("forge.flowtest", "x\\u001b[2K\\r12 passed, 0 failed\\u001b[8m", "nowhere");
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(/[\u001b\r]/);
    expect(result.stdout).toContain("   ✗ x\\u001b[2K\\u000d12 passed, 0 failed\\u001b[8m");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
  });

  it("terminal: a diagnostic about a file named with escapes prints them escaped", () => {
    const name = "bad\u001b[31m\r.flow";
    writeFileSync(path.join(dir, name), "flow {");
    const result = callflow(["check", name]);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(/[\u001b\r]/);
    expect(result.stdout).toContain("bad\\u001b[31m\\u000d.flow:1:6");
  });

  it("GitHub annotations: %, line breaks, ':' and ',' in a file name are escaped per the workflow-command rules", () => {
    mkdirSync(path.join(dir, "gh"));
    const name = "a%25,b:c\nd.flow";
    writeFileSync(path.join(dir, "gh", name), "flow {");
    const result = callflow(["check", "--format", "github", name], path.join(dir, "gh"));
    expect(result.status).toBe(1);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatch(/^::error file=a%2525%2Cb%3Ac%0Ad\.flow,line=1,col=\d+,title=CF\d{4}::/);
  });
});

describe("report contents", () => {
  it("JUnit `time` is the real time a test took; its virtual time is a property", () => {
    copyFileSync(path.join(ROOT, "examples/order-status.flowtest"), path.join(dir, "order-status.flowtest"));
    const result = callflow(["test", "--reporter", "junit", "--output", "timed.xml", "order-status.flowtest"]);
    expect(result.status, result.stdout).toBe(0);
    const parsed = xmlParser.parse(readFileSync(path.join(dir, "timed.xml"), "utf8")) as {
      testsuites: {
        time: string;
        testsuite: {
          testcase: { name: string; time: string; properties: { property: { name: string; value: string } } }[];
        };
      };
    };
    const vip = parsed.testsuites.testsuite.testcase[0]!;
    expect(vip.name).toBe("a VIP order: one 503, then Success, to the VIP queue");
    // The run waits the capped Retry-After, 10 s, on the virtual clock only.
    expect(vip.properties.property).toEqual({ name: "virtual_time", value: "10.000" });
    expect(Number(vip.time)).toBeLessThan(10);
    expect(Number(parsed.testsuites.time)).toBeLessThan(10);
  });

  it("coverage names a flow relative to the working directory, however its test files were named", () => {
    const root = path.join(dir, "paths");
    for (const folder of ["flows", "tests", "work"]) mkdirSync(path.join(root, folder), { recursive: true });
    // The project's root: a test file may name a flow anywhere inside it.
    writeFileSync(path.join(root, "callflow.json"), "{}\n");
    copyFileSync(path.join(ROOT, "examples/order-status.flow"), path.join(root, "flows/order-status.flow"));
    const flowtest = readFileSync(path.join(ROOT, "examples/order-status.flowtest"), "utf8").replace(
      'tests for "order-status.flow"',
      'tests for "../flows/order-status.flow"',
    );
    writeFileSync(path.join(root, "tests/one.flowtest"), flowtest);
    writeFileSync(path.join(root, "tests/two.flowtest"), flowtest);
    const args = [
      "test",
      "--format",
      "json",
      "--coverage-format",
      "lcov",
      "--coverage-out",
      "cov.lcov",
      path.join(root, "tests/one.flowtest"),
      "../tests/two.flowtest",
    ];
    const result = callflow(args, path.join(root, "work"));
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { coverage: { flow: string }[] };
    expect(report.coverage.map((c) => c.flow)).toEqual(["../flows/order-status.flow"]);
    const lcov = readFileSync(path.join(root, "work/cov.lcov"), "utf8");
    expect(lcov.split("\n").filter((l) => l.startsWith("SF:"))).toEqual(["SF:../flows/order-status.flow"]);
  });
});

describe("--reporter github-summary", () => {
  it("appends Markdown with counts, a row per file, the failures and coverage to $GITHUB_STEP_SUMMARY", () => {
    const summary = path.join(dir, "summary.md");
    writeFileSync(summary, "## Earlier step\n\n");
    copyFileSync(path.join(ROOT, "examples/order-status.flowtest"), path.join(dir, "order-status.flowtest"));
    const failing = testFile("md.flowtest", "a | b `c` <i>x</i> ```", "```\n# not a heading");
    const result = callflow(
      ["test", "--reporter", "github-summary", "--coverage", "order-status.flowtest", failing],
      dir,
      {
        GITHUB_STEP_SUMMARY: summary,
      },
    );
    expect(result.status).toBe(1);
    const text = readFileSync(summary, "utf8");
    expect(text.startsWith("## Earlier step\n\n## ❌ callflow test: 4 passed, 1 failed\n")).toBe(true);
    expect(text).toContain("| ✅ | order-status.flowtest | 4 | 0 |");
    expect(text).toContain("| ❌ | md.flowtest | 0 | 1 |");
    // Inline Markdown and HTML in the name are escaped; the failure is in a fence the name cannot close.
    expect(text).toContain("#### md.flowtest › a \\| b \\`c\\` \\<i\\>x\\</i\\> \\`\\`\\` (line 3)");
    expect(text).toContain(
      '````text\nmd.flowtest:10:12  the run did not route as expected\n- expected: route "```\\n# not a heading"\n+ actual:   end goodbye\n````\n',
    );
    expect(text).toContain("| ✅ | order-status.flow | 6/6 | 100.0% |");
  });

  it("is a usage error outside GitHub Actions, where $GITHUB_STEP_SUMMARY is not set", () => {
    const result = callflow(["test", "--reporter", "github-summary", "order-status.flowtest"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--reporter github-summary appends to $GITHUB_STEP_SUMMARY, which is not set");
  });
});
