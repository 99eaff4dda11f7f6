// Cold start: the wall time of whole `callflow check`, `run` and `test` processes on one example flow,
// each against `node -e 0` started the same way (issue 17: each under 0.35 s on this machine).
//
// Every round starts one process of each case, one after another in a shuffled order, so that all cases
// see the same load; a case's figure is the median over the rounds, and "vs node" the median of its
// per-round ratio to that round's `node -e 0`. `run` of the order-status example talks to a node:http server
// in this process that answers the order lookup at once (so the processes are started with the asynchronous
// `spawn`, timed from the call to the `close` event); `run` of a three-widget flow without HTTP shows the
// command without a transport.
//
// Wall time is measured as before; CPU time (user plus system, from GNU time) beside it, the steadier figure
// on a loaded machine.
//
// Run: npm run build && node bench/cold-start.ts [rounds] [cli.js ...]
// With more than one cli.js (e.g. a build of another commit, with its node_modules), all are measured in
// the same rounds, named by their path.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pairedRounds, row, wallAndCpu } from "./processes.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const rounds = Number(args[0] ?? 21);
const clis = args.length > 1 ? args.slice(1).map((cli) => path.resolve(cli)) : [path.join(root, "dist/cli/cli.js")];

const server = createServer((request, response) => {
  response.setHeader("content-type", "application/json");
  response.end(
    JSON.stringify({ shipDate: "2026-12-24", items: [1, 2], customer: { vip: false }, payment: { last4: "4242" } }),
  );
  request.resume();
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  /** The exit codes that mean the command did its work. */
  readonly ok: readonly number[];
}

// A flow without HTTP: its run loads no transport (undici is imported on the first request).
const temp = mkdtempSync(path.join(tmpdir(), "callflow-cold-start-"));
const greeting = path.join(temp, "greeting.flow");
writeFileSync(
  greeting,
  'flow greeting {\n  global caller: string\n  start -> hello\n  send hello { message "Hello {{caller}}" next -> done }\n  end done\n}\n',
);

const commands = (cli: string, label: string): Case[] => [
  { name: `${label}check examples/order-status.flow`, argv: [cli, "check", "examples/order-status.flow"], ok: [0] },
  {
    name: `${label}run examples/order-status.flow (local server)`,
    argv: [
      cli,
      "run",
      "examples/order-status.flow",
      "--config",
      `api_base=${apiBase}`,
      "--global",
      "caller_id=+15550100",
      "--global",
      "order_id=1001",
    ],
    ok: [0],
  },
  {
    name: `${label}run greeting.flow (no HTTP step)`,
    argv: [cli, "run", greeting, "--global", "caller=Ada"],
    ok: [0],
  },
  {
    name: `${label}test examples/order-status.flowtest`,
    argv: [cli, "test", "examples/order-status.flowtest"],
    ok: [0],
  },
];

const baseline: Case = { name: "node -e 0", argv: ["-e", "0"], ok: [0] };
const cases = [
  baseline,
  ...clis.flatMap((cli) => commands(cli, clis.length === 1 ? "" : `${path.relative(root, cli)}: `)),
];

const env = { ...process.env, CALLFLOW_SECRET_CRM_TOKEN: "t-123", NO_COLOR: "1" };
// CPU time of each run, by case, in the order of the wall times.
const cpuTimes = new Map<Case, number[]>(cases.map((test) => [test, []]));
const time = async (test: Case): Promise<number> => {
  const { wall, cpu } = await wallAndCpu(test.argv, { cwd: root, env, ok: test.ok });
  cpuTimes.get(test)?.push(cpu);
  return wall;
};
// One unmeasured round: the first processes read every file from disk.
for (const test of cases) await time(test);
for (const test of cases) cpuTimes.set(test, []);
const times = await pairedRounds(cases, rounds, time);
server.close();
rmSync(temp, { recursive: true, force: true });

const node = times.get(baseline) ?? [];
console.log(
  `Cold start, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), ${rounds} rounds`,
);
console.log("\n| command | median wall | fastest | slowest | median vs `node -e 0` |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const test of cases) console.log(row(test.name, times.get(test) ?? [], test === baseline ? undefined : node));
console.log("\nCPU time (user + system) of the same processes:\n");
console.log("| command | median CPU | least | most | median vs `node -e 0` |");
console.log("| --- | ---: | ---: | ---: | ---: |");
const nodeCpu = cpuTimes.get(baseline) ?? [];
for (const test of cases)
  console.log(row(test.name, cpuTimes.get(test) ?? [], test === baseline ? undefined : nodeCpu));
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
