// Docs that are made from the code: docs/language.md's settings and exits tables come from the
// language description and the runtime's contract, its diagnostics table (and docs/testing.md's, of
// test files) from the catalogue.
// UPDATE_DOCS=1 rewrites them.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { WIDGET_SPECS } from "../grammar/language.js";
import { diagnosticsTable, exitsTable, settingsTable } from "./helpers/settings-table.js";

const LANGUAGE = new URL("../docs/language.md", import.meta.url);
const TESTING = new URL("../docs/testing.md", import.meta.url);
const ENVIRONMENTS = new URL("../docs/environments.md", import.meta.url);

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
function between(doc: string, name: string, body: string): string {
  const start = `<!-- ${name}:start -->\n`;
  const end = `\n<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the doc has no ${name} markers`);
  return doc.slice(0, from + start.length) + body + doc.slice(to);
}

describe("docs/language.md", () => {
  it("lists every setting, exit and diagnostic as the description, the contract and the catalogue have them", () => {
    const doc = readFileSync(LANGUAGE, "utf8");
    const expected = between(
      between(between(doc, "settings", settingsTable()), "exits", exitsTable()),
      "diagnostics",
      diagnosticsTable(),
    );
    if (process.env["UPDATE_DOCS"] === "1") writeFileSync(LANGUAGE, expected);
    expect(doc).toBe(expected);
    // What the tables are made of shows in them: a bound from the contract, a description line.
    expect(doc).toContain("| `http` | `retry` | a whole number | 1 to 3 | 0 |");
    expect(doc).toContain("| `http` | `timeout` | a duration | 1ms to 10m | 10s |");
  });

  it("writes every setting of the description in its hand-written grammar", () => {
    const grammar = /## Structure\n\n```text\n([\s\S]*?)```/.exec(readFileSync(LANGUAGE, "utf8"))?.[1] ?? "";
    const settings = WIDGET_SPECS.flatMap((w) => w.settings.map((s) => s.keyword));
    expect(settings.filter((keyword) => !grammar.includes(`"${keyword}"`))).toEqual([]);
  });
});

describe("docs/testing.md", () => {
  it("lists every CF3xxx diagnostic as the catalogue has it", () => {
    const doc = readFileSync(TESTING, "utf8");
    const expected = between(doc, "diagnostics", diagnosticsTable("tests"));
    if (process.env["UPDATE_DOCS"] === "1") writeFileSync(TESTING, expected);
    expect(doc).toBe(expected);
  });
});

describe("docs/environments.md", () => {
  it("lists every CF4xxx diagnostic (callflow.json) as the catalogue has it", () => {
    const doc = readFileSync(ENVIRONMENTS, "utf8");
    const expected = between(doc, "diagnostics", diagnosticsTable("project"));
    if (process.env["UPDATE_DOCS"] === "1") writeFileSync(ENVIRONMENTS, expected);
    expect(doc).toBe(expected);
  });
});
