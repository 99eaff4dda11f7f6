// `callflow check --format sarif` through the built CLI, validated against the SARIF 2.1.0 schema.
// test/fixtures/sarif-schema-2.1.0.json is OASIS's published schema (the approved errata), reformatted
// by Prettier; it is JSON Schema draft-04, which ajv reads through ajv-draft-04.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
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
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          help: { text: string; markdown: string };
          helpUri: string;
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Location[];
      relatedLocations?: Location[];
      partialFingerprints: { primaryLocationLineHash: string };
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
  // A test file with CF3xxx errors against a flow that checks.
  writeFileSync(path.join(repo, "flows", "ok.flow"), "flow ok {\n  start -> a\n  end a\n}\n");
  writeFileSync(
    path.join(repo, "flows", "ok.flowtest"),
    'tests for "ok.flow"\n\ntest "t" {\n  mock nowhere { reply 200 }\n  expect { end a }\n}\n',
  );
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
      expect(rule.fullDescription.text.startsWith(rule.shortDescription.text)).toBe(true);
      expect(rule.help.text).toContain(rule.helpUri);
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

describe("SARIF for GitHub code scanning", () => {
  it("links each code to the docs page whose diagnostics table lists it", () => {
    const { log } = sarif([], path.join(repo, "flows"));
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toContain("CF3003");
    for (const rule of rules) {
      const [, page, anchor] = /\/docs\/([a-z]+\.md)#([a-z-]+)$/.exec(rule.helpUri) ?? [];
      const doc = readFileSync(path.join(ROOT, "docs", page ?? "missing"), "utf8");
      // The anchor's section (up to the next heading of its level or higher) holds the code's row.
      const heading = doc.split("\n").findIndex((l) => /^#+ /.test(l) && slug(l) === anchor);
      expect(heading, `${rule.id}: ${rule.helpUri}`).toBeGreaterThan(-1);
      const rest = doc.split("\n").slice(heading + 1);
      const end = rest.findIndex((l) => /^#{1,2} /.test(l));
      expect(rest.slice(0, end === -1 ? undefined : end).some((l) => l.startsWith(`| ${rule.id} |`))).toBe(true);
    }
  });

  it("gives each result a fingerprint that stays when lines move and differs between results", () => {
    const folder = path.join(repo, "moving");
    mkdirSync(folder, { recursive: true });
    const flow = "flow m {\n  start -> a\n  end a\n  end a\n  end b\n  end b\n}\n";
    writeFileSync(path.join(folder, "m.flow"), flow);
    const before = sarif([], folder).log.runs[0]!.results;
    writeFileSync(path.join(folder, "m.flow"), "# moved down\n\n" + flow);
    const after = sarif([], folder).log.runs[0]!.results;
    expect(after.map((r) => r.locations[0]!.physicalLocation.region.startLine)).not.toEqual(
      before.map((r) => r.locations[0]!.physicalLocation.region.startLine),
    );
    const hashes = before.map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(after.map((r) => r.partialFingerprints.primaryLocationLineHash)).toEqual(hashes);
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{16}:\d+$/);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  // Microsoft's SARIF Multitool (a .NET program the npm package carries per platform) runs the rules
  // GitHub's SARIF ingestion applies (GHxxxx), with the SARIF rules (SARIFxxxx) beside them.
  const multitool = ((): { path: string } | { skip: string } => {
    let binary: string;
    try {
      binary = createRequire(import.meta.url)("@microsoft/sarif-multitool") as string;
    } catch (error) {
      return { skip: `the SARIF Multitool has no build for ${process.platform} (${String(error)})` };
    }
    const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
    if (probe.status !== 0)
      return { skip: `the SARIF Multitool does not run here: ${probe.error?.message ?? probe.stderr.trim()}` };
    return { path: binary };
  })();
  if ("skip" in multitool) console.warn(`SKIPPED: ${multitool.skip}`);

  it.skipIf("skip" in multitool)("passes the SARIF Multitool's GitHub rules with no error, warning or note", () => {
    const { stdout } = sarif([], path.join(repo, "flows"));
    const input = path.join(repo, "callflow.sarif");
    const output = path.join(repo, "validation.sarif");
    writeFileSync(input, stdout);
    const binary = (multitool as { path: string }).path;
    const run = spawnSync(
      binary,
      // Its option parser wants the input before --output and --log.
      ["validate", "--rule-kind", "Gh;Sarif", input, "--output", output, "--log", "ForceOverwrite"],
      { encoding: "utf8" },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const validation = JSON.parse(readFileSync(output, "utf8")) as {
      runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string } }[] }[];
    };
    const findings = (validation.runs[0]?.results ?? []).filter((r) => r.level !== "none");
    expect(findings, run.stdout).toEqual([]);
  });
});

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .replace(/^#+ /, "")
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
}
