// `callflow compile` of many files, read, compared and written 16 at a time (cli/compile-files.ts): every module
// is what compile() returns for its file, diagnostics come in file order whatever order the I/O finished in,
// and a second run finds everything unchanged.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { benchFlow } from "../bench/compile.ts";
import { compile } from "../api/index.js";
import { tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";

const FLOWS = 240;
/** Flows with an error, far apart. */
const BROKEN = new Set([7, 120, 233]);

const temp = tempDir("compile-cli");
const files: string[] = [];
beforeAll(() => {
  mkdirSync(path.join(temp.dir, "flows"));
  for (let i = 0; i < FLOWS; i++) {
    const file = `flows/bench-${String(i).padStart(3, "0")}.flow`;
    const source = BROKEN.has(i) ? benchFlow(i).replace("next -> notify", "next -> nowhere") : benchFlow(i);
    writeFileSync(path.join(temp.dir, file), source);
    files.push(file);
  }
});
afterAll(() => temp.remove());

function callflow(args: readonly string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: temp.dir, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8" },
      (error, stdout) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout }),
    );
  });
}

it("writes what compile() returns for each file, reports errors in file order, and finds it all unchanged again", async () => {
  const first = await callflow(["compile", "flows", "--out-dir", "out"]);
  expect(first.code).toBe(1);
  expect(first.stdout).toContain(`${FLOWS - BROKEN.size} flows compiled, ${BROKEN.size} with errors`);
  const named = [...first.stdout.matchAll(/flows\/bench-(\d+)\.flow:\d+:\d+/g)].map((match) => Number(match[1]));
  expect([...new Set(named)]).toEqual([...BROKEN]);

  files.forEach((file, i) => {
    const expected = compile(readFileSync(path.join(temp.dir, file), "utf8"), file);
    if (BROKEN.has(i)) expect(expected.files).toEqual([]);
    for (const output of expected.files)
      expect(readFileSync(path.join(temp.dir, "out", output.path), "utf8")).toBe(output.text);
  });

  const again = await callflow(["compile", "flows", "--out-dir", "out"]);
  expect(again.stdout).toContain(`0 files written, ${FLOWS - BROKEN.size} unchanged`);
});
