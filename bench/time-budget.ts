// Time budgets on 1,000 flows (bench/compile.ts's ten-widget `benchFlow`, whose http widget's worst case
// is 29 s): the figures of every widget (`flowBudget`) and the warnings against a 10 s deadline
// (`deadlineDiagnostics`), and the figures alone as hover and graph use them, beside the checker's own rules (`validate`) on the same parsed flows, in
// alternating rounds. The figure per round is the ratio of the two; the medians are reported.
//
// Run: npm run build && node bench/time-budget.ts [rounds] [flows]
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { deadlineDiagnostics, flowBudget } from "../dist/compiler/time-budget.js";
import { validate } from "../dist/compiler/validate.js";
import type { Flow } from "../dist/grammar/ast.js";
import { parse } from "../dist/grammar/parse.js";
import { benchFlow } from "./compile.ts";

const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 21);
const count = Number(args[1] ?? 1000);
const flows: Flow[] = Array.from({ length: count }, (_, i) => parse(benchFlow(i), `bench-${i}.flow`).flow!);
const deadline = { ms: 10_000, source: "bench" };

function time(work: () => number): { ms: number; found: number } {
  const started = performance.now();
  const found = work();
  return { ms: performance.now() - started, found };
}
const budgets = (): number => flows.reduce((n, f) => n + deadlineDiagnostics(f, deadline).length, 0);
const figures = (): number => flows.reduce((n, f) => n + flowBudget(f).byWidget.size, 0);
const checks = (): number => flows.reduce((n, f) => n + validate(f).length, 0);

// Warm up both, so the first rounds do not measure the JIT.
budgets();
figures();
checks();
const budgetMs: number[] = [];
const figureMs: number[] = [];
const checkMs: number[] = [];
const ratios: number[] = [];
let warnings = 0;
for (let round = 0; round < rounds; round++) {
  const [first, second] = round % 2 === 0 ? [budgets, checks] : [checks, budgets];
  const a = time(first);
  const b = time(second);
  const [budget, check] = round % 2 === 0 ? [a, b] : [b, a];
  budgetMs.push(budget.ms);
  checkMs.push(check.ms);
  ratios.push(budget.ms / check.ms);
  figureMs.push(time(figures).ms);
  warnings = budget.found;
}
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
console.log(
  `${count} flows, ${rounds} rounds, load average ${loadavg()[0]!.toFixed(1)}: ` +
    `figures alone median ${median(figureMs).toFixed(1)} ms; ` +
    `figures + warnings (${warnings} warnings) median ${median(budgetMs).toFixed(1)} ms; ` +
    `checker rules median ${median(checkMs).toFixed(1)} ms; ratio per round median ${median(ratios).toFixed(3)}`,
);
