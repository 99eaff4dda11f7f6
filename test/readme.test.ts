// The README cannot drift from the tool: every command it shows is run here, the output it
// quotes is compared with the real output, and its flow example must check clean.
import { spawnSync } from "node:child_process";
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
  });

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
