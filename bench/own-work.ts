// The runtime's own work per run, without I/O: a one-widget GET flow (one compiled result path)
// against a stub fetch that answers at once, plain and with a secret in Authorization, for two
// builds of the runtime side by side in one process: this checkout's and another (an older
// commit's, built with `tsc -p tsconfig.build.json --outDir`). Batches alternate between the two
// builds and the figure is the median over rounds of the per-round ratio, which cancels a shared
// machine's drift far better than two separate runs would.
//
//   npm run build && node bench/own-work.ts /path/to/other/dist/runtime/index.js
//
// Each run's trace is left unread, as by a caller that looks only at the outcome, except in the
// "trace read" case.
import type { FetchLike, FlowDefinition, Vars } from "../runtime/index.js";

type Runtime = typeof import("../runtime/index.js");

const WARMUP = 20_000;
const ROUNDS = 41;
const BATCH = 2_000;
const BODY = JSON.stringify({ order: { id: "A1", shipDate: "2025-06-01", items: [{ sku: "S", qty: 2 }] } });

const stub: FetchLike = () =>
  Promise.resolve({
    status: 200,
    headers: { get: (name) => (name.toLowerCase() === "content-length" ? String(BODY.length) : null) },
    body: null,
    text: () => Promise.resolve(BODY),
  });

function flow(secret: boolean): FlowDefinition<Vars, string, "call" | "ok"> {
  const secrets = secret ? ["TOKEN"] : [];
  return {
    id: "own_work",
    source: "own-work.flow",
    start: "call",
    variables: { ship: { scope: "local", type: "string", masked: false } },
    secrets,
    steps: {
      call: {
        kind: "http",
        id: "call",
        source: "own-work.flow:1",
        method: "GET",
        secrets,
        url: () => "http://127.0.0.1:9/orders/A1",
        ...(secret ? { authorization: (_v: Vars, s: Record<string, string | undefined>) => `Bearer ${s.TOKEN}` } : {}),
        secretHeaders: [],
        retry: 0,
        results: [
          {
            source: {
              kind: "json",
              path: "$.order.shipDate",
              read: (body) => (body as { order?: { shipDate?: unknown } } | null)?.order?.shipDate,
            },
            target: "ship",
            type: "string",
          },
        ],
        success: "ok",
        fail: "ok",
      },
      ok: { kind: "end", id: "ok", source: "own-work.flow:2" },
    },
  };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function perRun(
  runtime: Runtime,
  definition: ReturnType<typeof flow>,
  runs: number,
  readTrace: boolean,
): Promise<number> {
  // A build from before RunOptions.transport names the option `fetch`.
  const options = {
    ["defaultTransport" in runtime ? "transport" : "fetch"]: stub,
    secrets: () => "bench-token-0123456789",
  };
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const result = await runtime.run(definition, {}, options);
    if (readTrace && result.trace.length === 0) throw new Error("no trace");
  }
  return ((performance.now() - started) / runs) * 1000;
}

const other = process.argv[2];
if (other === undefined) {
  console.error("usage: node bench/own-work.ts /path/to/other/dist/runtime/index.js");
  process.exit(2);
}
const builds = (await Promise.all([
  import(new URL("../dist/runtime/index.js", import.meta.url).href),
  import(other.startsWith("/") ? `file://${other}` : other),
])) as [Runtime, Runtime];

console.log("| case | other build µs/run | this build µs/run | this / other (median of per-round ratios) |");
console.log("| --- | ---: | ---: | ---: |");
for (const [secret, readTrace] of [
  [false, false],
  [true, false],
  [true, true],
] as const) {
  const definitions = [flow(secret), flow(secret)] as const; // one object per build: each keeps its own plan
  for (let i = 0; i < WARMUP; i++) {
    await perRun(builds[1], definitions[1], 1, readTrace);
    await perRun(builds[0], definitions[0], 1, readTrace);
  }
  const mine: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const a = await perRun(builds[1], definitions[1], BATCH, readTrace);
    const b = await perRun(builds[0], definitions[0], BATCH, readTrace);
    theirs.push(a);
    mine.push(b);
    ratios.push(b / a);
  }
  console.log(
    `| ${secret ? "secret in Authorization" : "plain"}${readTrace ? ", trace read" : ""} | ${median(theirs).toFixed(2)} | ${median(mine).toFixed(2)} | ${median(ratios).toFixed(3)} |`,
  );
}
