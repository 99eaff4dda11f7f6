// The AST walk (grammar/visitor.ts) reading children from VISITOR_KEYS, side by side with the walk it
// replaced, which probed every property of every node (Object.entries, then arrays, nodes and records).
// Both count the variable and secret references of the same parsed flows (the emitter's use of `visit`);
// rounds alternate which goes first, and the result is the median of per-round ratios.
//
// Run: npm run build && node bench/visitor.ts
import { cpus, loadavg } from "node:os";
import { parse } from "../dist/grammar/parse.js";
import { visit, type AstNode, type Visitor } from "../dist/grammar/visitor.js";
import { benchFlow } from "./compile.ts";

/** The walk before the keys map: every own property of every node is looked at. */
function probingVisit(root: AstNode, visitor: Visitor): void {
  const isNode = (value: unknown): value is AstNode =>
    typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
  const stack: AstNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const handler = visitor[node.kind] as ((node: AstNode) => void | false) | undefined;
    if (handler?.(node) === false) continue;
    const children: AstNode[] = [];
    for (const [field, value] of Object.entries(node)) {
      if (field === "span") continue;
      if (Array.isArray(value)) {
        for (const item of value as unknown[]) if (isNode(item)) children.push(item);
      } else if (isNode(value)) children.push(value);
      else if (typeof value === "object" && value !== null)
        for (const item of Object.values(value as Record<string, unknown>)) if (isNode(item)) children.push(item);
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as AstNode);
  }
}

const flows = Array.from({ length: 20 }, (_, i) => parse(benchFlow(i), `bench_${i}.flow`).flow!);
const WALKS = 500;

function round(walk: typeof visit): { ms: number; refs: number } {
  let refs = 0;
  const handlers: Visitor = { VarRef: () => void refs++, SecretRef: () => void refs++ };
  const start = performance.now();
  for (let i = 0; i < WALKS; i++) for (const flow of flows) walk(flow, handlers);
  return { ms: performance.now() - start, refs };
}

// Warm-up: both walks compiled by the JIT before any round counts.
for (let i = 0; i < 3; i++) {
  round(visit);
  round(probingVisit);
}
const keyed: number[] = [];
const probing: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < 15; r++) {
  const first = r % 2 === 0 ? round(visit) : round(probingVisit);
  const second = r % 2 === 0 ? round(probingVisit) : round(visit);
  const [k, p] = r % 2 === 0 ? [first, second] : [second, first];
  if (k.refs !== p.refs) throw new Error(`the walks disagree: ${k.refs} and ${p.refs} references`);
  keyed.push(k.ms);
  probing.push(p.ms);
  ratios.push(k.ms / p.ms);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const walks = WALKS * flows.length;
console.log(
  `${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs, Node ${process.versions.node}, load ${loadavg()[0]!.toFixed(1)}`,
);
console.log(`keyed:   ${((walks / median(keyed)) * 1000).toFixed(0)} walks/s (median of 15 rounds of ${walks})`);
console.log(`probing: ${((walks / median(probing)) * 1000).toFixed(0)} walks/s`);
console.log(`keyed / probing time, median of per-round ratios: ${median(ratios).toFixed(2)}`);
