// Reporting diagnostics must cost in proportion to how many there are: `callflow check` of one
// large flow with N warnings, for N doubling, whole process. Before 2026-12, the code frame split
// the whole source into lines once per diagnostic, so time grew with N × file size.
//
// Run: npm run build && node bench/report.ts
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli/cli.js", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "callflow-bench-report-"));

/** A flow of about `bytes` with `warnings` unused locals (CF2019 each), padded with comment lines. */
function flow(warnings: number, bytes: number): string {
  const lines = ["flow big {", "  start -> done"];
  for (let i = 0; i < warnings; i++) lines.push(`  local unused_${i}: string = "x"`);
  const padding = `  # ${"y".repeat(76)}`;
  const count = Math.max(0, Math.ceil((bytes - lines.join("\n").length) / (padding.length + 1)));
  lines.push(...Array.from({ length: count }, () => padding), "  end done", "}");
  return lines.join("\n") + "\n";
}

const SIZE = 4_500_000;
const COUNTS = [625, 1250, 2500, 5000];
const ROUNDS = 5;
const files = COUNTS.map((n) => {
  const file = path.join(dir, `w${n}.flow`);
  writeFileSync(file, flow(n, SIZE));
  return file;
});

const times = new Map<number, number[]>(COUNTS.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternating order, so drift in the machine's speed spreads over every size.
  const order = round % 2 === 0 ? COUNTS.map((_, i) => i) : COUNTS.map((_, i) => COUNTS.length - 1 - i);
  for (const i of order) {
    const started = performance.now();
    try {
      execFileSync(process.execPath, [cli, "check", files[i] as string], { stdio: "ignore" });
    } catch {
      // Warnings only: exit 0; anything else shows in the figures.
    }
    times.get(COUNTS[i] as number)?.push(performance.now() - started);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
console.log(`${cpus()[0]?.model ?? "cpu"} × ${cpus().length}, Node ${process.version}, ${new Date().toISOString()}`);
console.log(
  `callflow check of a ${(SIZE / 1e6).toFixed(1)} MB flow, whole process, median of ${ROUNDS} alternating rounds`,
);
console.log("| warnings | median | per warning, above the 625 run |");
console.log("| ---: | ---: | ---: |");
const base = median(times.get(COUNTS[0] as number) ?? []);
for (const n of COUNTS) {
  const t = median(times.get(n) ?? []);
  const per = n === COUNTS[0] ? "" : `${((t - base) / (n - (COUNTS[0] as number))).toFixed(3)} ms`;
  console.log(`| ${n} | ${t.toFixed(0)} ms | ${per} |`);
}
