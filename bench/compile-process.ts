// Whole-process compile: `callflow compile --out-dir` of 1,000 ten-widget flows (bench/compile.ts's benchFlow)
// against `tsc --noCheck --isolatedModules` transpiling the generated TypeScript (issue 17: at most 1.0x).
// tsc is the repository's `typescript` dev dependency run as users run it (node_modules/typescript/bin/tsc,
// a Node script that hands over to TypeScript 7's native compiler).
//
// Every round runs each case once, in a shuffled order, into a fresh output folder; figures are medians over
// the rounds, and "vs tsc" the median of the per-round ratios. Inputs live in a temporary folder, removed at
// the end.
//
// Run: npm run build && node bench/compile-process.ts [rounds] [flows] [cli.js ...]
// With more than one cli.js (e.g. a build of another commit, with its node_modules), all are measured in
// the same rounds.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchFlow } from "./compile.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 11);
const flows = Number(args[1] ?? 1000);
const clis = args.length > 2 ? args.slice(2).map((cli) => path.resolve(cli)) : [path.join(root, "dist/cli/cli.js")];
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

const work = mkdtempSync(path.join(tmpdir(), "callflow-compile-bench-"));
mkdirSync(path.join(work, "flows"));
for (let i = 0; i < flows; i++) writeFileSync(path.join(work, "flows", `bench-${i}.flow`), benchFlow(i));

function wall(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`${argv.join(" ")} exited ${code}: ${stderr}`));
    });
  });
}

// tsc's input: the TypeScript that callflow compiles the flows to.
await wall([clis[0] as string, "compile", "flows", "--out-dir", "generated"]);
const generated = readdirSync(path.join(work, "generated")).map((file) => path.join("generated", file));

interface Case {
  readonly name: string;
  /** The argv of one run, writing into `out`. */
  readonly argv: (out: string) => string[];
}

const tscCase: Case = {
  name: `tsc --noCheck --isolatedModules (${generated.length} generated .ts files)`,
  argv: (out) => [
    tsc,
    "--noCheck",
    "--isolatedModules",
    "--skipLibCheck",
    "--target",
    "es2023",
    "--module",
    "esnext",
    "--outDir",
    out,
    ...generated,
  ],
};
const cases: Case[] = [
  tscCase,
  ...clis.flatMap((cli): Case[] => {
    const label = clis.length === 1 ? "" : `${path.relative(root, cli)}: `;
    return [
      {
        name: `${label}callflow compile --out-dir (${flows} flows)`,
        argv: (out) => [cli, "compile", "flows", "--out-dir", out],
      },
      {
        name: `${label}callflow compile --out-dir --emit js`,
        argv: (out) => [cli, "compile", "flows", "--out-dir", out, "--emit", "js"],
      },
    ];
  }),
];

function shuffle<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const times = new Map<Case, number[]>(cases.map((test) => [test, []]));
try {
  for (let round = 0; round < rounds; round++) {
    for (const test of shuffle(cases)) {
      const out = path.join(work, "out");
      rmSync(out, { recursive: true, force: true });
      times.get(test)?.push(await wall(test.argv("out")));
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const tscTimes = times.get(tscCase) ?? [];
console.log(
  `Whole-process compile, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), ${rounds} rounds`,
);
console.log("\n| command | median wall | fastest | slowest | median vs tsc |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const test of cases) {
  const ms = times.get(test) ?? [];
  const ratio = median(ms.map((value, i) => value / (tscTimes[i] as number)));
  console.log(
    `| ${test.name} | ${median(ms).toFixed(0)} ms | ${Math.min(...ms).toFixed(0)} ms | ${Math.max(...ms).toFixed(0)} ms | ${test === tscCase ? "" : `${ratio.toFixed(2)}x`} |`,
  );
}
