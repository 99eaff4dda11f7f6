// `callflow check --format sarif` through the built CLI, validated against the SARIF 2.1.0 schema.
// test/fixtures/sarif-schema-2.1.0.json is OASIS's published schema (the approved errata), reformatted
// by Prettier; it is JSON Schema draft-04, which ajv reads through ajv-draft-04.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const schema = JSON.parse(readFileSync("test/fixtures/sarif-schema-2.1.0.json", "utf8")) as object;
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
// A CommonJS module whose class is also its `default` export, which is how TypeScript types the import.
const validate = new AjvDraft04.default({ allErrors: true, strict: false }).compile(schema);

interface Region {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}
interface Location {
  id?: number;
  physicalLocation: { artifactLocation: { uri: string }; region: Region };
  message?: { text: string };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: { id: string; shortDescription: { text: string }; helpUri: string }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Location[];
      relatedLocations?: Location[];
    }[];
  }[];
}

let repo = "";

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "callflow-sarif-"));
  // A repository whose flows sit in a subfolder, checked from that subfolder: URIs stay relative to the root.
  spawnSync("git", ["init", "-q", repo]);
  mkdirSync(path.join(repo, "flows", "with space"), { recursive: true });
  writeFileSync(path.join(repo, "flows", "broken.flow"), readFileSync("test/fixtures/broken.flow", "utf8"));
  writeFileSync(path.join(repo, "flows", "with space", "dup.flow"), "flow dup {\n  start -> a\n  end a\n  end a\n}\n");
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

function sarif(args: readonly string[], cwd: string): { status: number | null; log: SarifLog; stdout: string } {
  const run = spawnSync(process.execPath, [CLI, "check", "--format", "sarif", ...args], { cwd, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return { status: run.status, log: JSON.parse(run.stdout) as SarifLog, stdout: run.stdout };
}

describe("callflow check --format sarif", () => {
  it("writes one run that validates against the SARIF 2.1.0 schema", () => {
    const { status, log } = sarif([], path.join(repo, "flows"));
    expect(status).toBe(1);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    expect(log.runs[0]?.tool.driver).toMatchObject({ name: "callflow", version: pkg.version });
  });

  it("gives each result a rule, a level, a message and a region with start and end", () => {
    const { log } = sarif(["broken.flow"], path.join(repo, "flows"));
    const run = log.runs[0];
    if (run === undefined) throw new Error("no run");
    const ids = run.tool.driver.rules.map((r) => r.id);
    // One rule per code used, each used code once.
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(run.results.map((r) => r.ruleId))).toEqual(new Set(ids));
    for (const rule of run.tool.driver.rules) {
      expect(rule.helpUri).toMatch(/^https:\/\/.+\/docs\/language\.md#diagnostics$/);
      expect(rule.shortDescription.text).not.toMatch(/\{\d\}/);
    }
    for (const result of run.results) expect(ids[result.ruleIndex]).toBe(result.ruleId);
    // broken.flow line 10: `retry 5`, outside the contract's bounds (CF2013).
    const retry = run.results.find((r) => r.ruleId === "CF2013");
    expect(retry).toMatchObject({
      level: "error",
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: "flows/broken.flow" },
            region: { startLine: 10, startColumn: 11, endLine: 10, endColumn: 12 },
          },
        },
      ],
    });
    expect(retry?.message.text).toContain("retry");
  });

  it("lists related places as relatedLocations and percent-encodes file URIs", () => {
    const { log } = sarif([], path.join(repo, "flows"));
    const duplicate = log.runs[0]?.results.find((r) => r.ruleId === "CF2006");
    expect(duplicate?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "flows/with%20space/dup.flow" },
      region: { startLine: 4, startColumn: 7, endLine: 4, endColumn: 8 },
    });
    expect(duplicate?.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: "flows/with%20space/dup.flow" },
          region: { startLine: 3, startColumn: 7, endLine: 3, endColumn: 8 },
        },
        message: { text: expect.any(String) as unknown as string },
      },
    ]);
  });

  it("is a valid, empty run for clean files, and the same bytes every time", () => {
    const clean = path.join(repo, "clean");
    mkdirSync(clean, { recursive: true });
    writeFileSync(path.join(clean, "ok.flow"), "flow ok {\n  start -> a\n  end a\n}\n");
    const { status, log, stdout } = sarif([], clean);
    expect(status).toBe(0);
    expect(validate(log)).toBe(true);
    expect(log.runs[0]?.results).toEqual([]);
    expect(sarif([], clean).stdout).toBe(stdout);
  });
});
