import fc from "fast-check";
import { it } from "vitest";
import { validFlow } from "./arbitraries/flow.js";
it("stats", () => {
  const s = fc.sample(validFlow(), { numRuns: 1000, seed: 5 });
  const len = s.map((g) => g.source.length).sort((a, b) => a - b);
  console.log("median", len[500], "p10", len[100], "p90", len[900], "comments avg", s.reduce((a, g) => a + g.comments, 0) / s.length);
  for (const k of ["http", "when", "not", "body json", "masked", "(", "[", "{{"]) console.log(k, s.filter((g) => g.source.includes(k)).length);
  console.log(s[7]!.source);
});
