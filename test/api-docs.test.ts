// Every ```ts example of docs/api.md runs as a user's module would: Node runs the file, which
// imports `callflow` and `callflow/runtime` by name (the package's own exports, built in dist/),
// and its `assert` lines are the expected results.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./compile-helpers.js";

const exec = promisify(execFile);
const doc = readFileSync(path.join(ROOT, "docs/api.md"), "utf8");
const examples = [...doc.matchAll(/^### `([^`(]+)[^\n]*\n[^]*?```ts\n([^]*?)```/gm)]
  .map((m) => ({ name: m[1] ?? "", code: m[2] ?? "" }))
  .concat([{ name: "callflow/runtime", code: /## `callflow\/runtime`[^]*?```ts\n([^]*?)```/.exec(doc)?.[1] ?? "" }]);

const temp = tempDir("api-docs");
afterAll(() => temp.remove());

describe("docs/api.md", () => {
  it("has an example for every function of the API and the runtime", () => {
    expect(examples.map((e) => e.name)).toEqual([
      "parse",
      "check",
      "compile",
      "format",
      "diff",
      "graph",
      "callflow/runtime",
    ]);
    for (const e of examples) expect(e.code, e.name).toContain("assert");
  });

  it.each(examples)("runs the $name example", async ({ name, code }) => {
    // Inside the repository, so `callflow` resolves to this package by its own name.
    const file = path.join(temp.dir, `${name.replace(/\W/g, "-")}.ts`);
    writeFileSync(file, code);
    const { stderr } = await exec(process.execPath, [file], { cwd: ROOT });
    expect(stderr).toBe("");
  });
});
