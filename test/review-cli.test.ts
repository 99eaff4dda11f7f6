// `callflow fmt`, `graph` and `diff` through real child processes on real files, including
// `diff --git` and git's external diff driver in a scratch repository.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI as BUILT_CLI } from "./helpers/cli.js";

// The built CLI (`npm test` builds first); CALLFLOW_CLI points elsewhere to try another build.
const CLI = process.env["CALLFLOW_CLI"] === undefined ? BUILT_CLI : path.resolve(process.env["CALLFLOW_CLI"]);
const CONTRACT = readFileSync("test/fixtures/contract.flow", "utf8");
const GIT_AVAILABLE = spawnSync("git", ["--version"]).status === 0;
const DOT_AVAILABLE = spawnSync("dot", ["-V"]).status === 0;

let dir = "";

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  dir = mkdtempSync(path.join(tmpdir(), "callflow-review-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI without a terminal and without colors unless `env` asks for them. */
function callflow(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.env?.["FORCE_COLOR"] === undefined) delete env["FORCE_COLOR"];
  if (options.env?.["NO_COLOR"] === undefined) delete env["NO_COLOR"];
  return spawnSync(process.execPath, [CLI, ...args], { cwd: options.cwd ?? dir, encoding: "utf8", env });
}

/** A fresh folder under the scratch directory holding the given files. */
function folder(name: string, files: Record<string, string>): string {
  const at = path.join(dir, name);
  mkdirSync(at, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(at, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return at;
}

const MESSY = `flow tidy { start->a
send a {next->b message "hi"}
  end b }
`;
const TIDY = `flow tidy {
  start -> a

  send a {
    message "hi"
    next -> b
  }

  end b
}
`;
const BROKEN = "flow broken {\n  local x number\n  start -> e\n  end e\n}\n";

describe("callflow fmt", () => {
  it("--check lists unformatted files, exits 1 and writes nothing", () => {
    const at = folder("fmt-check", { "messy.flow": MESSY, "sub/tidy.flow": TIDY });
    const before = statSync(path.join(at, "messy.flow")).mtimeMs;
    const result = callflow(["fmt", "--check"], { cwd: at });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("messy.flow\n");
    expect(result.stderr).toContain("1 file not formatted");
    expect(readFileSync(path.join(at, "messy.flow"), "utf8")).toBe(MESSY);
    expect(statSync(path.join(at, "messy.flow")).mtimeMs).toBe(before);
  });

  it("rewrites only the files that change, then --check passes", () => {
    const at = folder("fmt-write", { "messy.flow": MESSY, "tidy.flow": TIDY });
    const tidyBefore = statSync(path.join(at, "tidy.flow")).mtimeMs;
    const result = callflow(["fmt", "messy.flow", "tidy.flow"], { cwd: at });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("messy.flow\n");
    expect(readFileSync(path.join(at, "messy.flow"), "utf8")).toBe(TIDY);
    expect(statSync(path.join(at, "tidy.flow")).mtimeMs).toBe(tidyBefore);
    const again = callflow(["fmt", "--check", "."], { cwd: at });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe("");
  });

  it("leaves a file with syntax errors untouched and prints its diagnostics", () => {
    const at = folder("fmt-broken", { "broken.flow": BROKEN, "messy.flow": MESSY });
    const result = callflow(["fmt", "*.flow"], { cwd: at });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/broken\.flow:2:\d+ - error CF1\d{3}/);
    expect(result.stderr).toContain("1 file left unchanged because of errors");
    expect(readFileSync(path.join(at, "broken.flow"), "utf8")).toBe(BROKEN);
    // The other file is still formatted.
    expect(readFileSync(path.join(at, "messy.flow"), "utf8")).toBe(TIDY);
  });

  it("formats the examples into files that check --check accepts", () => {
    const at = folder("fmt-examples", {});
    for (const file of ["order-status.flow", "payment-status.flow", "appointment-reminder.flow"]) {
      copyFileSync(path.join("examples", file), path.join(at, file));
    }
    expect(callflow(["fmt"], { cwd: at }).status).toBe(0);
    expect(callflow(["fmt", "--check"], { cwd: at }).status).toBe(0);
    expect(callflow(["check", "."], { cwd: at }).status).toBe(0);
  });
});

describe("callflow graph", () => {
  const at = (): string => folder("graph", { "order.flow": CONTRACT, "broken.flow": BROKEN });

  it("prints Mermaid by default", () => {
    const result = callflow(["graph", "order.flow"], { cwd: at() });
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith("---\nconfig:\n")).toBe(true);
    expect(result.stdout).toContain("\n---\nflowchart TD\n");
    expect(result.stdout).toContain('  w_lookup_order -->|"success"| w_check_vip\n');
  });

  it("prints DOT with --format dot, which Graphviz renders when installed", () => {
    const result = callflow(["graph", "order.flow", "--format", "dot"], { cwd: at() });
    expect(result.status).toBe(0);
    expect(result.stdout.startsWith('digraph "order_status" {\n')).toBe(true);
    if (!DOT_AVAILABLE) {
      console.warn("SKIPPED rendering: Graphviz 'dot' is not installed");
      return;
    }
    const rendered = spawnSync("dot", ["-Tsvg"], { input: result.stdout, encoding: "utf8" });
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain("<svg");
  });

  it("exits 1 with diagnostics on syntax errors and 2 on an unknown format", () => {
    const broken = callflow(["graph", "broken.flow"], { cwd: at() });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toMatch(/broken\.flow:2:\d+ - error CF1\d{3}/);
    expect(callflow(["graph", "order.flow", "--format", "png"], { cwd: at() }).status).toBe(2);
  });
});

describe("callflow diff OLD NEW", () => {
  const edited = CONTRACT.replace("timeout 5s", "timeout 10s")
    .replace(/goodbye/g, "farewell")
    .replace("secret HOOK_KEY", "secret HOOK_KEY\n  secret EXTRA");
  const at = (): string =>
    folder("diff", {
      "old.flow": CONTRACT,
      "new.flow": edited,
      "same.flow": CONTRACT.replace(/\n {2}/g, "\n    ").replace(
        "start -> lookup_order",
        "start -> lookup_order # first",
      ),
      "broken.flow": BROKEN,
    });

  it("exits 0 when only the layout changed", () => {
    const result = callflow(["diff", "old.flow", "same.flow"], { cwd: at() });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("old.flow → same.flow\n  no semantic changes\n");
  });

  it("exits 1 and prints the changes for people", () => {
    const result = callflow(["diff", "old.flow", "new.flow"], { cwd: at() });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(`old.flow → new.flow
  + secret EXTRA
  > renamed end goodbye → farewell (3 exits follow)
  http lookup_order
    ~ timeout: 5s → 10s
new.flow: worst case raised, path to vip_queue: 35 s → 50 s
new.flow: worst case raised, path to agents: 35 s → 50 s
`);
  });

  it("prints JSON and Markdown", () => {
    const json = callflow(["diff", "old.flow", "new.flow", "--format", "json"], { cwd: at() });
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout) as { changed: boolean; files: { changes: { kind: string }[] }[] };
    expect(parsed.changed).toBe(true);
    expect(parsed.files[0]?.changes.map((c) => c.kind)).toEqual(["secret-added", "widget-renamed", "setting-changed"]);
    const markdown = callflow(["diff", "old.flow", "new.flow", "--format", "markdown"], { cwd: at() });
    expect(markdown.stdout).toContain("- **renamed** end `goodbye` → `farewell` (3 exits follow)\n");
  });

  it("colors output on request and never with NO_COLOR", () => {
    expect(callflow(["diff", "old.flow", "new.flow"], { cwd: at(), env: { FORCE_COLOR: "1" } }).stdout).toMatch(
      /\u001b\[/,
    );
    expect(
      callflow(["diff", "old.flow", "new.flow"], { cwd: at(), env: { FORCE_COLOR: "1", NO_COLOR: "1" } }).stdout,
    ).not.toMatch(/\u001b\[/);
    expect(callflow(["diff", "old.flow", "new.flow"], { cwd: at() }).stdout).not.toMatch(/\u001b\[/);
  });

  it("exits 2 on syntax errors, missing files and wrong arguments", () => {
    const broken = callflow(["diff", "old.flow", "broken.flow"], { cwd: at() });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.flow:2:\d+ - error CF1\d{3}/);
    const missing = callflow(["diff", "old.flow", "nope.flow"], { cwd: at() });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("Cannot read nope.flow: no such file or directory.");
    expect(callflow(["diff", "old.flow"], { cwd: at() }).status).toBe(2);
  });
});

describe.skipIf(!GIT_AVAILABLE)("callflow diff with git (skipped when git is missing)", () => {
  let repo = "";
  // A private configuration, so the user's git settings cannot change what the test sees.
  const gitEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    HOME: repo,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "t",
    GIT_AUTHOR_EMAIL: "t@example.com",
    GIT_COMMITTER_NAME: "t",
    GIT_COMMITTER_EMAIL: "t@example.com",
    GIT_PAGER: "cat",
  });
  const git = (...args: string[]): SpawnSyncReturns<string> => {
    const result = spawnSync("git", args, { cwd: repo, encoding: "utf8", env: gitEnv() });
    expect(result.status, result.stderr).toBe(0);
    return result;
  };

  beforeAll(() => {
    repo = folder("repo", {
      "flows/order.flow": CONTRACT,
      "flows/gone.flow": TIDY,
      "flows/tidy.flow": TIDY,
    });
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "first");
    writeFileSync(path.join(repo, "flows/order.flow"), CONTRACT.replace("retry 2", "retry 3"));
    writeFileSync(path.join(repo, "flows/tidy.flow"), MESSY);
    rmSync(path.join(repo, "flows/gone.flow"));
    writeFileSync(path.join(repo, "flows/new.flow"), TIDY.replace("tidy", "fresh"));
    git("add", "flows/new.flow");
  });

  it("--git REV compares the working tree with the revision, file by file", () => {
    const result = callflow(["diff", "--git", "HEAD"], { cwd: repo });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'flows/gone.flow (deleted)\n  - start -> a\n  - send a\n      message: "hi"\n      next -> b\n  - end b\n',
    );
    expect(result.stdout).toContain("flows/new.flow (new file)\n  + start -> a\n  + send a\n");
    expect(result.stdout).toContain("flows/order.flow\n  http lookup_order\n    ~ retry: 2 → 3\n");
    // tidy.flow changed only in layout.
    expect(result.stdout).toContain("flows/tidy.flow\n  no semantic changes\n");
  });

  it("--git REV --format markdown pictures each changed file: new ones all added, deleted ones all removed", () => {
    const result = callflow(["diff", "--git", "HEAD", "--format", "markdown"], { cwd: repo });
    expect(result.status).toBe(1);
    const pictures = [...result.stdout.matchAll(/#### `([^`]+)`[\s\S]*?(?=#### |$)/g)].map((m) => ({
      file: m[1] ?? "",
      mermaid: /```mermaid\n([\s\S]*?)```/.exec(m[0])?.[1],
    }));
    const picture = (file: string): string => pictures.find((p) => p.file.startsWith(file))?.mermaid ?? "";
    expect(picture("flows/gone.flow")).toContain("  class removed_a,removed_b,legend_removed removed\n");
    expect(picture("flows/gone.flow")).toContain("  start -.-> removed_a\n");
    expect(picture("flows/new.flow")).toContain("  class w_a,w_b,legend_added added\n");
    expect(picture("flows/order.flow")).toContain("  class w_lookup_order,legend_changed changed\n");
    // Layout only: no change, no picture.
    expect(pictures.find((p) => p.file === "flows/tidy.flow")?.mermaid).toBeUndefined();
    const html = callflow(["diff", "--git", "HEAD", "--format", "html"], { cwd: repo });
    expect(html.status).toBe(1);
    expect(html.stdout.match(/<svg/g)).toHaveLength(3);
  });

  it("--context takes a whole number", () => {
    for (const bad of ["-1", "x", "1.5"]) {
      const result = callflow(["diff", "--git", "HEAD", "--format", "markdown", "--context", bad], { cwd: repo });
      expect(result.status, bad).toBe(2);
      expect(result.stderr).toContain("expected a whole number of 0 or more");
    }
  });

  it("--git REV with paths limits the comparison, relative to the working directory", () => {
    const result = callflow(["diff", "--git", "HEAD", "tidy.flow"], { cwd: path.join(repo, "flows") });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("tidy.flow\n  no semantic changes\n");
  });

  it("--git exits 2 on an unknown revision", () => {
    const result = callflow(["diff", "--git", "no-such-rev"], { cwd: repo });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("no-such-rev");
    // A revision that looks like an option never reaches git.
    const option = callflow(["diff", "--git=--output=x"], { cwd: repo });
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("not a revision: --output=x");
    expect(existsSync(path.join(repo, "x"))).toBe(false);
  });

  it("works as git's external diff driver for *.flow files", () => {
    writeFileSync(path.join(repo, ".gitattributes"), "*.flow diff=callflow\n");
    git("config", "diff.callflow.command", `"${process.execPath}" "${CLI}" diff`);
    const diff = git("diff", "--", "flows/order.flow", "flows/tidy.flow");
    expect(diff.stdout).toBe(
      "flows/order.flow\n  http lookup_order\n    ~ retry: 2 → 3\n" +
        "flows/order.flow: worst case raised, path to vip_queue: 35 s → 50 s\n" +
        "flows/order.flow: worst case raised, path to agents: 35 s → 50 s\n" +
        "flows/order.flow: worst case raised, path to goodbye: 45 s → 60 s\n" +
        "flows/tidy.flow\n  no semantic changes\n",
    );
    git("add", "-A");
    git("commit", "-qm", "second");
    const log = git("log", "-p", "--ext-diff", "-1", "--format=%s", "--", "flows/order.flow");
    expect(log.stdout).toContain("flows/order.flow\n  http lookup_order\n    ~ retry: 2 → 3\n");
  });

  it("falls back to a line diff as git's driver when a version does not parse", () => {
    writeFileSync(path.join(repo, "flows/tidy.flow"), BROKEN);
    const diff = spawnSync("git", ["diff", "--", "flows/tidy.flow"], { cwd: repo, encoding: "utf8", env: gitEnv() });
    expect(diff.status).toBe(0);
    expect(diff.stderr).toContain("the new flows/tidy.flow does not parse; showing a line diff");
    expect(diff.stdout).toContain("+++ b/flows/tidy.flow");
    expect(diff.stdout).toContain("+  local x number\n");
  });
});
