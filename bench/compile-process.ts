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
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchFlow } from "./compile.ts";
import { pairedRounds, row, wall } from "./processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 11);
const flows = Number(args[1] ?? 1000);
const clis = args.length > 2 ? args.slice(2).map((cli) => path.resolve(cli)) : [path.join(root, "dist/cli/cli.js")];
const tsc = path.join(root, "node_modules/typescript/bin/tsc");

const work = mkdtempSync(path.join(tmpdir(), "callflow-compile-bench-"));
mkdirSync(path.join(work, "flows"));
for (let i = 0; i < flows; i++) writeFileSync(path.join(work, "flows", `bench-${i}.flow`), benchFlow(i));

// tsc's input: the TypeScript that callflow compiles the flows to.
await wall([clis[0] as string, "compile", "flows", "--out-dir", "generated"], { cwd: work });
const generated = readdirSync(path.join(work, "generated")).map((file) => path.join("generated", file));

interface Case {
  readonly name: string;
  /** The argv of one run, writing into `out`. */
  readonly argv: (out: string) => string[];
  readonly env?: NodeJS.ProcessEnv;
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
        name: `${label}the same, Node's compile cache off (NODE_DISABLE_COMPILE_CACHE=1)`,
        argv: (out) => [cli, "compile", "flows", "--out-dir", out],
        env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
      },
      {
        name: `${label}callflow compile --out-dir --emit js`,
        argv: (out) => [cli, "compile", "flows", "--out-dir", out, "--emit", "js"],
      },
    ];
  }),
];

let times: Map<Case, number[]>;
try {
  times = await pairedRounds(cases, rounds, (test) => {
    rmSync(path.join(work, "out"), { recursive: true, force: true });
    return wall(test.argv("out"), { cwd: work, ...(test.env === undefined ? {} : { env: test.env }) });
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}

const tscTimes = times.get(tscCase) ?? [];
console.log(
  `Whole-process compile, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), ${rounds} rounds`,
);
console.log("\n| command | median wall | fastest | slowest | median vs tsc |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const test of cases)
  console.log(row(test.name, times.get(test) ?? [], test === tscCase ? undefined : tscTimes, 2));
