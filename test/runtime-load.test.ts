// 10,000 flow executions at concurrency 200 against the local server, about 5% of them with
// an injected fault chosen by a seeded generator: every run must end on the exit its fault
// implies, with the attempts it implies, and nothing lost or unhandled.
import { afterAll, beforeAll, expect, it } from "vitest";
import { run } from "../runtime/index.js";
import { httpFlow, v, type Widget } from "./helpers/flows.js";
import { startServer, type Behaviour, type TestServer } from "./helpers/http-server.js";

const RUNS = 10_000;
const CONCURRENCY = 200;

/** mulberry32: a small seeded PRNG, so the fault plan is the same on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fault = "none" | "503-once" | "reset-once" | "hang-once" | "500-always" | "404" | "bad-json" | "drop-mid-body";
/** What each fault must lead to with `retry 2`: the exit and the number of attempts. */
const EXPECTED: Record<Fault, { widget: Widget; attempts: number }> = {
  none: { widget: "ok", attempts: 1 },
  "503-once": { widget: "ok", attempts: 2 },
  "reset-once": { widget: "ok", attempts: 2 },
  "hang-once": { widget: "ok", attempts: 2 },
  "500-always": { widget: "bad", attempts: 3 },
  "404": { widget: "bad", attempts: 1 },
  "bad-json": { widget: "bad", attempts: 1 },
  "drop-mid-body": { widget: "bad", attempts: 3 },
};
const FAULTS = Object.keys(EXPECTED).filter((f) => f !== "none") as Fault[];

function behaviour(fault: Fault, hit: number, id: number): Behaviour {
  const ok: Behaviour = { json: { id, status: "shipped" } };
  switch (fault) {
    case "none":
      return ok;
    case "503-once":
      return hit === 1 ? { status: 503, headers: { "Retry-After": "0" } } : ok;
    case "reset-once":
      return hit === 1 ? { reset: true } : ok;
    case "hang-once":
      return hit === 1 ? { hang: true } : ok;
    case "500-always":
      return { status: 500 };
    case "404":
      return { status: 404, json: { error: "unknown order" } };
    case "bad-json":
      return { body: '{"id": ', headers: { "Content-Type": "application/json" } };
    case "drop-mid-body":
      return { reset: true, partial: '{"id": 1' };
  }
}

let server: TestServer;
const hits = new Map<number, number>();
beforeAll(async () => {
  server = await startServer();
  server.route("/load", (request) => {
    const id = Number(request.query.get("id"));
    const hit = (hits.get(id) ?? 0) + 1;
    hits.set(id, hit);
    return behaviour(request.query.get("fault") as Fault, hit, id);
  });
});
afterAll(() => server.close());

it(`runs ${RUNS} flows at concurrency ${CONCURRENCY} with ~5% faults, none lost`, async () => {
  const random = seeded(20250601);
  const plan: Fault[] = Array.from({ length: RUNS }, () =>
    random() < 0.05 ? FAULTS[Math.floor(random() * FAULTS.length)]! : "none",
  );
  const faulty = plan.filter((f) => f !== "none").length;
  expect(faulty / RUNS).toBeGreaterThan(0.04);
  expect(faulty / RUNS).toBeLessThan(0.06);

  // Client and server share one event loop (and, in CI, the machine with other tests), so a
  // healthy request can queue for a second or more: only the injected hangs may time out.
  const flowWith = (timeoutMs: number) =>
    httpFlow(
      server.url,
      {
        url: () => `${server.url}/load`,
        query: (vars) => [
          ["id", String(vars.id)],
          ["fault", String(vars.fault)],
        ],
        retry: 2,
        timeoutMs,
        results: [
          {
            source: { kind: "json", path: "$.id", read: (b) => (b as { id?: unknown }).id },
            target: "got",
            type: "number",
          },
        ],
      },
      { id: v.global("number"), fault: v.global("string"), got: v.local("number") },
    );
  const normal = flowWith(30_000);
  const hanging = flowWith(5_000);

  // Open the connection pool first: a shared event loop accepts new connections slowly under
  // load, and the timed runs should measure the runtime, not 200 simultaneous handshakes.
  server.route("/warm", { json: {} });
  const warm = httpFlow(server.url, { url: () => `${server.url}/warm`, timeoutMs: 30_000 });
  await Promise.all(Array.from({ length: CONCURRENCY }, () => run(warm, {})));

  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);

  const outcomes = Array.from<{ widget: string; attempts: number; got: unknown; errors: string[] } | undefined>({
    length: RUNS,
  });
  let next = 0;
  const started = performance.now();
  try {
    const worker = async (): Promise<void> => {
      while (next < RUNS) {
        const id = next++;
        const flow = plan[id] === "hang-once" ? hanging : normal;
        const result = await run(
          flow,
          { id, fault: plan[id]! },
          { retryBaseDelayMs: 5, retryMaxDelayMs: 20, random: seeded(id) },
        );
        const end = result.trace.find((e) => e.type === "step.end" && e.widget === "call");
        outcomes[id] = {
          widget: result.outcome.widget,
          attempts: end?.type === "step.end" ? (end.attempts ?? 0) : 0,
          got: result.variables.got,
          errors: result.trace.flatMap((e) =>
            e.type === "http.attempt.end" && e.error ? [`${e.error.code} after ${Math.round(e.durationMs)} ms`] : [],
          ),
        };
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `load: ${RUNS} runs in ${seconds.toFixed(2)} s (${Math.round(RUNS / seconds)} runs/s), ${faulty} with faults`,
  );

  const wrong: string[] = [];
  for (let id = 0; id < RUNS; id++) {
    const outcome = outcomes[id];
    const expected = EXPECTED[plan[id]!];
    if (outcome === undefined) wrong.push(`${id}: lost`);
    else if (outcome.widget !== expected.widget || outcome.attempts !== expected.attempts) {
      wrong.push(
        `${id} (${plan[id]}): ${outcome.widget}/${outcome.attempts} [${outcome.errors.join(", ")}], expected ${expected.widget}/${expected.attempts}`,
      );
    } else if (expected.widget === "ok" && outcome.got !== id) wrong.push(`${id}: mapped ${String(outcome.got)}`);
    if ((hits.get(id) ?? 0) !== expected.attempts)
      wrong.push(`${id} (${plan[id]}): server saw ${hits.get(id) ?? 0} requests`);
  }
  expect(wrong.slice(0, 20)).toEqual([]);
  expect(unhandled).toEqual([]);
});
