// The README cannot drift from the tool: every command it shows is run here, the output it
// quotes is compared with the real output, and its flow example must check clean.
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkSource } from "../compiler/check.js";
import { CLI as cli } from "./helpers/cli.js";

const root = path.resolve(import.meta.dirname, "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");
const packageJson = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
};

function blocks(language: string): string[] {
  return [...readme.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1] ?? "");
}

interface ShellLine {
  readonly command: string;
  readonly comment: string;
}

const shellLines: ShellLine[] = blocks("sh")
  .flatMap((block) => block.split("\n"))
  .filter((line) => line.trim() !== "")
  .map((line) => {
    const hash = line.search(/\s#\s/);
    return hash === -1
      ? { command: line.trim(), comment: "" }
      : { command: line.slice(0, hash).trim(), comment: line.slice(hash + 2).trim() };
  });

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `npm run demo` as the README's reader runs it, not on a terminal (plain lines, no colours). */
function npmRunDemo(): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "1", NO_COLOR: "1" };
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "demo"], { cwd: root, env, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

/** Runs a README command with `npx callflow` pointed at this checkout's build, through a real shell. */
function runShell(command: string): { status: number; stdout: string; stderr: string } {
  const script = command.replace(/^npx callflow\b/, `"${process.execPath}" "${cli}"`);
  const result = spawnSync("bash", ["-c", script], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

describe("README", () => {
  it("shows only commands the tests know how to run", () => {
    expect(shellLines.length).toBeGreaterThan(5);
    for (const { command } of shellLines) {
      const npm = /^npm (?:install && npm run (\w+)|test|run (\w+))$/.exec(command);
      if (npm !== null) {
        const script = npm[1] ?? npm[2] ?? "test";
        expect(packageJson.scripts[script], `npm script '${script}'`).toBeDefined();
        continue;
      }
      expect(command, "README commands start with npx callflow or npm").toMatch(/^npx callflow /);
    }
  });

  it.each(shellLines.filter((l) => l.command.startsWith("npx callflow")))("runs `$command`", ({ command, comment }) => {
    const expected = Number(/exit (\d)/.exec(comment)?.[1] ?? 0);
    const result = runShell(command);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(expected);
    // A comment that starts with a count quotes the command's last line (`12 passed, 0 failed`).
    if (/^\d/.test(comment))
      expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(new RegExp(`^${escape(comment)}`));
  });

  it("quotes real `npm run demo` output: each section whole, or its start and end around `...`", async () => {
    const quoted = blocks("text").find((b) => b.startsWith("━━ examples/"));
    expect(quoted).toBeDefined();
    const demo = await npmRunDemo();
    expect(demo.code, demo.stderr).toBe(0);
    // Durations and the API's port differ from run to run; steps, line numbers, sizes and counts do not. A step's
    // exit shows its duration only from 1 ms, so a fast step's may or may not be there.
    const normal = (text: string): string =>
      text
        .replace(/\b\d+(?:\.\d+)? (?:ms|s)\b/g, "T")
        .replace(/^(\s*exit .*? → \S+)(?: {2}T)?$/gm, "$1  T")
        .replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT");
    const sections = (text: string): string[][] =>
      normal(text)
        .split(/^(?=━━ )/m)
        .filter((part) => part.startsWith("━━ "))
        .map((part) => part.trimEnd().split("\n"));
    const real = sections(demo.stdout);
    for (const excerpt of sections(quoted ?? "")) {
      const section = real.find((lines) => lines[0] === excerpt[0]);
      expect(section, excerpt[0]).toBeDefined();
      const gap = excerpt.indexOf("  ...");
      if (gap === -1) expect(excerpt).toEqual(section);
      else {
        expect(excerpt.slice(0, gap)).toEqual(section?.slice(0, gap));
        const tail = excerpt.slice(gap + 1);
        expect(tail).toEqual(section?.slice(-tail.length));
      }
    }
  }, 120_000);

  it.each([
    {
      language: "text",
      starts: "test/fixtures/broken.flow:",
      command: "npx callflow check test/fixtures/broken.flow",
      exit: 1,
    },
    {
      language: "mermaid",
      starts: "---\nconfig:",
      command: "npx callflow graph examples/appointment-reminder.flow",
      exit: 0,
    },
    {
      language: "text",
      starts: "examples/order-status.flow →",
      command: "npx callflow diff examples/order-status.flow test/fixtures/order-status-v2.flow",
      exit: 1,
    },
  ])("quotes the real output of `$command`", ({ language, starts, command, exit }) => {
    const quoted = blocks(language).find((b) => b.startsWith(starts));
    expect(quoted).toBeDefined();
    const result = runShell(command);
    expect(result.status).toBe(exit);
    const timing = /\(\d+ ms\)/g;
    expect(result.stdout.replace(timing, "(N ms)")).toBe((quoted ?? "").replace(timing, "(N ms)"));
  });

  it("has a flow tour that checks without a single diagnostic", () => {
    const [tour] = blocks("flow");
    expect(tour).toBeDefined();
    expect(checkSource(tour ?? "", "README.md").diagnostics).toEqual([]);
  });
});
