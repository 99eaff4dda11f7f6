// Property tests: parse() never throws, and every problem it finds is a diagnostic with a
// code and a span inside the source, whatever the input.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { messages } from "../grammar/diagnostics.js";
import { parse } from "../grammar/parse.js";
import { validFlow } from "./arbitraries/flow.js";

const contract = readFileSync(new URL("./fixtures/contract.flow", import.meta.url), "utf8");
const codes = new Set<string>(Object.values(messages).map((m) => m.code));

/** Parses and returns every broken invariant (one `expect` per input keeps runs fast). */
function brokenInvariants(source: string): string[] {
  const result = parse(source, "fuzz.flow");
  const broken: string[] = [];
  const seen = new Set<string>();
  for (const d of result.diagnostics) {
    const { offset, length, line, column } = d.span;
    const where = `${d.code} at ${offset}+${length} (${line}:${column})`;
    if (!codes.has(d.code) || !d.code.startsWith("CF1")) broken.push(`unknown or non-syntax code: ${where}`);
    if (/\{\d\}|\[object /.test(d.message)) broken.push(`malformed message: ${d.message}`);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0)
      broken.push(`bad span: ${where}`);
    if (offset + length > source.length) broken.push(`span past the end: ${where}`);
    if (!(line >= 1 && column >= 1)) broken.push(`bad position: ${where}`);
    const key = `${offset}:${d.code}`;
    if (seen.has(key)) broken.push(`duplicate: ${where}`);
    seen.add(key);
  }
  for (const c of result.comments) {
    if (!source.startsWith(c.text, c.span.offset)) broken.push(`comment not at its span: ${c.text}`);
  }
  if (result.diagnostics.length === 0 && result.flow === undefined) broken.push("no flow and no diagnostic");
  return broken;
}

function checkInvariants(source: string): void {
  expect(brokenInvariants(source)).toEqual([]);
}

/** Words and symbols of the language, for token soups that get deep into the grammar. */
const vocabulary = [
  ..."flow global local secret masked start http condition set send route end method url query authorization headers content_type body json form text retry timeout results status header success fail when else next message queue true false null and or not contains string number boolean GET POST x y_1".split(
    " ",
  ),
  ..."{ } [ ] ( ) , : = -> == != <= >= < > . # // \n".split(" "),
  '"s"',
  '"{{x}}"',
  '"{{secret.K}}"',
  '"{{bad.x}}"',
  '"\\q"',
  '"open',
  "5s",
  "250ms",
  "-1.5e3",
  "12abc",
  "@",
  "\u0000",
];

const tokenSoup = fc.array(fc.constantFrom(...vocabulary), { maxLength: 80 }).map((words) => words.join(" "));

/** The contract with a few random edits: deletions, insertions and swaps of characters or lines. */
const mutatedContract = fc
  .array(
    fc.tuple(
      fc.constantFrom("delete", "insert", "swap", "deleteLine", "duplicateLine"),
      fc.nat(),
      fc.nat(),
      fc.constantFrom(...vocabulary, "}", "{", '"'),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((edits) => {
    let source = contract;
    for (const [kind, a, b, word] of edits) {
      const i = a % (source.length + 1);
      const j = b % (source.length + 1);
      const lines = source.split("\n");
      const line = a % lines.length;
      switch (kind) {
        case "delete":
          source = source.slice(0, i) + source.slice(i + (b % 12) + 1);
          break;
        case "insert":
          source = `${source.slice(0, i)} ${word} ${source.slice(i)}`;
          break;
        case "swap":
          source = source.slice(0, i) + source.slice(i + 1, i + 2) + source.slice(i, i + 1) + source.slice(i + 2);
          break;
        case "deleteLine":
          lines.splice(line, 1);
          source = lines.join("\n");
          break;
        case "duplicateLine":
          lines.splice(line, 0, lines[j % lines.length] ?? "");
          source = lines.join("\n");
          break;
      }
    }
    return source;
  });

describe("parse() on hostile input", () => {
  it("never throws on random strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), checkInvariants), { numRuns: 300 });
  });

  it("never throws on token soups from the language's vocabulary", () => {
    fc.assert(fc.property(tokenSoup, checkInvariants), { numRuns: 400 });
  });

  it("never throws on token soups inside a flow", () => {
    fc.assert(
      fc.property(tokenSoup, (soup) => checkInvariants(`flow f {\n${soup}\n}`)),
      { numRuns: 400 },
    );
  });

  it("never throws on mutations of the contract flow", () => {
    fc.assert(fc.property(mutatedContract, checkInvariants), { numRuns: 300 });
  });

  it("parses generated valid flows with no diagnostics", () => {
    fc.assert(
      fc.property(validFlow(), ({ source }) => {
        const result = parse(source, "valid.flow");
        expect(result.diagnostics).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it("survives huge and pathological inputs", () => {
    const cases = [
      "{".repeat(100_000),
      "}".repeat(100_000),
      `flow f { ${"http h { bogus { x } ".repeat(5000)} }`,
      `flow f { ${"@ ".repeat(50_000)} }`,
      `flow f { send s { message "${"{{".repeat(20_000)}" } }`,
      `flow f { condition c { when ${"(a or ".repeat(99)}b -> x } }`,
      "\uD800\uDFFF\uFFFF".repeat(10_000),
    ];
    for (const source of cases) checkInvariants(source);
  });
});
