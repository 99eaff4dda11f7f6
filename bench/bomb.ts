// Decompression-bomb benchmark: 200 concurrent runs of a one-widget GET flow against a server
// answering every request with 64 MiB of zeros compressed as gzip, deflate or br (br with the
// largest window, 16 MiB; a few KB on the wire at most), with the default limits
// (maxResponseBytes 1 MiB, timeout 10 s). Every attempt must fail as `too-large`, and the
// client's peak memory stay under 400 MB. A second client runs 20 bombs one after another, for
// the time one takes to fail on its own.
//
//   npm run build && node bench/bomb.ts
//
// Each (transport, encoding) case runs in a fresh client process that reports its own
// `process.resourceUsage().maxRSS`, so one case's garbage cannot count against the next; the
// server runs in this process. The client also reports the CPU it used in the half second after
// the last run resolved (work left running after the runs, such as decoders still inflating).
// CALLFLOW_BENCH_RUNTIME=path/to/runtime/index.js measures another build (an older commit's);
// CALLFLOW_BENCH_GLOBAL_FETCH=1 adds Node's global fetch (see TRANSPORTS: it can take gigabytes).
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import type { FlowDefinition, Vars } from "../runtime/flow.js";

const CONCURRENCY = 200;
const SEQUENTIAL = 20;
const DECODED = 64 * 1024 * 1024;
const ENCODINGS = ["gzip", "deflate", "br"] as const;
type Transport = "cross-fetch" | "global-fetch" | "undici";
/**
 * Node's global fetch decodes by itself, beyond what the runtime reads: one run of its deflate case
 * grew past 12 GB on a loaded machine (bench/README.md), so it runs only when asked for.
 */
const TRANSPORTS: readonly Transport[] = process.env.CALLFLOW_BENCH_GLOBAL_FETCH
  ? ["cross-fetch", "undici", "global-fetch"]
  : ["cross-fetch", "undici"];
type Encoding = (typeof ENCODINGS)[number];

interface Report {
  readonly maxRssMb: number;
  readonly codes: Readonly<Record<string, number>>;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly wallMs: number;
  readonly cpuAfterMs: number;
}

type Runtime = typeof import("../runtime/index.js");

function flow(url: string): FlowDefinition<Vars, string, "call" | "ok" | "bad"> {
  return {
    id: "bomb",
    source: "bomb.flow",
    start: "call",
    variables: { body: { scope: "local", type: "json", masked: false } },
    secrets: [],
    steps: {
      call: {
        kind: "http",
        id: "call",
        source: "bomb.flow:1",
        method: "GET",
        secrets: [],
        url: () => url,
        secretHeaders: [],
        retry: 0,
        results: [{ source: { kind: "json", path: "$" }, target: "body", type: "json" }],
        success: "ok",
        fail: "bad",
      },
      ok: { kind: "end", id: "ok", source: "bomb.flow:2" },
      bad: { kind: "end", id: "bad", source: "bomb.flow:3" },
    },
  };
}

async function client(transport: Transport, url: string, concurrency: number, rounds: number): Promise<void> {
  const path = process.env.CALLFLOW_BENCH_RUNTIME ?? new URL("../dist/runtime/index.js", import.meta.url).href;
  const runtime = (await import(path.startsWith("/") ? `file://${path}` : path)) as Runtime;
  const fetch =
    transport === "cross-fetch"
      ? runtime.crossFetchTransport
      : transport === "undici"
        ? runtime.undiciTransport()
        : globalThis.fetch;
  const definition = flow(url);
  const started = performance.now();
  const durations: number[] = [];
  const codes: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        const t0 = performance.now();
        const result = await runtime.run(definition, {}, { transport: fetch });
        durations.push(performance.now() - t0);
        const end = result.trace.find((e) => e.type === "http.attempt.end");
        const code = end?.type === "http.attempt.end" ? (end.error?.code ?? String(end.status)) : "none";
        codes[code] = (codes[code] ?? 0) + 1;
      }),
    );
  }
  const wallMs = performance.now() - started;
  const cpuBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const cpu = process.cpuUsage(cpuBefore);
  durations.sort((a, b) => a - b);
  const report: Report = {
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    codes,
    medianMs: durations[durations.length >> 1]!,
    maxMs: durations.at(-1)!,
    wallMs,
    cpuAfterMs: (cpu.user + cpu.system) / 1000,
  };
  process.send!(report);
  process.disconnect();
}

function compress(encoding: Encoding, data: Buffer): Buffer {
  switch (encoding) {
    case "gzip":
      return gzipSync(data, { level: 9 });
    case "deflate":
      return deflateSync(data, { level: 9 });
    case "br":
      return brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 },
      });
  }
}

/** One client process: `rounds` times `concurrency` runs at once. */
async function measure(transport: Transport, url: string, concurrency: number, rounds: number): Promise<Report> {
  const child = fork(
    fileURLToPath(import.meta.url),
    ["--client", transport, url, String(concurrency), String(rounds)],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const report = await new Promise<Report>((resolve, reject) => {
    child.once("message", (message) => resolve(message as Report));
    child.once("exit", (code) => reject(new Error(`client exited with ${code}`)));
  });
  await new Promise((resolve) => child.once("exit", resolve));
  return report;
}

async function main(): Promise<void> {
  const zeros = Buffer.alloc(DECODED);
  const bodies = new Map(ENCODINGS.map((encoding) => [encoding, compress(encoding, zeros)]));
  const server = createServer((req, res) => {
    const encoding = (req.url ?? "").slice(1) as Encoding;
    const body = bodies.get(encoding)!;
    res.writeHead(200, { "Content-Type": "application/json", "Content-Encoding": encoding });
    res.end(body);
  });
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  console.log(
    `${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), Node ${process.version}, ${new Date().toISOString()}`,
  );
  console.log(`${CONCURRENCY} concurrent runs per case, ${DECODED / 1024 / 1024} MiB decoded per response`);
  console.log(`compressed: ${ENCODINGS.map((e) => `${e} ${bodies.get(e)!.byteLength} B`).join(", ")}\n`);
  console.log(
    `| transport | encoding | max RSS (${CONCURRENCY} at once) | attempts | median run | slowest run | all runs | CPU after | one bomb alone (median of ${SEQUENTIAL}) |`,
  );
  console.log("|---|---|---:|---|---:|---:|---:|---:|---:|");
  for (const transport of TRANSPORTS) {
    for (const encoding of ENCODINGS) {
      const url = `http://127.0.0.1:${port}/${encoding}`;
      const report = await measure(transport, url, CONCURRENCY, 1);
      const alone = await measure(transport, url, 1, SEQUENTIAL);
      const codes = Object.entries(report.codes)
        .map(([code, n]) => `${n} ${code}`)
        .join(", ");
      console.log(
        `| ${transport} | ${encoding} | ${report.maxRssMb.toFixed(0)} MB | ${codes} | ${report.medianMs.toFixed(0)} ms | ` +
          `${report.maxMs.toFixed(0)} ms | ${report.wallMs.toFixed(0)} ms | ${report.cpuAfterMs.toFixed(0)} ms | ` +
          `${alone.medianMs.toFixed(1)} ms |`,
      );
    }
  }
  server.closeAllConnections();
  server.close();
}

if (process.argv[2] === "--client")
  await client(process.argv[3] as Transport, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]));
else await main();
