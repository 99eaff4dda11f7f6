// What real networks do: resets, servers that never answer or drip bytes, cancellation. After
// each, the client must have let go of the socket and left no timer behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crossFetchTransport, run, type FetchLike, type RunOptions } from "../runtime/index.js";
import type { Vars } from "../runtime/flow.js";
import type { TraceEvent } from "../runtime/trace.js";
import { flowOf, httpFlow, httpStep, type Widget } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { TRANSPORTS } from "./helpers/transports.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const fast: RunOptions<Vars, Widget> = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 };

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)),
  );
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const errorCodes = (trace: readonly TraceEvent<string>[]) =>
  trace.flatMap((e) => (e.type === "http.attempt.end" ? [e.error?.code ?? e.status] : []));

describe.each(TRANSPORTS)("with %s", (name, fetch) => {
  const options = { ...fast, transport: fetch };
  const flowFor = (path: string, retry = 0, timeoutMs?: number) =>
    httpFlow(server.url, { url: () => server.url + path, retry, ...(timeoutMs === undefined ? {} : { timeoutMs }) });

  it("retries a connection reset before the response, then succeeds", async () => {
    const path = `/reset-${name}`;
    server.route(path, { reset: true }, { reset: true }, { json: { ok: true } });
    const result = await run(flowFor(path, 2), {}, options);
    expect(result.outcome.widget).toBe("ok");
    expect(errorCodes(result.trace)).toEqual(["network", "network", 200]);
  });

  it("fails on a reset in the middle of the body once retries are spent", async () => {
    const path = `/reset-mid-${name}`;
    server.route(path, { reset: true, partial: '{"items": [1, 2' });
    const result = await run(
      httpFlow(
        server.url,
        {
          url: () => server.url + path,
          retry: 1,
          results: [{ source: { kind: "json", path: "$.items" }, target: "x", type: "json" }],
        },
        { x: { scope: "local", type: "json", masked: false } },
      ),
      {},
      options,
    );
    expect(result.outcome.widget).toBe("bad");
    expect(errorCodes(result.trace)).toEqual(["network", "network"]);
  });

  it("times out on a server that never answers, and closes the socket", async () => {
    const path = `/hang-${name}`;
    server.route(path, { hang: true });
    const before = timers();
    const started = performance.now();
    const result = await run(flowFor(path, 0, 150), {}, options);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.outcome.widget).toBe("bad");
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "timeout", message: "no complete response within 150 ms" },
    });
    await within(server.hits(path)[0]!.closed, 1000, "closing the hung socket");
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("times out on a body that drips slower than the timeout allows", async () => {
    const path = `/drip-${name}`;
    server.route(path, { drip: { chunk: " ", intervalMs: 50, count: 40 } }); // 2 s of whitespace
    const started = performance.now();
    const result = await run(flowFor(path, 0, 300), {}, options);
    const elapsed = performance.now() - started;
    expect(result.outcome.widget).toBe("bad");
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1000);
    const end = result.trace.find((e) => e.type === "http.attempt.end");
    expect(end).toMatchObject({ error: { code: "timeout" } });
    await within(server.hits(path)[0]!.closed, 1000, "closing the dripping socket");
  });

  it("accepts a slow body that completes within the timeout", async () => {
    const path = `/drip-ok-${name}`;
    server.route(path, { drip: { chunk: " ", intervalMs: 10, count: 5 } });
    const result = await run(flowFor(path, 0, 2000), {}, options);
    expect(result.outcome.widget).toBe("ok");
  });

  it("cancels mid-request promptly, without taking the Fail exit", async () => {
    const path = `/cancel-${name}`;
    server.route(path, { hang: true });
    const before = timers();
    const controller = new AbortController();
    const pending = run(flowFor(path, 3, 10_000), {}, { ...options, signal: controller.signal });
    while (server.hits(path).length === 0) await new Promise((r) => setTimeout(r, 5));
    const abortedAt = performance.now();
    controller.abort();
    const result = await within(pending, 500, "the cancelled run");
    expect(performance.now() - abortedAt).toBeLessThan(200);
    expect(result.outcome).toEqual({
      kind: "failed",
      widget: "call",
      error: { code: "cancelled", message: "run cancelled" },
    });
    expect(result.trace.some((e) => e.type === "step.start" && e.widget === "bad")).toBe(false);
    expect(server.hits(path)).toHaveLength(1); // cancellation is not retried
    await within(server.hits(path)[0]!.closed, 1000, "closing the cancelled socket");
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("cancels during a retry wait", async () => {
    const path = `/cancel-wait-${name}`;
    server.route(path, { status: 503, headers: { "Retry-After": "30" } });
    const controller = new AbortController();
    // Aborts on the turn after the first attempt ended: the run is then inside its 30 s wait.
    const onEvent = (e: TraceEvent<string>): void => {
      if (e.type === "http.attempt.end" && e.retry !== undefined) setImmediate(() => controller.abort());
    };
    const pending = run(
      flowFor(path, 3),
      {},
      { ...options, signal: controller.signal, retryAfterCapMs: 30_000, onEvent },
    );
    const result = await within(pending, 500, "the cancelled run");
    expect(result.outcome).toMatchObject({ kind: "failed", error: { code: "cancelled" } });
    expect(server.hits(path)).toHaveLength(1);
  });
});

