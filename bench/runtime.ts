// Runtime benchmark: requests per second of `run` executing a one-widget GET flow (two result
// mappings) against a local server, next to the bare client making the same request (and parsing
// the same JSON) at concurrency 1, 64 and 256: the runtime on undici (its default on Node) against
// undici's `request`, the same with the telemetry module removed (what OpenTelemetry's API costs
// with no SDK), the runtime on cross-fetch against cross-fetch, and a secret in Authorization.
// Then a compiled result path (`prop` chain) against the same path through jsonpath-plus.
//
//   npm run build && node bench/runtime.ts [rounds] [group,...]     (default: 101 rounds, every group)
//
// CALLFLOW_BENCH_BASELINE=DIR adds, to each group, the runtime built from another commit (DIR is a
// copy of that build's dist/runtime, placed inside this checkout so it resolves the same packages):
// before and after measured in the same rounds.
//
// Every case runs in its own client process, as an application runs one configuration: in a
// shared process one case's type feedback slows another's code (node-fetch sees every case's
// request options; bench/README.md has the figures). One server process answers them all.
// Where `taskset` exists and there are two CPUs or more, the server is pinned to one CPU and
// the clients (all their threads) to another, so server and client never compete for a core.
// The main process runs the rounds: each round asks every case of a group for one batch, one
// client at a time in a shuffled order; "vs bare" is the median over rounds of the ratio to the
// group's bare case in the same round, which cancels a shared machine's drift.
import { execFileSync, fork } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { availableParallelism, cpus } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import crossFetch from "cross-fetch";
import { JSONPath } from "jsonpath-plus";
import { Agent, request } from "undici";
import type { Transport } from "../runtime/transport.js";
import type { FlowDefinition, HttpStep } from "../runtime/flow.js";

const BODY = JSON.stringify({
  order: {
    id: "A1-2207",
    shipDate: "2025-06-01",
    status: "shipped",
    items: [
      { sku: "SKU-1", qty: 2 },
      { sku: "SKU-2", qty: 1 },
    ],
  },
  customer: { id: 99812, vip: true, name: "Ada Lovelace" },
});
const GROUPS = ["undici", "cross-fetch", "secret"] as const;
type Group = (typeof GROUPS)[number];
/**
 * Many short rounds: on a shared machine the throughput of one batch drifts by several percent
 * from the next, so each round is short (tens of milliseconds per case) and the paired ratios
 * of many rounds give the median.
 */
const ROUNDS = process.argv[2] === undefined || process.argv[2].startsWith("--") ? 101 : Number(process.argv[2]);
/**
 * Requests each client makes before any measurement. V8 moves node-fetch's request path and the
 * runtime's larger functions to its optimising tier only after 10,000 to 20,000 calls (seen with
 * --trace-opt); a long-running service runs that code, so that is what is compared.
 */
const WARMUP = 25_000;
const LOADS = [
  [1, 100],
  [64, 400],
  [256, 1024],
] as const;

/** One table row. */
interface Row {
  readonly concurrency: number;
  readonly name: string;
  readonly rate: number;
  readonly cost: number;
  /** Paired medians against the group's bare case; absent for the bare case itself. */
  readonly vs?: { readonly rate: number; readonly cost: number };
}

/** What the main process asks a case's client for: one batch at this concurrency. */
interface Batch {
  readonly concurrency: number;
  readonly requests: number;
}

/** A client's answer: requests per second, and its own CPU microseconds per request. */
type Measured = readonly [rate: number, cost: number];

/** The public entry and the one generated code imports (`prop`, the compiled result paths' reader). */
type Runtime = typeof import("../runtime/node.js") & typeof import("../runtime/internal-node.js");

