// `callflow check --env prod` of a project of 1,000 ten-widget flows (bench/compile.ts's benchFlow, each with
// a `config api_base: url` and two secrets) and a callflow.json with two environments: the whole process,
// flows checked and every config and secret source of the environment checked against every flow.
//
// Every round runs the command once; the figure is the median wall time over the rounds. Inputs live in a
// temporary folder, removed at the end.
//
// Run: npm run build && node bench/env-check.ts [rounds] [flows]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { benchFlow } from "./compile.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 5);
const flows = Number(args[1] ?? 1000);
const cli = path.join(root, "dist/cli/cli.js");

const work = mkdtempSync(path.join(tmpdir(), "callflow-env-bench-"));
try {
  mkdirSync(path.join(work, "flows"));
  for (let i = 0; i < flows; i++) writeFileSync(path.join(work, "flows", `bench-${i}.flow`), benchFlow(i));
  const environment = (host: string, secrets: object) => ({ config: { api_base: `https://${host}` }, secrets });
  writeFileSync(
    path.join(work, "callflow.json"),
    JSON.stringify({
      flows: ["flows/*.flow"],
      environments: {
        staging: environment("api.staging.example", { API_TOKEN: { env: "T" }, HOOK_KEY: { env: "K" } }),
        prod: environment("api.example", {
          API_TOKEN: { file: "/run/secrets/t" },
          HOOK_KEY: { file: "/run/secrets/k" },
        }),
      },
    }),
  );
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [cli, "check", "--env", "prod", "flows"], {
      cwd: work,
      encoding: "utf8",
    });
    times.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`check failed (${String(result.status)}):\n${result.stdout.slice(-2000)}`);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(`callflow check --env prod, ${flows} flows: median ${median.toFixed(0)} ms over ${rounds} rounds`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
