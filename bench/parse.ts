// Front-end throughput: tokenize + parse + validate (`checkSource`, what `callflow check`
// does per file) on a generated multi-megabyte flow, with parse alone beside it; the same
// bytes as many small files; those files against Chevrotain's own JSON example grammar on equal bytes of
// JSON (bench/json-example.ts, issue 27); and cold start (one small file in a fresh process).
//
// Run: npm run build && node bench/parse.ts [files]
// (`files`: only the many small files and the JSON comparison.)
// Node 24 strips the types of this file, but it cannot load the sources (their imports
// name `.js` files), so it measures the compiled output in dist/.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { checkSource } from "../dist/compiler/check.js";
import { parse } from "../dist/grammar/parse.js";
import { parseJson } from "./json-example.ts";

const contractPath = fileURLToPath(new URL("../test/fixtures/contract.flow", import.meta.url));
const contract = readFileSync(contractPath, "utf8");
const body = contract.slice(contract.indexOf("{") + 1, contract.lastIndexOf("}"));
const names = [
  ...new Set(
    [...body.matchAll(/\b(?:global|local|secret|http|condition|set|send|route|end)\s+(\w+)/g)].map(
      (m) => m[1] as string,
    ),
  ),
];
const rename = new RegExp(`\\b(${names.join("|")})\\b`, "g");

/**
 * One flow holding `copies` renamed copies of the contract's declarations and widgets.
 * Each copy's `notify` continues to the next copy's first widget, so every widget is
 * reachable from the one start line, as in a real flow; like the contract itself, each
 * copy keeps one unreachable widget (`remember`), hence one warning per copy. Copies are
 * numbered from `first`, so that generated files differ.
 */
function generateFlow(copies: number, first = 0): string {
  const parts: string[] = ['# generated for bench/parse.ts\nflow bench "Benchmark" {\n'];
  for (let i = first; i < first + copies; i++) {
    let copy = body.replace(/^\s*start -> \w+\n/m, i === first ? "$&" : "").replace(rename, `$1_${i}`);
    if (i < first + copies - 1) copy = copy.replace(`success -> goodbye_${i}`, `success -> lookup_order_${i + 1}`);
    parts.push(copy);
  }
  parts.push("}\n");
  return parts.join("");
}

/** The headline unit: tokenize, parse, validate. Returns the number of warnings. */
function checkOnce(source: string): number {
  const { diagnostics } = checkSource(source, "bench.flow");
  if (diagnostics.some((d) => d.severity === "error"))
    throw new Error(`generated input has errors: ${diagnostics[0]?.message}`);
  return diagnostics.length;
}

/** Tokenize and parse only (syntax diagnostics, AST). */
function parseOnce(source: string): number {
  return parse(source, "bench.flow").diagnostics.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

interface Rate {
  readonly median: number;
  readonly best: number;
}

/**
 * Runs check and parse alternately, so both see the same load on a shared machine, and
 * returns the MB/s of each.
 */
function compare(sources: readonly string[], runs: number): { check: Rate; parse: Rate; warnings: number } {
  const mb = sources.reduce((sum, s) => sum + Buffer.byteLength(s), 0) / 1e6;
  const checks: number[] = [];
  const parses: number[] = [];
  let warnings = 0;
  for (let run = 0; run < runs; run++) {
    checks.push(
      timed(() => {
        warnings = 0;
        for (const source of sources) warnings += checkOnce(source);
      }),
    );
    parses.push(
      timed(() => {
        for (const source of sources)
          if (parseOnce(source) !== 0) throw new Error("generated input has syntax diagnostics");
      }),
    );
  }
  const rate = (times: number[]): Rate => ({
    median: mb / (median(times) / 1000),
    best: mb / (Math.min(...times) / 1000),
  });
  return { check: rate(checks), parse: rate(parses), warnings };
}

/**
 * JSON texts with as many bytes as `sources` (to within one text): each flow's AST without its spans, as
 * JSON.stringify prints it with `indent`, taken in turn until the bytes are reached.
 */
function jsonOfEqualBytes(sources: readonly string[], indent: number): string[] {
  const target = sources.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  const texts: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < target; i++) {
    const flow = parse(sources[i % sources.length] as string, "bench.flow").flow;
    const text = JSON.stringify(flow, (key, value: unknown) => (key === "span" ? undefined : value), indent);
    texts.push(text);
    bytes += Buffer.byteLength(text);
  }
  return texts;
}

