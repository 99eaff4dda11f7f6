// `callflow serve` against the same job written by hand: POST JSON in, one GET to a local upstream, two fields
// mapped, JSON out. The hand-written server is Fastify with undici's `request`, as one would write it; callflow
// serves a one-http-step flow with everything on (validation, deadline, metrics, a JSON log line per run,
// the status page's counters). autocannon drives both at 64 connections in alternating rounds, so a shared
// machine's drift hits both alike; the ratios are medians of the per-round ratios. Then 200,000 requests to
// callflow serve, reading its RSS every 20,000, for growth after warm-up.
//
//   npm run build && node bench/serve.ts [rounds] [seconds] [baseline]     (default: 6 rounds of 5 s)
//
// `baseline` is another built checkout (say, main's): its callflow serve joins the rounds, and this one's
// ratios to it are printed too, so a change is measured side by side in the same run.
//
// Every server runs in its own process; where `taskset` exists and there are two CPUs, the server under test
// runs on one CPU and the upstream and autocannon on the other.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Fastify from "fastify";
import { request } from "undici";

const ROOT = path.resolve(fileURLToPath(import.meta.url), "../..");
const CLI = path.join(ROOT, "dist/cli/cli.js");
const QUOTE = JSON.stringify({ sku: "SKU-1", price: 12.5, stock: 3, warehouse: "north", updated: "2026-12-01" });
const FLOW = `flow quote {
  global api_base: url
  global sku: string
  local price: currency = 0
  local stock: number = 0

  start -> fetch_quote

  http fetch_quote {
    method GET
    url "{{api_base}}/quotes/{{sku}}"
    results {
      "$.price" -> price
      "$.stock" -> stock
    }
    success -> done
    fail -> done
  }

  end done
}
`;
const CONNECTIONS = 64;

/** The upstream both servers call: a fixed JSON quote. */
async function upstream(): Promise<void> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(QUOTE);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`);
}

/** The job by hand: Fastify, undici's request, two fields mapped. */
async function hand(base: string): Promise<void> {
  const app = Fastify({ logger: false });
  app.post<{ Body: { sku?: unknown } }>("/quote", async (req, reply) => {
    const sku = req.body?.sku;
    if (typeof sku !== "string") return reply.code(400).send({ error: "sku must be a string" });
    try {
      const response = await request(`${base}/quotes/${encodeURIComponent(sku)}`, {
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const body = (await response.body.json()) as { price?: unknown; stock?: unknown };
      return { price: body.price, stock: body.stock };
    } catch {
      return reply.code(502).send({ error: "upstream failed" });
    }
  });
  await app.listen({ host: "127.0.0.1", port: 0, listenTextResolver: () => "" });
  const address = app.server.address();
  console.log(`listening on http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`);
}

/** Spawns a server (pinned to `cpu` when taskset is there) and resolves with its URL, read from stdout. */
async function start(args: readonly string[], cpu: number | undefined): Promise<{ url: string; child: ChildProcess }> {
  const command = cpu === undefined ? process.execPath : "taskset";
  const argv = cpu === undefined ? args : ["-a", "-c", String(cpu), process.execPath, ...args];
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, NO_COLOR: "1" } });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}`)));
  });
  const match = /listening on (http:\/\/\S+)/.exec(line);
  if (match === null) throw new Error(`unexpected first line: ${line}`);
  return { url: match[1]!, child };
}

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-V"], { stdio: "ignore" });
    return availableParallelism() >= 2;
  } catch {
    return false;
  }
}

interface Load {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  /** CPU time of the server process per request: steadier than throughput on a shared machine. */
  readonly cpuUs: number;
}

