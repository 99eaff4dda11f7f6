// lsp/ is a layer of its own (.dependency-cruiser.cjs, rule lsp-below-cli): it builds on grammar/,
// compiler/, review/, api/ and the runtime's contract, never on cli/ or the rest of runtime/;
// and nothing below it imports it.
import { spawnSync } from "node:child_process";
import { cpSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./compile-helpers.js";

const CRUISER = path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const FOLDERS = ["grammar", "compiler", "review", "api", "lsp", "runtime"];

function cruise(cwd: string) {
  const config = path.join(ROOT, ".dependency-cruiser.cjs");
  const result = spawnSync(process.execPath, [CRUISER, ...FOLDERS, "--config", config, "--output-type", "err"], {
    cwd,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe("the lsp layer", () => {
  it("holds in the tree", () => {
    const { status, output } = cruise(ROOT);
    expect(output).toMatch(/no dependency violations found/);
    expect(status, output).toBe(0);
  });

  describe("catches imports that break it", () => {
    const temp = tempDir("lsp-layers");
    afterAll(() => temp.remove());
    for (const folder of [...FOLDERS, "cli"])
      cpSync(path.join(ROOT, folder), path.join(temp.dir, folder), { recursive: true });
    writeFileSync(path.join(temp.dir, "lsp/wrong-cli.ts"), 'export { InputError } from "../cli/files.js";\n');
    writeFileSync(path.join(temp.dir, "lsp/wrong-runtime.ts"), 'export { run } from "../runtime/run.js";\n');
    writeFileSync(path.join(temp.dir, "compiler/wrong.ts"), 'export { analyze } from "../lsp/analysis.js";\n');
    writeFileSync(path.join(temp.dir, "api/wrong.ts"), 'export { startServer } from "../lsp/server.js";\n');

    it("names the rule and both files", () => {
      const { status, output } = cruise(temp.dir);
      expect(status).not.toBe(0);
      expect(output).toMatch(/lsp-below-cli: lsp\/wrong-cli\.ts → cli\/files\.ts/);
      expect(output).toMatch(/lsp-below-cli: lsp\/wrong-runtime\.ts → runtime\/run\.ts/);
      expect(output).toMatch(/api-below-cli: api\/wrong\.ts → lsp\/server\.ts/);
      expect(output).toMatch(/compiler-below-tools: compiler\/wrong\.ts → lsp\/analysis\.ts/);
    });
  });
});