/**
 * `callflow check`'s work on `sources` against Chevrotain's JSON example on `json`, alternating in each round;
 * the median of the per-round ratios of MB/s (check over JSON), and each side's median MB/s.
 */
function againstJson(
  sources: readonly string[],
  json: readonly string[],
  runs: number,
): { ratio: number; check: number; json: number } {
  const mb = (texts: readonly string[]): number => texts.reduce((sum, s) => sum + Buffer.byteLength(s), 0) / 1e6;
  const checks: number[] = [];
  const jsons: number[] = [];
  for (let run = 0; run < runs; run++) {
    checks.push(mb(sources) / (timed(() => sources.forEach(checkOnce)) / 1000));
    jsons.push(mb(json) / (timed(() => json.forEach(parseJson)) / 1000));
  }
  return {
    ratio: median(checks.map((rate, i) => rate / (jsons[i] as number))),
    check: median(checks),
    json: median(jsons),
  };
}

function freshNode(args: readonly string[], runs: number): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(timed(() => execFileSync(process.execPath, args)));
  return median(times);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = 9;
  const show = (label: string, sources: readonly string[]): void => {
    compare(sources, 2); // warm up the JIT
    const { check, parse, warnings } = compare(sources, runs);
    console.log(
      `${label}: tokenize+parse+validate ${check.median.toFixed(1)} MB/s (best ${check.best.toFixed(1)}), ` +
        `parse only ${parse.median.toFixed(1)} MB/s (best ${parse.best.toFixed(1)}), medians of ${runs}, ${warnings} warnings`,
    );
  };
  const onlyFiles = process.argv[2] === "files";
  for (const copies of onlyFiles ? [] : [1000, 2500]) {
    const source = generateFlow(copies);
    show(
      `one flow, ${(Buffer.byteLength(source) / 1e6).toFixed(2)} MB, ${source.split("\n").length} lines, ${copies * 9} widgets`,
      [source],
    );
  }
  // What `callflow check` meets in practice: many flows of a few dozen widgets each.
  const files = Array.from({ length: 1250 }, (_, i) => generateFlow(2, 2 * i));
  const total = files.reduce((sum, s) => sum + Buffer.byteLength(s), 0) / 1e6;
  show(`${files.length} files of 18 widgets, ${total.toFixed(2)} MB`, files);
  // Indented as people keep JSON files (the headline), and without whitespace (more tokens per byte).
  for (const indent of [2, 0]) {
    const json = jsonOfEqualBytes(files, indent);
    againstJson(files, json, 2); // warm up the JIT
    const versus = againstJson(files, json, runs);
    const mb = json.reduce((sum, s) => sum + Buffer.byteLength(s), 0) / 1e6;
    console.log(
      `the same files against Chevrotain's JSON example on ${mb.toFixed(2)} MB of JSON (indent ${indent}): ` +
        `${versus.ratio.toFixed(2)}x (median of ${runs} per-round ratios; check ${versus.check.toFixed(1)} MB/s, JSON ${versus.json.toFixed(1)} MB/s)`,
    );
  }

  if (onlyFiles) process.exit(0);
  const check = `import { checkSource } from ${JSON.stringify(new URL("../dist/compiler/check.js", import.meta.url).href)};
import { readFileSync } from "node:fs";
checkSource(readFileSync(${JSON.stringify(contractPath)}, "utf8"), "contract.flow");`;
  const cold = freshNode(["--input-type=module", "-e", check], 7);
  const empty = freshNode(["-e", ""], 7);
  console.log(
    `cold start, check contract.flow in a fresh node: ${cold.toFixed(0)} ms median of 7 (empty node: ${empty.toFixed(0)} ms)`,
  );
  console.log(
    `machine: ${cpus().length} CPUs, ${cpus()[0]?.model ?? "unknown"}, node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}
