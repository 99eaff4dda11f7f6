// Simple JSONPaths compiled to property access read exactly what jsonpath-plus reads.
import fc from "fast-check";
import { JSONPath } from "jsonpath-plus";
import { describe, expect, it } from "vitest";
import { readExpression, simplePath } from "../compiler/jsonpath-compile.js";
import { prop } from "../runtime/helpers.js";

/** The compiled reader, evaluated with the runtime's `prop`. */
function compiledRead(path: string): ((body: unknown) => unknown) | undefined {
  const steps = simplePath(path);
  if (steps === undefined) return undefined;
  // The expression is generated from a validated path: only `prop(...)` calls and literals.
  // oxlint-disable-next-line typescript/no-implied-eval -- evaluating the generated read is what this test checks
  return new Function("prop", "body", `return ${readExpression(steps, "body")};`).bind(undefined, prop) as (
    body: unknown,
  ) => unknown;
}

/** jsonpath-plus's single result, or undefined for no match. */
function jsonPathPlus(path: string, json: unknown): unknown {
  const found = JSONPath({ path, json: json as null, wrap: true }) as unknown[] | undefined;
  expect((found ?? []).length).toBeLessThanOrEqual(1);
  return found?.[0];
}

const NAMES = [
  "a",
  "b",
  "items",
  "length",
  "_x",
  "$ref",
  "x y",
  "x-y",
  "0",
  "1",
  "10",
  "constructor",
  "__proto__",
  "toString",
];
const name = fc.constantFrom(...NAMES);

// Documents built from the same few names, so random paths often hit something.
const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, false, 0, 1, -1.5, "", "abc", "héllo 😀"),
    fc.array(tie("value"), { maxLength: 4 }),
    // JSON.parse makes `__proto__` an own property, as a parsed response body has it.
    fc.dictionary(name, tie("value"), { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as unknown),
  ),
})).value;

const step = fc.oneof(
  name.filter((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)).map((n) => `.${n}`),
  fc.nat({ max: 12 }).map((i) => `[${i}]`),
  name.filter((n) => /^[A-Za-z0-9_ -]+$/.test(n)).map((n) => `['${n}']`),
);
const simple = fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => `$${steps.join("")}`);

describe("compiled JSONPath readers", () => {
  it("recognise simple paths and leave the rest to jsonpath-plus", () => {
    expect(simplePath("$.a.b[0].c")).toEqual(["a", "b", 0, "c"]);
    expect(simplePath("$['x y'][10]")).toEqual(["x y", 10]);
    expect(readExpression(["a", "b", 0, "c"], "body")).toBe('prop(prop(prop(prop(body, "a"), "b"), 0), "c")');
    for (const path of [
      "$",
      "$..a",
      "$.*",
      "$.a[*]",
      "$.a[-1]",
      "$.a[01]",
      "$.a[0:2]",
      "$.a[?(@.b)]",
      "$.a[0,1]",
      '$["a"]',
      "$.a.",
      "a.b",
      "$.a['b.c']",
      "$.a^",
      "$.a~",
    ]) {
      expect(simplePath(path), path).toBeUndefined();
    }
  });

  it("agree with jsonpath-plus on random documents", () => {
    fc.assert(
      fc.property(simple, json, (path, doc) => {
        const read = compiledRead(path);
        expect(read).toBeDefined();
        expect(read!(doc)).toStrictEqual(jsonPathPlus(path, doc));
      }),
      { numRuns: 3000 },
    );
  });

  it("agree with jsonpath-plus on documents that hold what a path names", () => {
    // Builds the document along the path, so the whole path matches more often.
    const along = simple.chain((path) =>
      fc.tuple(fc.constant(path), json).map(([p, leaf]) => {
        let doc: unknown = leaf;
        for (const s of [...simplePath(p)!].reverse()) {
          doc =
            typeof s === "number"
              ? Object.assign(Array.from<unknown>({ length: s + 1 }).fill(null), { [s]: doc })
              : JSON.parse(JSON.stringify({ [s]: doc }) ?? "null");
        }
        return [p, doc] as const;
      }),
    );
    fc.assert(
      fc.property(along, ([path, doc]) => {
        expect(compiledRead(path)!(doc)).toStrictEqual(jsonPathPlus(path, doc));
      }),
      { numRuns: 2000 },
    );
  });
});
