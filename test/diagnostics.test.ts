import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { messages } from "../grammar/diagnostics.js";
import { rules, validate } from "../compiler/validate.js";
import type { Rule } from "../compiler/rules/context.js";
import { parse } from "../grammar/parse.js";
import { BASE, cases, unmark } from "./semantic-cases.js";
import { deadlineDiagnostics } from "../compiler/time-budget.js";

const catalogue = Object.values(messages);

describe("diagnostic catalogue", () => {
  it("gives every entry a unique code of the form CF1xxx, CF2xxx, CF3xxx or CF4xxx", () => {
    const codes = catalogue.map((m) => m.code);
    for (const code of codes) expect(code).toMatch(/^CF[1234]\d{3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("lists every code with its severity: flows in docs/language.md, test files (CF3xxx) in docs/testing.md, callflow.json (CF4xxx) in docs/environments.md", () => {
    const language = readFileSync(new URL("../docs/language.md", import.meta.url), "utf8");
    const testing = readFileSync(new URL("../docs/testing.md", import.meta.url), "utf8");
    const environments = readFileSync(new URL("../docs/environments.md", import.meta.url), "utf8");
    for (const { code, severity } of Object.values(messages))
      expect(code.startsWith("CF3") ? testing : code.startsWith("CF4") ? environments : language).toContain(
        `| ${code} | ${severity} |`,
      );
  });

  it("has a message text for every entry", () => {
    for (const m of catalogue) expect(m.text.trim(), m.code).not.toBe("");
  });

  it("produces every semantic code from at least one test input", () => {
    const produced = new Set<string>();
    for (const c of cases) {
      const { flow } = parse(unmark(c.source).source, "case.flow");
      for (const d of flow === undefined ? [] : validate(flow)) produced.add(d.code);
    }
    // CF2999 is a check that throws: no input makes a real rule throw, so one that does stands in.
    const { flow } = parse(unmark(cases[0]!.source).source, "case.flow");
    const throwing: Rule = () => {
      throw new Error("stand-in");
    };
    for (const d of flow === undefined ? [] : validate(flow, [...rules, throwing])) produced.add(d.code);
    // CF2046 and CF2047 are found against a deadline, outside validate() (test/time-budget.test.ts).
    for (const source of [BASE, BASE.replace("fail -> agents", "fail -> call")])
      for (const d of deadlineDiagnostics(parse(source, "case.flow").flow!, { ms: 0, source: "a test" }))
        produced.add(d.code);
    const semantic = catalogue.map((m) => m.code).filter((code) => code.startsWith("CF2"));
    expect(semantic.filter((code) => !produced.has(code))).toEqual([]);
  });
});
