// The CI templates cannot rot: each is read with a YAML parser, and every command line of it that
// runs callflow is run here through bash, with the template's variables, against a scratch
// repository holding the examples, as on a pull request (the base revision substituted).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CLI, ROOT } from "./helpers/cli.js";

const GITHUB = path.join(ROOT, "examples/ci/github-actions.yml");
const GITLAB = path.join(ROOT, "examples/ci/gitlab-ci.yml");
const BASE_BRANCH = "main";

type Variables = Record<string, string>;

interface Script {
  readonly where: string;
  readonly script: string;
  readonly variables: Variables;
}

interface GithubStep {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Variables;
}
interface GithubWorkflow {
  readonly env?: Variables;
  readonly jobs: Record<string, { readonly env?: Variables; readonly steps: readonly GithubStep[] }>;
}

/** Every `run:` of the workflow with the environment GitHub would give it. */
function githubScripts(): Script[] {
  const workflow = parseYaml(readFileSync(GITHUB, "utf8")) as GithubWorkflow;
  return Object.entries(workflow.jobs).flatMap(([job, { env, steps }]) =>
    steps.flatMap((step, i) =>
      step.run === undefined
        ? []
        : [
            {
              where: `${job} step ${step.name ?? i}`,
              script: step.run,
              variables: { ...workflow.env, ...env, ...step.env },
            },
          ],
    ),
  );
}

interface GitlabJob {
  readonly script?: readonly string[];
  readonly variables?: Variables;
}

/** Every `script:` line of every job, with the job's variables over the file's. */
function gitlabScripts(): Script[] {
  const file = parseYaml(readFileSync(GITLAB, "utf8")) as Record<string, unknown>;
  const globals = (file["variables"] ?? {}) as Variables;
  return Object.entries(file).flatMap(([name, value]) => {
    const job = value as GitlabJob;
    if (name === "variables" || job.script === undefined) return [];
    return job.script.map((script) => ({
      where: `${name}: ${script}`,
      script,
      variables: { ...globals, ...job.variables },
    }));
  });
}

const runsCallflow = (script: Script): boolean => /\bnpx callflow\b/.test(script.script);

let repo = "";
let baseSha = "";

function git(...args: readonly string[]): string {
  const result = spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

beforeAll(() => {
  // The base revision holds an older order-status flow; the working tree holds the examples as they
  // are, with their generated modules, as a pull request that updated both would.
  repo = mkdtempSync(path.join(tmpdir(), "callflow-ci-"));
  cpSync(path.join(ROOT, "examples"), path.join(repo, "examples"), { recursive: true });
  const current = readFileSync(path.join(repo, "examples/order-status.flow"), "utf8");
  writeFileSync(
    path.join(repo, "examples/order-status.flow"),
    readFileSync(path.join(ROOT, "test/fixtures/order-status-v3.flow"), "utf8"),
  );
  git("init", "-q", "-b", BASE_BRANCH);
  git("add", ".");
  git("-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "base");
  baseSha = git("rev-parse", "HEAD");
  // What actions/checkout with fetch-depth 0 leaves: the base branch as a remote-tracking ref.
  git("update-ref", `refs/remotes/origin/${BASE_BRANCH}`, baseSha);
  writeFileSync(path.join(repo, "examples/order-status.flow"), current);
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

/** Runs a template's script as the CI would (bash, errexit, pipefail), `npx callflow` being this build. */
function run(script: Script, extra: Variables): { status: number | null; stdout: string; stderr: string } {
  const body = script.script.replace(/\bnpx callflow\b/g, `"${process.execPath}" "${CLI}"`);
  return spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", body], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...script.variables, ...extra },
  });
}

describe("examples/ci/github-actions.yml", () => {
  const scripts = githubScripts();

  it("installs, checks with annotations and SARIF, checks generated modules and diffs pull requests", () => {
    const text = scripts.map((s) => s.script).join("\n");
    expect(text).toContain("npm ci");
    expect(text).toMatch(/callflow check .*--format github/);
    expect(text).toMatch(/callflow check .*--format sarif/);
    expect(text).toMatch(/callflow compile .*--check/);
    expect(text).toMatch(/callflow diff --git .* --format markdown >> "\$GITHUB_STEP_SUMMARY"/);
    expect(text).toMatch(/callflow test .*--reporter junit --output callflow-junit\.xml/);
    expect(readFileSync(GITHUB, "utf8")).toContain("github/codeql-action/upload-sarif");
  });

  it.each(scripts.filter(runsCallflow).map((s) => [s.where, s] as const))("runs `%s`", (_where, script) => {
    // The one GitHub expression the template uses is the pull request's base branch.
    const body = script.script.replaceAll("${{ github.base_ref }}", BASE_BRANCH);
    expect(body).not.toContain("${{");
    const summary = path.join(repo, "summary.md");
    writeFileSync(summary, "");
    const result = run({ ...script, script: body }, { GITHUB_STEP_SUMMARY: summary });
    expect(result.stderr).toBe("");
    expect(result.status, result.stdout).toBe(0);
    if (body.includes("--format sarif")) {
      const log = JSON.parse(readFileSync(path.join(repo, "callflow.sarif"), "utf8")) as { version: string };
      expect(log.version).toBe("2.1.0");
    }
    if (body.includes("callflow test")) {
      expect(readFileSync(path.join(repo, "callflow-junit.xml"), "utf8")).toMatch(/<testsuites[^>]* failures="0"/);
    }
    if (body.includes("callflow diff")) {
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("#### `examples/order-status.flow`");
      expect(written).toContain("```mermaid\n---\nconfig:\n");
    }
  });
});

describe("examples/ci/gitlab-ci.yml", () => {
  const scripts = gitlabScripts();

  it("installs, checks, checks generated modules, diffs merge requests and posts the diff as a note", () => {
    const text = scripts.map((s) => s.script).join("\n");
    expect(text).toContain("npm ci");
    expect(text).toMatch(/callflow check/);
    expect(text).toMatch(/callflow compile .*--check/);
    expect(text).toMatch(/callflow diff --git "\$CI_MERGE_REQUEST_DIFF_BASE_SHA" --format markdown > flow-changes\.md/);
    expect(text).toMatch(/merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
    expect(text).toMatch(/callflow test .*--reporter junit --output callflow-junit\.xml/);
  });

  it.each(scripts.filter(runsCallflow).map((s) => [s.where, s] as const))("runs `%s`", (_where, script) => {
    const result = run(script, { CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha });
    expect(result.stderr).toBe("");
    expect(result.status, result.stdout).toBe(0);
    if (script.script.includes("callflow diff")) {
      expect(readFileSync(path.join(repo, "flow-changes.md"), "utf8")).toContain("```mermaid\n---\nconfig:\n");
    }
  });
});