async function importRuntime(dir: string): Promise<Runtime> {
  const [entry, internal] = await Promise.all([
    import(pathToFileURL(path.join(dir, "node.js")).href) as Promise<typeof import("../runtime/node.js")>,
    import(pathToFileURL(path.join(dir, "internal-node.js")).href) as Promise<
      typeof import("../runtime/internal-node.js")
    >,
  ]);
  return { ...entry, ...internal };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Pins a process, all its threads, to one CPU; false when taskset is missing or fails. */
function pinTo(cpu: number, pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The built runtime (what applications import); its types come from the sources. */
async function loadRuntime(): Promise<Runtime> {
  return importRuntime(fileURLToPath(new URL("../dist/runtime", import.meta.url))).catch(() => {
    console.error("bench/runtime.ts needs the built runtime: run `npm run build` first.");
    process.exit(2);
  });
}

/** The runtime without telemetry: a copy of the build whose telemetry module does nothing, to show what the no-SDK path costs. */
async function loadRuntimeWithoutTelemetry(): Promise<Runtime> {
  // Inside dist/, so that the copy resolves the project's packages.
  const dir = mkdtempSync(fileURLToPath(new URL("../dist/bench-runtime-", import.meta.url)));
  cpSync(fileURLToPath(new URL("../dist/runtime", import.meta.url)), dir, { recursive: true });
  writeFileSync(
    path.join(dir, "telemetry.js"),
    "export class RunTelemetry { startStep() {} endStep() {} startAttempt() { return { headers: [], end() {} }; } end() {} }\n",
  );
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return importRuntime(dir);
}

const BASELINE = process.env.CALLFLOW_BENCH_BASELINE;

/** The runtime of another commit's build (CALLFLOW_BENCH_BASELINE), typed as this one: only `run` and the transports are used. */
async function loadBaseline(): Promise<Runtime> {
  return import(pathToFileURL(path.resolve(BASELINE!, "node.js")).href) as Promise<Runtime>;
}

/** The bare clients: what a hand-written caller of each library does for the same request. */
type Bare = (headers: Array<[string, string]>) => Promise<unknown>;

/** A case: its name, which build of the runtime it loads (if any), and one request. */
interface Case {
  readonly name: string;
  readonly runtime?: "built" | "without telemetry" | "baseline";
  readonly make: (runtime: Runtime, url: string) => () => Promise<void>;
}

const SECRET = "bench-token-0123456789";

function flowsOf(runtime: Runtime, url: string) {
  const { prop } = runtime;
  type W = "lookup" | "done";
  type V = { ship_date?: string; vip?: boolean };
  const lookup: HttpStep<V, "TOKEN", W> = {
    kind: "http",
    id: "lookup",
    source: "bench.flow:3",
    method: "GET",
    secrets: [],
    url: () => url,
    secretHeaders: [],
    results: [
      {
        source: { kind: "json", path: "$.order.shipDate", read: (b) => prop(prop(b, "order"), "shipDate") },
        target: "ship_date",
        type: "string",
      },
      {
        source: { kind: "json", path: "$.customer.vip", read: (b) => prop(prop(b, "customer"), "vip") },
        target: "vip",
        type: "boolean",
      },
    ],
    success: "done",
    fail: "done",
  };
  const flowWith = (step: HttpStep<V, "TOKEN", W>): FlowDefinition<V, "TOKEN", W> => ({
    id: "bench",
    source: "bench.flow",
    start: "lookup",
    variables: {
      ship_date: { scope: "local", type: "string", masked: false },
      vip: { scope: "local", type: "boolean", masked: false },
    },
    secrets: ["TOKEN"],
    steps: { lookup: step, done: { kind: "end", id: "done", source: "bench.flow:9" } },
  });
  return {
    plain: flowWith(lookup),
    // The same request sending a secret in Authorization, so the redactor has work on every event.
    secret: flowWith({ ...lookup, secrets: ["TOKEN"], authorization: (_v, s) => `Bearer ${s.TOKEN}` }),
  };
}

/** One run of the flow through `runtime.run`; `transport` absent: the runtime's default (undici on Node). */
function viaRuntime(kind: "plain" | "secret", transport?: (runtime: Runtime) => Transport, option = "transport") {
  return (runtime: Runtime, url: string) => {
    const flow = flowsOf(runtime, url)[kind];
    const options = { secrets: () => SECRET, ...(transport === undefined ? {} : { [option]: transport(runtime) }) };
    return async (): Promise<void> => {
      const result = await runtime.run(flow, {}, options);
      if (result.outcome.widget !== "done" || result.variables.ship_date !== "2025-06-01" || !result.variables.vip)
        throw new Error(`unexpected run: ${JSON.stringify(result.trace.find((e) => e.type === "step.end"))}`);
    };
  };
}

/** One bare request, its JSON parsed and the same two values read. */
function viaBare(client: (url: string) => Bare, headers: Array<[string, string]> = []) {
  return (runtime: Runtime, url: string) => {
    const { prop } = runtime;
    const send = client(url);
    return async (): Promise<void> => {
      const body = await send(headers);
      if (prop(prop(body, "order"), "shipDate") !== "2025-06-01" || prop(prop(body, "customer"), "vip") !== true)
        throw new Error("unexpected body");
    };
  };
}

/** undici's `request` on a keep-alive Agent with its default settings, as the transport makes one. */
const bareUndici = (url: string): Bare => {
  const dispatcher = new Agent();
  return async (headers) => {
    const { statusCode, body } = await request(url, { dispatcher, headers: headers.flat() });
    if (statusCode !== 200) throw new Error(`status ${statusCode}`);
    return body.json();
  };
};

const bareCrossFetch = (url: string): Bare => {
  return async (headers) => (await crossFetch(url, { headers })).json();
};

const CASES: Record<Group, Case[]> = {
  undici: [
    { name: "bare undici request", make: viaBare(bareUndici) },
    { name: "runtime, undici (the default on Node)", runtime: "built", make: viaRuntime("plain") },
    { name: "runtime, undici, telemetry module removed", runtime: "without telemetry", make: viaRuntime("plain") },
  ],
  "cross-fetch": [
    { name: "bare cross-fetch", make: viaBare(bareCrossFetch) },
    {
      name: "runtime, cross-fetch",
      runtime: "built",
      make: viaRuntime("plain", (runtime) => runtime.crossFetchTransport),
    },
  ],
  secret: [
    { name: "bare undici request, Authorization", make: viaBare(bareUndici, [["Authorization", `Bearer ${SECRET}`]]) },
    { name: "runtime, undici, secret Authorization + redaction", runtime: "built", make: viaRuntime("secret") },
  ],
};

// A baseline built before RunOptions.transport names its transport option `fetch`.
if (BASELINE !== undefined) {
  CASES.undici.splice(1, 0, { name: "baseline runtime, undici", runtime: "baseline", make: viaRuntime("plain") });
  CASES["cross-fetch"].push({
    name: "baseline runtime, cross-fetch",
    runtime: "baseline",
    make: viaRuntime("plain", (runtime) => runtime.crossFetchTransport, "fetch"),
  });
  CASES.secret.push({ name: "baseline runtime, undici, secret", runtime: "baseline", make: viaRuntime("secret") });
}

/** A case's client: runs one case, a batch at a time, whenever the main process asks. */
async function serveCase(group: Group, index: number, url: string): Promise<void> {
  const spec = CASES[group][index]!;
  const fn = spec.make(
    await (spec.runtime === "without telemetry"
      ? loadRuntimeWithoutTelemetry()
      : spec.runtime === "baseline"
        ? loadBaseline()
        : loadRuntime()),
    url,
  );
  process.on("message", (batch: Batch) => {
    void throughput(fn, batch.concurrency, batch.requests).then((measured) => process.send?.(measured));
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.("ready");
}

/** Requests per second, and CPU microseconds per request spent in this (the client) process. */
async function throughput(fn: () => Promise<void>, concurrency: number, requests: number): Promise<Measured> {
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < requests) await fn();
    }),
  );
  const used = process.cpuUsage(cpu);
  return [requests / ((performance.now() - started) / 1000), (used.user + used.system) / requests];
}

