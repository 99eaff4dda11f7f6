// The layers of docs/architecture.md, enforced with dependency-cruiser and .dependency-cruiser.cjs:
// a backward import fails the suite with a message naming both files.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./compile-helpers.js";

const CRUISER = path.join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const FOLDERS = [
  "grammar",
  "compiler",
  "review",
  "api",
  "lsp",
  "testing",
  "cli",
  "runtime",
  "loader",
  "project",
  "host",
  "server",
  "lambda",
  "examples",
];

/** Runs dependency-cruiser over `folders` in `cwd` with the project's rules. */
function cruise(cwd: string, folders: readonly string[]) {
  const config = path.join(ROOT, ".dependency-cruiser.cjs");
  const result = spawnSync(process.execPath, [CRUISER, ...folders, "--config", config, "--output-type", "err"], {
    cwd,
    encoding: "utf8",
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

describe("layers", () => {
  it("hold: every import points down", () => {
    const { status, output } = cruise(ROOT, FOLDERS);
    expect(output).toMatch(/no dependency violations found \(\d{2,} modules/);
    expect(status, output).toBe(0);
  });

  describe("catch a backward import", () => {
    const temp = tempDir("layers");
    afterAll(() => temp.remove());
    // A copy of the real tree with one wrong import added in each lower layer.
    for (const folder of FOLDERS.filter((f) => f !== "examples")) {
      cpSync(path.join(ROOT, folder), path.join(temp.dir, folder), { recursive: true });
    }
    mkdirSync(path.join(temp.dir, "examples"));
    writeFileSync(path.join(temp.dir, "grammar/wrong.ts"), 'export { compile } from "../compiler/compile.js";\n');
    writeFileSync(path.join(temp.dir, "runtime/wrong.ts"), 'export { parse } from "../grammar/parse.js";\n');
    writeFileSync(path.join(temp.dir, "compiler/wrong.ts"), 'export { run } from "../runtime/run.js";\n');
    writeFileSync(path.join(temp.dir, "examples/wrong.ts"), 'export { run } from "../runtime/index.js";\n');
    writeFileSync(path.join(temp.dir, "lsp/wrong-cli.ts"), 'export { InputError } from "../cli/files.js";\n');
    writeFileSync(path.join(temp.dir, "lsp/wrong-runtime.ts"), 'export { run } from "../runtime/run.js";\n');
    writeFileSync(path.join(temp.dir, "api/wrong.ts"), 'export { startServer } from "../lsp/server.js";\n');
    writeFileSync(
      path.join(temp.dir, "lsp/wrong-testing.ts"),
      'export { runTestFile } from "../testing/run-file.js";\n',
    );
    writeFileSync(path.join(temp.dir, "testing/wrong.ts"), 'export { InputError } from "../cli/files.js";\n');
    writeFileSync(path.join(temp.dir, "loader/wrong.ts"), 'export { runTestFile } from "../testing/run-file.js";\n');
    writeFileSync(path.join(temp.dir, "project/wrong.ts"), 'export { run } from "../runtime/run.js";\n');
    // Allowed one import at a time, but it leads the language server to the runtime's run.
    appendFileSync(path.join(temp.dir, "testing/values.ts"), 'export { run } from "../runtime/run.js";\n');

    it("names the rule and both files", () => {
      const { status, output } = cruise(temp.dir, FOLDERS);
      expect(status).not.toBe(0);
      expect(output).toMatch(/grammar-stands-alone: grammar\/wrong\.ts → compiler\/compile\.ts/);
      expect(output).toMatch(/runtime-stands-alone: runtime\/wrong\.ts → grammar\/parse\.ts/);
      expect(output).toMatch(/compiler-below-tools: compiler\/wrong\.ts → runtime\/run\.ts/);
      expect(output).toMatch(/examples-use-the-package: examples\/wrong\.ts → runtime\/index\.ts/);
      expect(output).toMatch(/lsp-below-cli: lsp\/wrong-cli\.ts → cli\/files\.ts/);
      expect(output).toMatch(/lsp-below-cli: lsp\/wrong-runtime\.ts → runtime\/run\.ts/);
      expect(output).toMatch(/api-below-cli: api\/wrong\.ts → lsp\/server\.ts/);
      expect(output).toMatch(/lsp-below-cli: lsp\/wrong-testing\.ts → testing\/run-file\.ts/);
      expect(output).toMatch(/testing-below-cli: testing\/wrong\.ts → cli\/files\.ts/);
      expect(output).toMatch(/loader-below-tools: loader\/wrong\.ts → testing\/run-file\.ts/);
      expect(output).toMatch(/project-below-tools: project\/wrong\.ts → runtime\/run\.ts/);
      expect(output).toMatch(/lsp-never-runs-flows: lsp\/\S+\.ts → runtime\/run\.ts/);
      expect(output).not.toMatch(/lsp-never-runs-flows: \S+ → runtime\/(contract|types|flow)\.ts/);
    });
  });
});
