// Compiled conditions mean what the language says: for random valid flows and random
// variable values, every generated `test` agrees with a direct evaluation of the AST.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { ConditionWidget, Expr, Flow, VarDecl } from "../grammar/ast.js";
import { compile } from "../compiler/compile.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import { toText } from "../runtime/helpers.js";
import { validFlow } from "./arbitraries/flow.js";
import { ROOT, tempDir } from "./compile-helpers.js";

const temp = tempDir("compile-conditions");
afterAll(() => temp.remove());

/**
 * The semantics the emitter documents: `and`/`or`/`not` count only `true` as true; `==` is
 * strict equality, structural (JSON text) between two json variables; `<` and friends are
 * false when either side is unset; `contains` is a substring test on strings and membership
 * on a json array.
 */
function evaluate(expr: Expr, vars: Vars, decls: ReadonlyMap<string, VarDecl>): unknown {
  const isJsonVar = (e: Expr): boolean => e.kind === "VarRef" && decls.get(e.name)?.type.name === "json";
  switch (expr.kind) {
    case "String":
      return expr.parts.map((p) => (p.kind === "Text" ? p.value : toText(vars[p.ref.name]))).join("");
    case "Number":
    case "Boolean":
      return expr.value;
    case "Null":
      return null;
    case "VarRef":
      return vars[expr.name];
    case "Length": {
      const items = vars[expr.target.name];
      return Array.isArray(items) ? items.length : 0;
    }
    case "Not":
      return evaluate(expr.operand, vars, decls) !== true;
    case "Binary": {
      const l = evaluate(expr.left, vars, decls);
      const r = evaluate(expr.right, vars, decls);
      switch (expr.op) {
        case "and":
          return l === true && r === true;
        case "or":
          return l === true || r === true;
        case "==":
        case "!=": {
          const equal =
            isJsonVar(expr.left) && isJsonVar(expr.right) ? JSON.stringify(l) === JSON.stringify(r) : l === r;
          return expr.op === "==" ? equal : !equal;
        }
        case "contains":
          if (Array.isArray(l)) return l.includes(r);
          return typeof l === "string" && typeof r === "string" && l.includes(r);
        default: {
          if (l === undefined || r === undefined || l === null || r === null) return false;
          const [a, b] = [l as string | number, r as string | number];
          return expr.op === "<" ? a < b : expr.op === "<=" ? a <= b : expr.op === ">" ? a > b : a >= b;
        }
      }
    }
  }
}

/** Literals of an expression, so random values often equal them. */
function literals(expr: Expr, into: unknown[]): void {
  if (expr.kind === "Binary") {
    literals(expr.left, into);
    literals(expr.right, into);
  } else if (expr.kind === "Not") literals(expr.operand, into);
  else if (expr.kind === "String" || expr.kind === "Number") into.push(expr.value);
}

const POOL = {
  string: ["", "a", "ab", "b", "overdue", " \n"],
  number: [-1, 0, 1, 2.5, 100],
  boolean: [true, false],
  json: [null, true, false, 0, 1, "a", "", [1, "a"], ["a", "b"], { a: 1 }, [], {}],
} as const;

function randomVars(rng: () => number, decls: readonly VarDecl[], extra: readonly unknown[]): Vars {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
  const vars: Record<string, unknown> = {};
  for (const d of decls) {
    const optional = d.scope === "local" && d.default === undefined;
    if (optional && rng() < 0.2) continue;
    const type = d.type.name;
    const matching = extra.filter((v) => (type === "json" ? true : typeof v === type));
    vars[d.name.name] =
      matching.length > 0 && rng() < 0.4 ? pick(matching) : pick<unknown>(POOL[type as keyof typeof POOL]);
  }
  return vars;
}

let counter = 0;

async function load(source: string): Promise<{ flow: Flow; compiled: FlowDefinition<Vars, string, string> }> {
  const runtime = path.relative(temp.dir, path.join(ROOT, "runtime/internal.ts")).replaceAll("\\", "/");
  const result = compile(source, {
    file: "random.flow",
    emit: "js",
    runtimeImport: runtime.startsWith(".") ? runtime : `./${runtime}`,
  });
  const module = result.files[0];
  if (module === undefined || result.flow === undefined)
    throw new Error(`did not compile: ${JSON.stringify(result.diagnostics)}`);
  const file = path.join(temp.dir, `c${counter++}.mjs`);
  writeFileSync(file, module.text);
  const imported = (await import(pathToFileURL(file).href)) as Record<string, FlowDefinition<Vars, string, string>>;
  const compiled = Object.entries(imported).find(([name]) => name.endsWith("Flow"))?.[1];
  if (compiled === undefined) throw new Error("no flow export");
  return { flow: result.flow, compiled };
}

describe("compiled conditions", () => {
  it("agree with a direct evaluation of the AST on random flows and values", async () => {
    const samples = fc.sample(validFlow({ commentRate: 0 }), { numRuns: 80, seed: 424242 });
    let checked = 0;
    let held = 0;
    for (const [i, sample] of samples.entries()) {
      const { flow, compiled } = await load(sample.source);
      const decls = new Map<string, VarDecl>();
      for (const d of flow.declarations) if (d.kind === "VarDecl" && !decls.has(d.name.name)) decls.set(d.name.name, d);
      const conditions = flow.widgets.filter((w): w is ConditionWidget => w.kind === "ConditionWidget");
      // A seeded Park-Miller generator: the same values on every run.
      let state = i + 1;
      const random = (): number => {
        state = (state * 48271) % 2147483647;
        return state / 2147483647;
      };
      for (const widget of conditions) {
        const step = compiled.steps[widget.id.name];
        if (step?.kind !== "condition") throw new Error(`${widget.id.name} is not a compiled condition`);
        widget.branches.forEach((branch, b) => {
          const extra: unknown[] = [];
          literals(branch.condition, extra);
          for (let n = 0; n < 25; n++) {
            const vars = randomVars(random, [...decls.values()], extra);
            const expected = evaluate(branch.condition, vars, decls) === true;
            expect(step.branches[b]!.test(vars), `${step.branches[b]!.text} with ${JSON.stringify(vars)}`).toBe(
              expected,
            );
            checked++;
            if (expected) held++;
          }
        });
      }
    }
    // Enough cases, and both outcomes well represented.
    expect(checked).toBeGreaterThan(500);
    expect(held / checked).toBeGreaterThan(0.2);
    expect(held / checked).toBeLessThan(0.8);
  });
});
