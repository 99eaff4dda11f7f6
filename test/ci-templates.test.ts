// The CI templates cannot rot: each is read with a YAML parser, and every command line of it that
// runs callflow is run here through bash, with the template's variables, against a scratch
// repository holding the examples, as on a pull request (the base revision substituted).
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly env?: Variables;
}
interface GithubWorkflow {
  readonly env?: Variables;
  readonly jobs: Record<string, { readonly env?: Variables; readonly steps: readonly GithubStep[] }>;
}

const githubWorkflow = (): GithubWorkflow => parseYaml(readFileSync(GITHUB, "utf8")) as GithubWorkflow;

/** Every `run:` of the workflow with the environment GitHub would give it. */
function githubScripts(): Script[] {
  const workflow = githubWorkflow();
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
      expect(readFileSync(summary, "utf8")).toMatch(/^## ✅ callflow test: \d+ passed, 0 failed\n/);
    }
    if (body.includes("callflow diff")) {
      const written = readFileSync(summary, "utf8");
      expect(written).toContain("#### `examples/order-status.flow`");
      expect(written).toContain("```mermaid\nflowchart TD\n");
    }
  });
});

describe("examples/ci/github-actions.yml: one run reports everything", () => {
  const steps = Object.values(githubWorkflow().jobs).flatMap((job) => job.steps);
  const step = (pattern: RegExp): GithubStep => {
    const found = steps.find((s) => pattern.test(s.run ?? s.uses ?? ""));
    if (found === undefined) throw new Error(`no step matches ${String(pattern)}`);
    return found;
  };

  it("runs the generated-module check and the tests even when an earlier check failed", () => {
    expect(step(/callflow compile .*--check/).if).toBe("always()");
    expect(step(/callflow test /).if).toBe("always()");
  });

  it("shows the test results in the job summary and keeps the JUnit file", () => {
    expect(step(/callflow test /).run).toMatch(/--reporter github-summary/);
    expect(step(/^actions\/upload-artifact@/).if).toBe("always()");
  });

  it("skips the SARIF upload on pull requests from forks, whose token cannot write", () => {
    expect(step(/^github\/codeql-action\/upload-sarif@/).if).toBe(
      "always() && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository)",
    );
  });
});

describe("examples/ci/gitlab-ci.yml: the merge request's note", () => {
  const noteScript = gitlabScripts().find((s) => s.script.includes("/notes"));

  /** GitLab's notes API for one merge request, as far as the script uses it: pages, create, edit. */
  async function gitlab(existing: { id: number; body: string }[]): Promise<{
    url: string;
    notes: { id: number; body: string }[];
    calls: string[];
    close: () => Promise<void>;
  }> {
    const notes = [...existing];
    const calls: string[] = [];
    const server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString()));
      request.on("end", () => {
        const url = new URL(request.url ?? "/", "http://gitlab.test");
        calls.push(`${request.method} ${url.pathname}${url.search}`);
        if (request.headers["private-token"] !== "note-token") return void response.writeHead(401).end();
        const base = "/api/v4/projects/7/merge_requests/3/notes";
        if (request.method === "GET" && url.pathname === base) {
          const page = Number(url.searchParams.get("page"));
          const size = Number(url.searchParams.get("per_page"));
          const next = page * size < notes.length ? String(page + 1) : "";
          response.writeHead(200, { "content-type": "application/json", "x-next-page": next });
          return void response.end(JSON.stringify(notes.slice((page - 1) * size, page * size)));
        }
        const text = (JSON.parse(body) as { body: string }).body;
        if (request.method === "POST" && url.pathname === base) {
          notes.push({ id: 1000 + notes.length, body: text });
          return void response.writeHead(201).end("{}");
        }
        const note = notes.find((n) => url.pathname === `${base}/${n.id}`);
        if (request.method === "PUT" && note !== undefined) {
          note.body = text;
          return void response.writeHead(200).end("{}");
        }
        response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}/api/v4`,
      notes,
      calls,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  /** The script as GitLab runs it (bash, errexit), without blocking this process's server. */
  async function post(url: string, changes: string): Promise<{ code: number | null; stderr: string }> {
    writeFileSync(path.join(repo, "flow-changes.md"), changes);
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", noteScript!.script], {
      cwd: repo,
      env: {
        ...process.env,
        // The template's image is node:24, as this test's own Node.
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env["PATH"] ?? ""}`,
        CI_API_V4_URL: url,
        CI_PROJECT_ID: "7",
        CI_MERGE_REQUEST_IID: "3",
        CALLFLOW_NOTE_TOKEN: "note-token",
      },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "close")) as [number | null];
    return { code, stderr };
  }

  it("adds one note on the first pipeline and edits it on the next, past the first page of notes", async () => {
    expect(noteScript).toBeDefined();
    // 150 notes by people: the script's note is then on the second page.
    const api = await gitlab(Array.from({ length: 150 }, (_, i) => ({ id: i + 1, body: `comment ${i}` })));
    try {
      const first = await post(api.url, "#### first\n");
      expect(first.code, first.stderr).toBe(0);
      const second = await post(api.url, "#### second\n");
      expect(second.code, second.stderr).toBe(0);
      const ours = api.notes.filter((n) => n.body.includes("####"));
      expect(ours).toHaveLength(1);
      expect(ours[0]!.body).toBe("<!-- callflow: flow changes -->\n#### second\n");
      expect(api.calls.filter((c) => !c.startsWith("GET"))).toEqual([
        "POST /api/v4/projects/7/merge_requests/3/notes",
        "PUT /api/v4/projects/7/merge_requests/3/notes/1150",
      ]);
    } finally {
      await api.close();
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
    expect(text).toMatch(/merge_requests\/\$\{env\.CI_MERGE_REQUEST_IID\}\/notes/);
    expect(text).toMatch(/callflow test .*--reporter junit --output callflow-junit\.xml/);
  });

  it.each(scripts.filter(runsCallflow).map((s) => [s.where, s] as const))("runs `%s`", (_where, script) => {
    const result = run(script, { CI_MERGE_REQUEST_DIFF_BASE_SHA: baseSha });
    expect(result.stderr).toBe("");
    expect(result.status, result.stdout).toBe(0);
    if (script.script.includes("callflow diff")) {
      expect(readFileSync(path.join(repo, "flow-changes.md"), "utf8")).toContain("```mermaid\nflowchart TD\n");
    }
  });
});
