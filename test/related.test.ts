// Diagnostics that point at a second place: the first of a duplicate, the likely target of a
// misspelt exit. As values, in `callflow check --format json` and as a second code frame.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { check, type Diagnostic } from "../api/index.js";
import { tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";

const exec = promisify(execFile);

const SOURCE = `flow f {
  local note: string = ""
  local note: string = "again"
  start -> greet
  send greet { message "hi {{note}}" next -> don }
  end done
  end done
}
`;

const byCode = (diagnostics: readonly Diagnostic[], code: string): Diagnostic => {
  const found = diagnostics.find((d) => d.code === code);
  if (found === undefined) throw new Error(`no ${code}`);
  return found;
};

describe("related locations", () => {
  const { diagnostics } = check(SOURCE, "f.flow");

  it("point a duplicate at the first declaration", () => {
    const widget = byCode(diagnostics, "CF2006");
    expect(widget.span).toMatchObject({ line: 7, column: 7 });
    expect(widget.related).toEqual([
      { span: expect.objectContaining({ line: 6, column: 7 }), message: "'done' is first declared here" },
    ]);
    const variable = byCode(diagnostics, "CF2007");
    expect(variable.related?.[0]).toMatchObject({
      span: { line: 2, column: 9 },
      message: "'note' is first declared here",
    });
  });

  it("point an unknown exit target at the nearest widget", () => {
    const exit = byCode(diagnostics, "CF2001");
    expect(exit.hint).toBe("did you mean 'done'?");
    expect(exit.related).toEqual([
      { span: expect.objectContaining({ line: 6, column: 7 }), message: "'done' is declared here" },
    ]);
  });

  it("point a repeated setting at the first one", () => {
    const [repeated] = check(SOURCE.replace("next -> don", "next -> done next -> done"), "f.flow").diagnostics;
    expect(repeated).toMatchObject({ code: "CF1007", related: [{ span: { line: 5, column: 38 } }] });
  });

  describe("in the CLI", () => {
    const temp = tempDir("related");
    afterAll(() => temp.remove());
    const file = path.join(temp.dir, "f.flow");
    writeFileSync(file, SOURCE);
    const checkCli = (...args: string[]) =>
      exec(process.execPath, [CLI, "check", file, ...args], { env: { ...process.env, NO_COLOR: "1" } }).catch(
        (error: { stdout: string }) => ({ stdout: error.stdout }),
      );

    it("prints them in JSON with start and end", async () => {
      const { stdout } = await checkCli("--format", "json");
      const report = JSON.parse(stdout) as { diagnostics: Record<string, unknown>[] };
      const duplicate = report.diagnostics.find((d) => d["code"] === "CF2006");
      expect(duplicate).toMatchObject({ line: 7, column: 7, endLine: 7, endColumn: 11 });
      expect(duplicate?.["related"]).toEqual([
        { file, line: 6, column: 7, endLine: 6, endColumn: 11, message: "'done' is first declared here" },
      ]);
    });

    it("prints them as a second code frame", async () => {
      const { stdout } = await checkCli();
      const block = stdout.slice(stdout.indexOf("CF2006"));
      expect(block).toContain(`  ${file}:6:7 - 'done' is first declared here\n\n  5 |`);
      expect(block).toMatch(/'done' is first declared here\n\n.*\n> 6 \| {3}end done\n {4}\| {7}\^{4}/);
    });
  });
});
