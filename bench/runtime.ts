// Runtime benchmark: requests per second of `run` executing a one-widget http flow against a
// local server, next to the bare fetch implementation making the same request (and parsing the
// same JSON), at concurrency 1 and 64; then a compiled result path (`prop` chain) against the
// same path through jsonpath-plus.
//
//   npm run build && node bench/runtime.ts
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
import { createServer } from "node:http";
import { availableParallelism, cpus } from "node:os";
import { fileURLToPath } from "node:url";
import crossFetch from "cross-fetch";
import { JSONPath } from "jsonpath-plus";
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
const GROUPS = ["cross-fetch", "global-fetch", "secret"] as const;
type Group = (typeof GROUPS)[number];
/**
 * Many short rounds: on a shared machine the throughput of one batch drifts by several percent
 * from the next, so each round is short (tens of milliseconds per case) and the paired ratios
 * of many rounds give the median.
 */
const ROUNDS = 101;
/**
 * Requests each client makes before any measurement. V8 moves node-fetch's request path and the
 * runtime's larger functions to its optimising tier only after 10,000 to 20,000 calls (seen with
 * --trace-opt); a long-running service runs that code, so that is what is compared.
 */
const WARMUP = 25_000;
const LOADS = [
  [1, 100],
  [64, 400],
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

type Runtime = typeof import("../runtime/index.js");

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

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
  return import(new URL("../dist/runtime/index.js", import.meta.url).href).catch(() => {
    console.error("bench/runtime.ts needs the built runtime: run `npm run build` first.");
    process.exit(2);
  });
}

/** A group's cases against the server at `url`, each a name and one request; the first is the bare baseline. */
function casesOf(runtime: Runtime, group: Group, url: string): Array<[string, () => Promise<void>]> {
  const { run, prop } = runtime;
  type W = "lookup" | "done";
  type V = { ship_date?: string };
  const lookup: HttpStep<V, "TOKEN", W> = {
    kind: "http",
    id: "lookup",
    source: "bench.flow:3",
    method: "GET",
    secrets: [],
    url: () => url,
    secretHeaders: [],
    retry: 0,
    results: [
      {
        source: { kind: "json", path: "$.order.shipDate", read: (b) => prop(prop(b, "order"), "shipDate") },
        target: "ship_date",
        type: "string",
      },
    ],
    success: "done",
    fail: "done",
  };
  const flowWith = (step: HttpStep<V, "TOKEN", W>): FlowDefinition<V, "TOKEN", W> => ({
    id: "bench",
    source: "bench.flow",
    start: "lookup",
    variables: { ship_date: { scope: "local", type: "string", masked: false } },
    secrets: ["TOKEN"],
    steps: { lookup: step, done: { kind: "end", id: "done", source: "bench.flow:9" } },
  });
  const flow = flowWith(lookup);
  // The same request sending a secret in Authorization, so the redactor has work on every event.
  const withSecret = flowWith({ ...lookup, secrets: ["TOKEN"], authorization: (_v, s) => `Bearer ${s.TOKEN}` });
  const secrets = (): string => "bench-token-0123456789";

  type Fetch = (
    url: string,
    init?: { headers: Array<[string, string]>; signal?: AbortSignal },
  ) => Promise<{ json(): Promise<unknown> }>;
  const bare =
    (fetch: Fetch, headers: Array<[string, string]> = []) =>
    async (): Promise<void> => {
      const response = await fetch(url, { headers });
      const body = await response.json();
      if (prop(prop(body, "order"), "shipDate") !== "2025-06-01") throw new Error("unexpected body");
    };
  // What a careful hand-written client adds: a per-request timeout that aborts the request.
  const bareWithTimeout = (fetch: Fetch) => async (): Promise<void> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await fetch(url, { headers: [], signal: controller.signal });
      const body = await response.json();
      if (prop(prop(body, "order"), "shipDate") !== "2025-06-01") throw new Error("unexpected body");
    } finally {
      clearTimeout(timer);
    }
  };
  const viaRuntime =
    (fetch: typeof runtime.defaultFetch, f: typeof flow = flow) =>
    async (): Promise<void> => {
      const result = await run(f, {}, { fetch, secrets });
      if (result.outcome.widget !== "done" || result.variables.ship_date !== "2025-06-01")
        throw new Error("unexpected run");
    };
  // The runtime's own work without its I/O: the same run against a fetch that answers at once
  // with the same body. Added to a bare request, it shows what that work costs between sockets.
  const stubResponse = {
    status: 200,
    headers: new Headers({ "content-type": "application/json", "content-length": String(Buffer.byteLength(BODY)) }),
    body: null,
    text: async () => BODY,
  };
  const stubFetch: typeof runtime.defaultFetch = async () => stubResponse;
  const bareThenStubRun = (fetch: Fetch): (() => Promise<void>) => {
    const request = bare(fetch);
    const stubRun = viaRuntime(stubFetch);
    return async () => {
      await request();
      await stubRun();
    };
  };

  return {
    "cross-fetch": [
      ["bare cross-fetch", bare(crossFetch)],
      ["runtime, cross-fetch (default)", viaRuntime(runtime.defaultFetch)],
      ["bare cross-fetch with a timeout (AbortController + setTimeout)", bareWithTimeout(crossFetch)],
      ["bare cross-fetch, then the runtime against a stub fetch (no I/O)", bareThenStubRun(crossFetch)],
    ] as Array<[string, () => Promise<void>]>,
    "global-fetch": [
      ["bare global fetch", bare(globalThis.fetch)],
      ["runtime, global fetch", viaRuntime(globalThis.fetch)],
    ] as Array<[string, () => Promise<void>]>,
    secret: [
      ["bare cross-fetch, Authorization", bare(crossFetch, [["Authorization", `Bearer ${secrets()}`]])],
      ["runtime, cross-fetch, secret Authorization + redaction", viaRuntime(runtime.defaultFetch, withSecret)],
    ] as Array<[string, () => Promise<void>]>,
  }[group];
}

/** A case's client: runs one case, a batch at a time, whenever the main process asks. */
async function serveCase(group: Group, index: number, url: string): Promise<void> {
  const fn = casesOf(await loadRuntime(), group, url)[index]![1];
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
async function measureGroups(
  runtime: Runtime,
  url: string,
  pinClients: (pid: number | undefined) => void,
): Promise<Row[]> {
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
  for (const group of GROUPS) {
    const clients = await Promise.all(
      casesOf(runtime, group, url).map(([name], index) => startClient(group, index, name, url)),
    );
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
  const rows = await measureGroups(runtime, url, (pid) => {
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
    `one-widget GET flow, ${BODY.length}-byte JSON body, one result mapped; median of ${ROUNDS} shuffled rounds; ` +
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