/** A case's client process, ready for batches. */
interface Client {
  readonly name: string;
  readonly pid: number | undefined;
  measure(batch: Batch): Promise<Measured>;
  stop(): void;
}

async function startClient(group: Group, index: number, name: string, url: string): Promise<Client> {
  const child = fork(fileURLToPath(import.meta.url), ["--case", group, String(index), url], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`the client of "${name}" exited with ${code}`))),
  );
  await Promise.race([new Promise((resolve) => child.once("message", resolve)), exited]);
  return {
    name,
    pid: child.pid,
    measure: (batch) => {
      child.send(batch);
      return Promise.race([
        new Promise<Measured>((resolve) => child.once("message", (m) => resolve(m as Measured))),
        exited,
      ]);
    },
    stop: () => {
      exited.catch(() => undefined);
      child.disconnect();
    },
  };
}

/** Each group's rows: every round asks each case once, in a shuffled order. */
async function measureGroups(url: string, pinClients: (pid: number | undefined) => void): Promise<Row[]> {
  let seed = 1;
  const random = (): number => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646; // seeded: same order every run
  const shuffled = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  const rows: Row[] = [];
  const chosen = process.argv[3]?.split(",") ?? GROUPS;
  for (const group of GROUPS.filter((name) => chosen.includes(name))) {
    const clients = await Promise.all(CASES[group].map(({ name }, index) => startClient(group, index, name, url)));
    for (const client of clients) pinClients(client.pid);
    try {
      for (const client of clients) await client.measure({ concurrency: 64, requests: WARMUP });
      for (const [concurrency, requests] of LOADS) {
        for (const client of clients) await client.measure({ concurrency, requests: 500 }); // settle the pool at this concurrency
        const rates = new Map<string, number[]>(clients.map(({ name }) => [name, []]));
        const costs = new Map<string, number[]>(clients.map(({ name }) => [name, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (const client of shuffled(clients)) {
            const [rate, cost] = await client.measure({ concurrency, requests });
            rates.get(client.name)!.push(rate);
            costs.get(client.name)!.push(cost);
          }
        }
        const bareName = clients[0]!.name;
        const paired = (series: Map<string, number[]>, name: string): number =>
          median(series.get(name)!.map((value, round) => value / series.get(bareName)![round]! - 1));
        for (const { name } of clients) {
          const row = { concurrency, name, rate: median(rates.get(name)!), cost: median(costs.get(name)!) };
          rows.push(name === bareName ? row : { ...row, vs: { rate: paired(rates, name), cost: paired(costs, name) } });
        }
      }
    } finally {
      for (const client of clients) client.stop();
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const runtime = await loadRuntime();
  const { prop } = runtime;

  const server = fork(fileURLToPath(import.meta.url), ["--server"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve) => server.once("message", (m) => resolve(Number(m))));
  const url = `http://127.0.0.1:${port}/orders/A1-2207`;
  let pinned = availableParallelism() >= 2 && pinTo(1, server.pid);
  const rows = await measureGroups(url, (pid) => {
    if (pinned) pinned = pinTo(0, pid);
  }).finally(() => server.disconnect());

  // Result paths: the compiled reader against jsonpath-plus, on the parsed body.
  const parsed: unknown = JSON.parse(BODY);
  const path = "$.order.items[0].sku";
  const compiled = (b: unknown): unknown => prop(prop(prop(prop(b, "order"), "items"), 0), "sku");
  const perSecond = (fn: () => unknown, iterations: number): number => {
    for (let i = 0; i < iterations / 10; i++) fn();
    const started = performance.now();
    for (let i = 0; i < iterations; i++) if (fn() !== "SKU-1") throw new Error("wrong value");
    return iterations / ((performance.now() - started) / 1000);
  };
  const viaJsonPath = (): unknown =>
    (JSONPath({ path, json: parsed as object, wrap: true, eval: "safe" }) as unknown[])[0];
  const propRate = median([1, 2, 3].map(() => perSecond(() => compiled(parsed), 2_000_000)));
  const jsonPathRate = median([1, 2, 3].map(() => perSecond(viaJsonPath, 100_000)));

  const percent = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
  console.log(
    `machine: ${availableParallelism()} CPUs, ${cpus()[0]?.model ?? "unknown CPU"}; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(
    `one-widget GET flow, ${BODY.length}-byte JSON body, two results mapped; median of ${ROUNDS} shuffled rounds; ` +
      (pinned ? "server and client pinned to separate CPUs" : "not pinned (no taskset or one CPU)"),
  );
  console.log("| concurrency | case | requests/s | client CPU µs/request | requests/s vs bare | CPU vs bare |");
  console.log("| --- | --- | ---: | ---: | ---: | ---: |");
  for (const [concurrency] of LOADS) {
    for (const row of rows.filter((r) => r.concurrency === concurrency)) {
      const vs = row.vs === undefined ? " | |" : ` | ${percent(row.vs.rate)} | ${percent(row.vs.cost)}`;
      console.log(`| ${concurrency} | ${row.name} | ${Math.round(row.rate)} | ${Math.round(row.cost)}${vs} |`);
    }
  }
  console.log(
    `\nresult path ${path}: prop chain ${(propRate / 1e6).toFixed(1)} M/s, jsonpath-plus ${(jsonPathRate / 1e3).toFixed(0)} k/s: ${(propRate / jsonPathRate).toFixed(0)}x`,
  );
}

if (process.argv[2] === "--server") {
  const body = Buffer.from(BODY);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.(typeof address === "object" && address !== null ? address.port : 0);
  });
  process.on("disconnect", () => process.exit(0));
} else if (process.argv[2] === "--case") {
  await serveCase(process.argv[3] as Group, Number(process.argv[4]), process.argv[5]!);
} else {
  await main();
}
