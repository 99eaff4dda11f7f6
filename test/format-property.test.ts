// Property tests of `callflow fmt`: faithful (same AST, spans aside; every comment kept)
// and idempotent, over 1,000 generated valid flows and over re-laid-out examples.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource, withoutSpans } from "../grammar/printer.js";
import { validate } from "../compiler/validate.js";
import { parse } from "../grammar/parse.js";
import { tokenize } from "../grammar/tokens.js";
import { validFlow } from "./arbitraries/flow.js";

function formatted(source: string, file = "gen.flow"): string {
  const result = formatSource(source, file);
  if (result.text === undefined)
    throw new Error(`${file} does not parse: ${JSON.stringify(result.diagnostics)}\n${source}`);
  return result.text;
}

/** Formatting is faithful and idempotent for `source`; returns the formatted text. */
function checkRoundTrip(source: string): string {
  const before = parse(source, "a.flow");
  const once = formatted(source);
  const after = parse(once, "b.flow");
  expect(after.diagnostics).toEqual([]);
  expect(withoutSpans(after.flow)).toEqual(withoutSpans(before.flow));
  expect(after.comments.map((c) => c.text).sort()).toEqual(before.comments.map((c) => c.text).sort());
  expect(formatted(once)).toBe(once);
  return once;
}

const EXAMPLES = [
  "test/fixtures/contract.flow",
  ...readdirSync("examples")
    .filter((f) => f.endsWith(".flow"))
    .map((f) => `examples/${f}`),
].map((file) => ({ file, source: readFileSync(file, "utf8") }));

/** Tokens and comments of a source, in order, with the text between them. */
function pieces(source: string): { text: string; comment: boolean; gapBefore: string }[] {
  const lexed = tokenize(source);
  const all = [
    ...lexed.tokens.map((t) => ({ start: t.startOffset, text: t.image, comment: false })),
    ...(lexed.groups["comments"] ?? []).map((t) => ({ start: t.startOffset, text: t.image, comment: true })),
  ].sort((a, b) => a.start - b.start);
  let last = 0;
  return all.map((p) => {
    const gapBefore = source.slice(last, p.start);
    last = p.start + p.text.length;
    return { text: p.text, comment: p.comment, gapBefore };
  });
}

describe("formatter round trip on generated flows", () => {
  it("generates valid flows (the arbitrary's own contract)", () => {
    fc.assert(
      fc.property(validFlow(), (g) => {
        const parsed = parse(g.source, "gen.flow");
        expect(parsed.diagnostics).toEqual([]);
        expect(parsed.comments).toHaveLength(g.comments);
        if (parsed.flow === undefined) throw new Error("no flow");
        expect(validate(parsed.flow).filter((d) => d.severity === "error")).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it("is faithful and idempotent on 1,000 generated flows", () => {
    fc.assert(
      fc.property(validFlow({ commentRate: 8 }), (g) => {
        checkRoundTrip(g.source);
      }),
      { numRuns: 1000 },
    );
  });

  it("gives the same text whatever the layout of the same tokens on the same lines", () => {
    fc.assert(
      fc.property(validFlow({ commentRate: 8 }), fc.array(fc.nat(3), { minLength: 1 }), (g, widths) => {
        const canonical = formatted(g.source);
        // Change only horizontal whitespace: every token stays on its line.
        let i = 0;
        const relaid = pieces(g.source)
          .map(
            (p) =>
              p.gapBefore.replace(/[ \t]+/g, () => [" ", "  ", "\t", " \t "][widths[i++ % widths.length] ?? 0] ?? " ") +
              p.text,
          )
          .join("");
        expect(formatted(relaid)).toBe(canonical);
      }),
      { numRuns: 200 },
    );
  });
});

describe("formatter round trip on the examples", () => {
  it.each(EXAMPLES)("$file is faithful and idempotent", ({ source }) => {
    checkRoundTrip(source);
  });

  it.each(EXAMPLES)("$file keeps its meaning and comments under random re-layout", ({ source }) => {
    const parts = pieces(source);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(" ", "\n", "  ", "\n\n", "\t", "\n    "), {
          minLength: parts.length,
          maxLength: parts.length,
        }),
        (gaps) => {
          // A comment runs to the end of its line, so whatever follows one starts a new line.
          const relaid = parts
            .map((p, i) => {
              const gap = i === 0 ? "" : (gaps[i] ?? " ");
              return (parts[i - 1]?.comment === true && !gap.includes("\n") ? "\n" : gap) + p.text;
            })
            .join("");
          const once = checkRoundTrip(relaid);
          expect(withoutSpans(parse(once, "x.flow").flow)).toEqual(withoutSpans(parse(source, "x.flow").flow));
        },
      ),
      { numRuns: 100 },
    );
  });

  it.each(EXAMPLES)("$file formats to the same text after horizontal re-spacing", ({ source }) => {
    const canonical = formatted(source);
    const parts = pieces(source);
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(" ", "  ", "\t", "   "), { minLength: parts.length, maxLength: parts.length }),
        (spaces) => {
          const relaid = parts.map((p, i) => p.gapBefore.replace(/[ \t]+/g, spaces[i] ?? " ") + p.text).join("");
          expect(formatted(relaid)).toBe(canonical);
        },
      ),
      { numRuns: 50 },
    );
  });
});