// cross-fetch only: in vitest workers undici (the global fetch) stops keeping connections
// alive for an origin after one of its requests was aborted, which a plain Node process
// does not show; the runtime does the same thing with both.
it("keeps connections alive after a complete response and after a redirect (cross-fetch)", async () => {
  server.route("/reuse/from", { redirect: "/reuse/to" });
  server.route("/reuse/to", { json: { ok: true } });
  const flow = (path: string) => httpFlow(server.url, { url: () => server.url + path });
  await run(flow("/reuse/to"), {}, { transport: crossFetchTransport });
  await run(flow("/reuse/to"), {}, { transport: crossFetchTransport });
  await run(flow("/reuse/from"), {}, { transport: crossFetchTransport });
  const ports = server.requests.filter((r) => r.path.startsWith("/reuse/")).map((r) => r.remotePort);
  expect(ports).toHaveLength(4);
  expect(new Set(ports).size).toBe(1);
});

describe("cancellation outside requests", () => {
  it("ends at once when the signal is already aborted", async () => {
    const result = await run(
      httpFlow(server.url, { url: () => `${server.url}/never` }),
      {},
      { signal: AbortSignal.abort() },
    );
    expect(result.outcome).toMatchObject({ kind: "failed", widget: "call", error: { code: "cancelled" } });
    expect(server.hits("/never")).toHaveLength(0);
  });

  it("stops waiting for a host handler that never settles", async () => {
    const controller = new AbortController();
    const flow = flowOf("say", {
      say: { kind: "send", id: "say", source: "t:1", message: () => "hello", next: "done" },
      done: { kind: "end", id: "done", source: "t:2" },
    });
    const pending = run(flow, {}, { signal: controller.signal, onSend: () => new Promise<void>(() => undefined) });
    setTimeout(() => controller.abort(), 20);
    const result = await within(pending, 500, "the cancelled run");
    expect(result.outcome).toMatchObject({ kind: "failed", widget: "say", error: { code: "cancelled" } });
  });

  it("ends promptly even with a fetch that ignores its signal", async () => {
    const stubborn: FetchLike = () => new Promise(() => undefined);
    const controller = new AbortController();
    const pending = run(httpFlow(server.url), {}, { transport: stubborn, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const result = await within(pending, 500, "the cancelled run");
    expect(result.outcome).toMatchObject({ kind: "failed", error: { code: "cancelled" } });
  });

  it("times out a fetch that ignores its signal", async () => {
    const stubborn: FetchLike = () => new Promise(() => undefined);
    const flow = httpFlow(server.url, { timeoutMs: 50 });
    const result = await within(run(flow, {}, { transport: stubborn }), 500, "the run");
    expect(result.outcome.widget).toBe("bad");
  });
});

describe("nothing left behind", () => {
  it("leaves no timers and no half-read sockets after a mix of runs", async () => {
    server.route("/mix-ok", { json: { a: 1 } });
    server.route("/mix-hang", { hang: true });
    server.route("/mix-big", { drip: { chunk: "z".repeat(500), intervalMs: 2, count: 100 } });
    const before = timers();
    const flows = [
      flowOf("a", {
        a: httpStep("a", `${server.url}/mix-ok`, { success: "b", fail: "b" }),
        b: httpStep("b", `${server.url}/mix-hang`, { success: "c", fail: "c" }, { timeoutMs: 50 }),
        c: httpStep("c", `${server.url}/mix-big`, { success: "d", fail: "d" }),
        d: { kind: "end", id: "d", source: "t:4" },
      }),
    ];
    for (const [, fetch] of TRANSPORTS) {
      for (const flow of flows) {
        const result = await run(flow, {}, { transport: fetch, maxResponseBytes: 2000 });
        expect(result.outcome).toEqual({ kind: "end", widget: "d" });
      }
    }
    for (const request of [...server.hits("/mix-hang"), ...server.hits("/mix-big")]) {
      await within(request.closed, 1000, `closing ${request.path}`);
    }
    // Counted once the server has seen every socket close, so its own drip timers are gone too.
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
