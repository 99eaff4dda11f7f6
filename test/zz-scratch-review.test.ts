import fc from "fast-check";
import { it } from "vitest";
import { parse } from "../grammar/parse.js";
import { validate } from "../compiler/validate.js";
import { format, withoutSpans } from "../compiler/format.js";
import { validFlow } from "./arbitraries/flow.js";
function firstDiff(a: unknown, b: unknown, path = ""): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDiff((a as any)[k], (b as any)[k], `${path}.${k}`);
    if (d) return d;
  }
  return path;
}
it("scratch", () => {
  const samples = fc.sample(validFlow({ commentRate: Number(process.env["CR"] ?? 4) }), { numRuns: Number(process.env["RUNS"] ?? 300), seed: Number(process.env["SEED"] ?? 1) });
  let bad = 0;
  const t0 = performance.now();
  for (const g of samples) {
    const r = parse(g.source, "gen.flow");
    if (r.diagnostics.length || !r.flow) { if (bad++ < 3) console.log("PARSE", g.source, r.diagnostics); continue; }
    const errs = validate(r.flow).filter((d) => d.severity === "error");
    if (errs.length) { if (bad++ < 6) console.log("VALIDATE", g.source, errs.map(e=>[e.code,e.message,e.span.line])); continue; }
    if (r.comments.length !== g.comments) { if (bad++ < 8) console.log("COMMENTS", r.comments.length, g.comments, g.source); }
    const f1 = format(r.flow, r.comments, g.source);
    const r2 = parse(f1, "gen.flow");
    if (r2.diagnostics.length || JSON.stringify(withoutSpans(r2.flow)) !== JSON.stringify(withoutSpans(r.flow))) { if (bad++ < 10) console.log("FAITHFUL", f1, r2.diagnostics, firstDiff(withoutSpans(r.flow), withoutSpans(r2.flow))); continue; }
    const f2 = format(r2.flow!, r2.comments, f1);
    if (f1 !== f2) { if (bad++ < 12) console.log("IDEMPOTENT", g.source, "-----\n", f1, "-----\n", f2); }
  }
  console.log("bad", bad, "ms", performance.now() - t0);
});
