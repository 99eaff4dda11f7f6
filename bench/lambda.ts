// The AWS Lambda bundle (issue 26): the size of `callflow bundle --target aws-lambda` output, and the time a
// fresh Node process takes to import it (Lambda's init phase loads `index.mjs` the same way), against the import
// of an empty module in the same kind of process. Budget: under 1 MB zipped, module load under 100 ms.
//
// Each round starts one process per case in a shuffled order (bench/processes.ts); a figure is the median over
// the rounds. The process prints the wall time of its `import()` and the CPU time it took (user + system), the
// latter less sensitive to a busy machine.
//
// Run: npm run build && node bench/lambda.ts [rounds] [node executable, default: Node 22 by npm exec, else this one]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median, pairedRounds } from "./processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rounds = Number(process.argv[2] ?? 21);
const node = process.argv[3] ?? node22() ?? process.execPath;

function node22(): string | undefined {
  try {
    const out = execFileSync("npm", ["exec", "--yes", "--package=node@22", "--", "node", "-p", "process.execPath"], {
      encoding: "utf8",
    });
    return out.trim();
  } catch {
    return undefined;
  }
}

const temp = mkdtempSync(path.join(tmpdir(), "callflow-bench-lambda-"));
const flows = ["examples/order-status.flow", "test/fixtures/aws/balance.flow"];
// Both flows take api_base as a config, baked in from an environment; their secrets are read at cold start.
const project = path.join(temp, "callflow.json");
const secretEnv = { BENCH_CRM_TOKEN: "bench-crm", BENCH_BANK_TOKEN: "bench-bank" };
writeFileSync(
  project,
  JSON.stringify({
    environments: {
      bench: {
        config: { api_base: "https://api.example" },
        secrets: { CRM_TOKEN: { env: "BENCH_CRM_TOKEN" }, BANK_TOKEN: { env: "BENCH_BANK_TOKEN" } },
      },
    },
  }),
);
execFileSync(process.execPath, [
  path.join(root, "dist/cli/cli.js"),
  "bundle",
  ...flows.map((flow) => path.join(root, flow)),
  "--target",
  "aws-lambda",
  "--out",
  temp,
  "--project",
  project,
  "--env",
  "bench",
]);
const empty = path.join(temp, "empty.mjs");
writeFileSync(empty, "export const handler = () => {};\n");

const PROBE =
  "const t=performance.now();const c=process.cpuUsage();await import(process.argv[1]);const u=process.cpuUsage(c);" +
  "process.stdout.write(JSON.stringify({ms:performance.now()-t,cpu:(u.user+u.system)/1000}))";

interface Probe {
  readonly ms: number;
  readonly cpu: number;
}
const probes = new Map<string, Probe[]>();

function probe(name: string, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["--input-type=module", "-e", PROBE, pathToFileURL(file).href], {
      cwd: temp,
      env: { PATH: process.env["PATH"], NODE_DISABLE_COMPILE_CACHE: "1", ...secretEnv },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${name}: exit ${code}`));
      const result = JSON.parse(stdout) as Probe;
      probes.set(name, [...(probes.get(name) ?? []), result]);
      resolve(result.ms);
    });
  });
}

const cases = [
  { name: "empty module", file: empty },
  ...["order_status", "balance"].map((id) => ({ name: `${id}/index.mjs`, file: path.join(temp, id, "index.mjs") })),
];
const load = loadavg()[0]!.toFixed(1);
await pairedRounds(cases, rounds, (c) => probe(c.name, c.file));

const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
console.log(
  `${rounds} rounds, Node ${version}, ${cpus()[0]?.model ?? "?"} x${cpus().length}, load average ${load} at the start\n`,
);
console.log("| flow | index.mjs | zip |\n|---|---:|---:|");
for (const id of ["order_status", "balance"]) {
  const kb = (file: string) => `${(statSync(file).size / 1024).toFixed(1)} KB`;
  console.log(`| ${id} | ${kb(path.join(temp, id, "index.mjs"))} | ${kb(path.join(temp, `${id}.zip`))} |`);
}
console.log("\n| import in a fresh process | wall, median | min | max | CPU, median |\n|---|---:|---:|---:|---:|");
for (const c of cases) {
  const runs = probes.get(c.name) ?? [];
  const ms = runs.map((r) => r.ms);
  console.log(
    `| ${c.name} | ${median(ms).toFixed(0)} ms | ${Math.min(...ms).toFixed(0)} ms | ${Math.max(...ms).toFixed(0)} ms | ${median(runs.map((r) => r.cpu)).toFixed(0)} ms |`,
  );
}
rmSync(temp, { recursive: true, force: true });