/** User plus system CPU time of a process so far, in microseconds (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(
  url: string,
  body: string,
  pid: number,
  options: { duration?: number; amount?: number },
): Promise<Load> {
  const before = cpuOf(pid);
  const result = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections: CONNECTIONS,
    ...options,
  });
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUs: (cpuOf(pid) - before) / result.requests.total,
  };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 6);
  const seconds = Number(process.argv[3] ?? 5);
  const pin = hasTaskset();
  const dir = mkdtempSync(path.join(tmpdir(), "callflow-bench-serve-"));
  writeFileSync(path.join(dir, "quote.flow"), FLOW);
  const self = fileURLToPath(import.meta.url);
  const up = await start([self, "--upstream"], pin ? 0 : undefined);
  const byHand = await start([self, "--hand", up.url], pin ? 1 : undefined);
  const served = await start(
    [CLI, "serve", path.join(dir, "quote.flow"), "--port", "0", "--max-concurrency", "10000"],
    pin ? 1 : undefined,
  );
  const baselineRoot = process.argv[4];
  const baseline =
    baselineRoot === undefined
      ? undefined
      : await start(
          [
            path.join(path.resolve(baselineRoot), "dist/cli/cli.js"),
            "serve",
            path.join(dir, "quote.flow"),
            "--port",
            "0",
            "--max-concurrency",
            "10000",
          ],
          pin ? 1 : undefined,
        );
  const BASELINE = "callflow serve, baseline";
  const targets = [
    {
      name: "by hand (Fastify + undici)",
      url: `${byHand.url}/quote`,
      body: JSON.stringify({ sku: "SKU-1" }),
      pid: byHand.child.pid!,
    },
    {
      name: "callflow serve",
      pid: served.child.pid!,
      url: `${served.url}/flows/quote/runs`,
      body: JSON.stringify({ api_base: up.url, sku: "SKU-1" }),
    },
    ...(baseline === undefined
      ? []
      : [
          {
            name: BASELINE,
            pid: baseline.child.pid!,
            url: `${baseline.url}/flows/quote/runs`,
            body: JSON.stringify({ api_base: up.url, sku: "SKU-1" }),
          },
        ]),
  ];
  try {
    console.log(
      `callflow serve vs by hand: ${rounds} alternating rounds of ${seconds} s, ${CONNECTIONS} connections, ${cpus()[0]?.model ?? "?"} x${availableParallelism()}, Node ${process.version}, ${pin ? "servers pinned to CPU 1, upstream and autocannon to CPU 0" : "not pinned"}`,
    );
    // autocannon runs here: on the upstream's CPU.
    if (pin) execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
    for (const target of targets) await load(target.url, target.body, target.pid, { duration: 5 }); // warm-up
    const ratios: { rps: number; p99: number; cpu: number }[] = [];
    const toBaseline: { rps: number; p99: number; cpu: number }[] = [];
    const results = new Map<string, Load[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      const got = new Map<string, Load>();
      for (const target of order)
        got.set(target.name, await load(target.url, target.body, target.pid, { duration: seconds }));
      const [hand, cf] = [got.get(targets[0]!.name)!, got.get(targets[1]!.name)!];
      results.get(targets[0]!.name)!.push(hand);
      results.get(targets[1]!.name)!.push(cf);
      ratios.push({ rps: cf.rps / hand.rps, p99: cf.p99 / hand.p99, cpu: cf.cpuUs / hand.cpuUs });
      console.log(
        `round ${round + 1}: by hand ${hand.rps.toFixed(0)} req/s p99 ${hand.p99} ms ${hand.cpuUs.toFixed(0)} µs CPU/req | callflow ${cf.rps.toFixed(0)} req/s p99 ${cf.p99} ms ${cf.cpuUs.toFixed(0)} µs CPU/req | ratio ${(cf.rps / hand.rps).toFixed(2)}x req/s, ${(cf.p99 / hand.p99).toFixed(2)}x p99, ${(cf.cpuUs / hand.cpuUs).toFixed(2)}x CPU | load average ${loadavg()[0]!.toFixed(1)}${hand.errors + cf.errors > 0 ? ` | errors ${hand.errors}/${cf.errors}` : ""}`,
      );
      const base = got.get(BASELINE);
      if (base !== undefined) {
        results.get(BASELINE)!.push(base);
        toBaseline.push({ rps: cf.rps / base.rps, p99: cf.p99 / base.p99, cpu: cf.cpuUs / base.cpuUs });
        console.log(
          `  baseline ${base.rps.toFixed(0)} req/s p99 ${base.p99} ms ${base.cpuUs.toFixed(0)} µs CPU/req | this / baseline ${(cf.rps / base.rps).toFixed(2)}x req/s, ${(cf.p99 / base.p99).toFixed(2)}x p99, ${(cf.cpuUs / base.cpuUs).toFixed(2)}x CPU`,
        );
      }
    }
    console.log(
      "\n| server | median req/s | median p99 | median server CPU per request |\n| --- | ---: | ---: | ---: |",
    );
    for (const [name, list] of results)
      console.log(
        `| ${name} | ${median(list.map((l) => l.rps)).toFixed(0)} | ${median(list.map((l) => l.p99))} ms | ${median(list.map((l) => l.cpuUs)).toFixed(0)} µs |`,
      );
    console.log(
      `\ncallflow serve / by hand: ${median(ratios.map((r) => r.rps)).toFixed(2)}x req/s (target >= 0.8), ${median(ratios.map((r) => r.p99)).toFixed(2)}x p99 (target <= 1.5), ${median(ratios.map((r) => r.cpu)).toFixed(2)}x server CPU per request`,
    );

    if (toBaseline.length > 0)
      console.log(
        `callflow serve / baseline: ${median(toBaseline.map((r) => r.rps)).toFixed(2)}x req/s, ${median(toBaseline.map((r) => r.p99)).toFixed(2)}x p99, ${median(toBaseline.map((r) => r.cpu)).toFixed(2)}x server CPU per request`,
      );

    // Memory: 200,000 requests in batches of 20,000, RSS after each. The first 40,000 are the warm-up (the JIT
    // and the heap settle under 64 connections); growth is measured from there to the end.
    const cf = targets[1]!;
    const rss: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const result = await load(cf.url, cf.body, cf.pid, { amount: 20_000 });
      rss.push(rssOf(served.child.pid!));
      if (result.errors > 0) console.log(`batch ${batch + 1}: ${result.errors} errors`);
    }
    const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(
      `\nRSS after each 20,000 requests: ${rss.map(mb).join(", ")} (load average ${loadavg()[0]!.toFixed(1)})`,
    );
    const growth = (from: number): string => (((rss.at(-1)! - rss[from]!) / rss[from]!) * 100).toFixed(1);
    console.log(
      `growth after warm-up (40,000 to 200,000 requests): ${growth(1)}% (target < 10%); from the first 20,000: ${growth(0)}%`,
    );
  } finally {
    for (const server of [served, byHand, up, ...(baseline === undefined ? [] : [baseline])])
      server.child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, arg] = [process.argv[2], process.argv[3]];
if (role === "--upstream") await upstream();
else if (role === "--hand") await hand(arg!);
else await main();
