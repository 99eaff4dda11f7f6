// Parse throughput (tokenize + parse + AST build) on a generated multi-megabyte flow,
// and cold start (one small file in a fresh process).
//
// Run: npm run build && node bench/parse.ts
// Node 24 strips the types of this file, but it cannot load the sources (their imports
// name `.js` files), so it measures the compiled output in dist/.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parse } from "../dist/grammar/parse.js";

const contractPath = fileURLToPath(new URL("../test/fixtures/contract.flow", import.meta.url));
const contract = readFileSync(contractPath, "utf8");

/** One flow holding `copies` renamed copies of the contract's declarations and widgets. */
export function generateFlow(copies: number): string {
  const body = contract.slice(contract.indexOf("{") + 1, contract.lastIndexOf("}"));
  const names = [...new Set([...body.matchAll(/\b(?:global|local|secret|http|condition|set|send|route|end)\s+(\w+)/g)].map((m) => m[1] as string))];
  const rename = new RegExp(`\\b(${names.join("|")})\\b`, "g");
  const parts: string[] = ["# generated for bench/parse.ts\nflow bench \"Benchmark\" {\n"];
  for (let i = 0; i < copies; i++) {
    // The start line may appear once per flow.
    parts.push(body.replace(/^\s*start -> \w+\n/m, i === 0 ? "$&" : "").replace(rename, `$1_${i}`));
  }
  parts.push("}\n");
  return parts.join("");
}

/** The measured unit: what the lead can extend with validation. */
export function parseOnce(source: string): number {
  const result = parse(source, "bench.flow");
  return result.diagnostics.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function throughput(source: string, runs: number): { mbPerSecond: number; ms: number; bestMbPerSecond: number } {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const errors = parseOnce(source);
    times.push(performance.now() - started);
    if (errors !== 0) throw new Error(`generated input has ${errors} diagnostics`);
  }
  const ms = median(times);
  const mb = Buffer.byteLength(source) / 1e6;
  return { ms, mbPerSecond: mb / (ms / 1000), bestMbPerSecond: mb / (Math.min(...times) / 1000) };
}

function coldStart(runs: number): number {
  const script = `import { parse } from ${JSON.stringify(new URL("../dist/grammar/parse.js", import.meta.url).href)};
import { readFileSync } from "node:fs";
parse(readFileSync(${JSON.stringify(contractPath)}, "utf8"), "contract.flow");`;
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    execFileSync(process.execPath, ["--input-type=module", "-e", script]);
    times.push(performance.now() - started);
  }
  return median(times);
}

function baselineNode(runs: number): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    execFileSync(process.execPath, ["-e", ""]);
    times.push(performance.now() - started);
  }
  return median(times);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Two sizes: the larger one mostly measures the garbage collector on a big heap.
  for (const copies of [1000, 2500]) {
    const source = generateFlow(copies);
    const mb = Buffer.byteLength(source) / 1e6;
    throughput(source, 3); // warm up the JIT
    const { mbPerSecond, ms, bestMbPerSecond } = throughput(source, 9);
    console.log(
      `${mb.toFixed(2)} MB (${source.split("\n").length} lines): tokenize+parse+AST ${ms.toFixed(0)} ms, median of 9 → ${mbPerSecond.toFixed(1)} MB/s (best run ${bestMbPerSecond.toFixed(1)} MB/s)`,
    );
  }
  console.log(`cold start, parse contract.flow in a fresh node: ${coldStart(7).toFixed(0)} ms median of 7 (empty node: ${baselineNode(7).toFixed(0)} ms)`);
  console.log(`machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}, node ${process.version}`);
}
