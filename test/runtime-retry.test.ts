// Retries: which failures are retried and how often, backoff with jitter, Retry-After.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { run, type RunOptions } from "../runtime/index.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import { backoffDelay, isRetriableStatus, parseRetryAfter, sleep } from "../runtime/retry.js";
import type { HttpAttemptEndEvent, HttpAttemptStartEvent, TraceEvent } from "../runtime/trace.js";
import { httpFlow, type Widget } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { SkipClock } from "./helpers/skip-clock.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const fast: RunOptions<Vars, Widget> = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 };

function attemptEnds(trace: readonly TraceEvent<Widget>[]): HttpAttemptEndEvent<Widget>[] {
  return trace.filter((e): e is HttpAttemptEndEvent<Widget> => e.type === "http.attempt.end");
}

/** Time on the run's clock from each attempt's end to the next attempt's start. */
function gaps(trace: readonly TraceEvent<Widget>[]): number[] {
  const starts = trace.filter((e): e is HttpAttemptStartEvent<Widget> => e.type === "http.attempt.start");
  return attemptEnds(trace)
    .slice(0, -1)
    .map((end, i) => starts[i + 1]!.time - end.time);
}

/** Options whose retry waits pass on a SkipClock: virtual time, no real waiting. */
function skipping(options: RunOptions<Vars, Widget>): { clock: SkipClock; options: RunOptions<Vars, Widget> } {
  const clock = new SkipClock();
  return { clock, options: { ...options, clock, onEvent: clock.onEvent } };
}

function flowFor(path: string, retry: number, timeoutMs?: number): FlowDefinition<Vars, string, Widget> {
  return httpFlow(server.url, {
    url: () => server.url + path,
    retry,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

describe("retried failures", () => {
  it.each([408, 429, 500, 502, 503, 504])("retries status %i up to `retry` more times, then fails", async (status) => {
    const path = `/status-${status}`;
    server.route(path, { status, body: "busy" });
    const result = await run(flowFor(path, 3), {}, fast);
    expect(result.outcome.widget).toBe("bad");
    expect(server.hits(path)).toHaveLength(4);
    const ends = attemptEnds(result.trace);
    expect(ends.map((e) => e.status)).toEqual([status, status, status, status]);
    expect(ends.map((e) => e.retry !== undefined)).toEqual([true, true, true, false]);
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      attempts: 4,
      status,
      error: { code: "status", message: `status ${status} after 4 attempts` },
    });
  });

  it.each([500, 503])("succeeds when a retry gets a 2xx after %i", async (status) => {
    const path = `/recover-${status}`;
    server.route(path, { status }, { status }, { json: { ok: true } });
    const result = await run(flowFor(path, 2), {}, fast);
    expect(result.outcome.widget).toBe("ok");
    expect(attemptEnds(result.trace).map((e) => e.status)).toEqual([status, status, 200]);
  });

  it("retries network errors (connection refused)", async () => {
    const closed = await startServer();
    const url = closed.url;
    await closed.close();
    const flow = httpFlow(url, { url: () => `${url}/refused`, retry: 2 });
    const result = await run(flow, {}, fast);
    expect(result.outcome.widget).toBe("bad");
    const ends = attemptEnds(result.trace);
    expect(ends).toHaveLength(3);
    for (const end of ends) expect(end.error?.code).toBe("network");
    expect(ends[0]!.error?.message).toMatch(/ECONNREFUSED/);
  });

  it("retries timeouts", async () => {
    server.route("/slow-then-ok", { hang: true }, { json: { ok: true } });
    const result = await run(flowFor("/slow-then-ok", 1, 100), {}, fast);
    expect(result.outcome.widget).toBe("ok");
    const ends = attemptEnds(result.trace);
    expect(ends.map((e) => e.error?.code ?? e.status)).toEqual(["timeout", 200]);
  });

  it("does not retry when retry is 0", async () => {
    server.route("/no-retry", { status: 503 });
    const result = await run(flowFor("/no-retry", 0), {}, fast);
    expect(result.outcome.widget).toBe("bad");
    expect(server.hits("/no-retry")).toHaveLength(1);
  });
});

describe("failures that are never retried", () => {
  it.each([400, 401, 403, 404, 409, 422])("status %i fails at once", async (status) => {
    const path = `/client-${status}`;
    server.route(path, { status, json: { error: "nope" } });
    const result = await run(flowFor(path, 3), {}, fast);
    expect(result.outcome.widget).toBe("bad");
    expect(server.hits(path)).toHaveLength(1);
    expect(attemptEnds(result.trace)).toHaveLength(1);
    expect(attemptEnds(result.trace)[0]!.retry).toBeUndefined();
  });
});

describe("waits between attempts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("backs off exponentially with jitter from the injected random source", async () => {
    server.route("/backoff", { status: 500 });
    const randoms = [0, 1, 0.5];
    const { clock, options } = skipping({
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 10_000,
      random: () => randoms.shift() ?? 0,
    });
    const result = await run(flowFor("/backoff", 3), {}, options);
    // equal jitter: base·2^(n−1)/2 plus random times the other half
    expect(attemptEnds(result.trace).map((e) => e.retry?.waitMs)).toEqual([100, 400, 600, undefined]);
    expect(attemptEnds(result.trace).every((e) => e.retry === undefined || e.retry.reason === "backoff")).toBe(true);
    const waited = gaps(result.trace);
    expect(waited[0]).toBeGreaterThanOrEqual(100);
    expect(waited[1]).toBeGreaterThanOrEqual(400);
    expect(waited[2]).toBeGreaterThanOrEqual(600);
    expect(clock.skippedMs).toBeGreaterThan(1000); // the waits were jumped, not slept
  });

  it("caps backoff at retryMaxDelayMs", () => {
    expect(backoffDelay(10, 100, 800, () => 1)).toBe(800);
    expect(backoffDelay(10, 100, 800, () => 0)).toBe(400);
    expect(backoffDelay(1, 100, 800, () => 0.5)).toBe(75);
  });

  it("honours Retry-After in seconds", async () => {
    server.route("/retry-after-seconds", { status: 429, headers: { "Retry-After": "1" } }, { json: {} });
    const { clock, options } = skipping(fast);
    const result = await run(flowFor("/retry-after-seconds", 1), {}, options);
    expect(result.outcome.widget).toBe("ok");
    expect(attemptEnds(result.trace)[0]!.retry).toEqual({ waitMs: 1000, reason: "retry-after" });
    expect(gaps(result.trace)[0]).toBeGreaterThanOrEqual(1000);
    expect(clock.skippedMs).toBeGreaterThan(900);
  });

  it("honours Retry-After as an HTTP date", async () => {
    // The runtime reads an HTTP date against the wall clock (Date.now), so that alone stands still here.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("Wed, 21 Oct 2015 07:28:00 GMT") });
    const path = "/retry-after-date";
    server.route(path, { status: 503, headers: { "Retry-After": "Wed, 21 Oct 2015 07:28:02 GMT" } }, { json: {} });
    const { clock, options } = skipping({ ...fast, retryAfterCapMs: 10_000 });
    const result = await run(flowFor(path, 1), {}, options);
    expect(result.outcome.widget).toBe("ok");
    expect(attemptEnds(result.trace)[0]!.retry).toEqual({ waitMs: 2000, reason: "retry-after" });
    expect(gaps(result.trace)[0]).toBeGreaterThanOrEqual(2000);
    expect(clock.skippedMs).toBeGreaterThan(1900);
  });

  it("caps Retry-After at retryAfterCapMs", async () => {
    server.route("/retry-after-cap", { status: 503, headers: { "Retry-After": "3600" } }, { json: {} });
    const { options } = skipping({ ...fast, retryAfterCapMs: 5000 });
    const result = await run(flowFor("/retry-after-cap", 1), {}, options);
    expect(result.outcome.widget).toBe("ok");
    expect(attemptEnds(result.trace)[0]!.retry).toEqual({ waitMs: 5000, reason: "retry-after", capped: true });
    const [waited] = gaps(result.trace);
    expect(waited).toBeGreaterThanOrEqual(5000);
    expect(waited).toBeLessThan(3_600_000);
  });

  it("falls back to backoff when Retry-After is unusable", async () => {
    server.route("/retry-after-junk", { status: 503, headers: { "Retry-After": "soon" } }, { json: {} });
    const result = await run(flowFor("/retry-after-junk", 1), {}, fast);
    expect(attemptEnds(result.trace)[0]!.retry?.reason).toBe("backoff");
  });

  it("parses Retry-After values", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0); // in the past: retry now
    expect(parseRetryAfter("Wednesday, 21-Oct-15 07:28:10 GMT", now)).toBe(10_000); // RFC 850
    expect(parseRetryAfter("Wed Oct 21 07:28:05 2015", now)).toBe(5_000); // asctime, taken as UTC
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("1.5", now)).toBeUndefined();
    expect(parseRetryAfter("later", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("classifies statuses", () => {
    expect([408, 429, 500, 503, 599].every(isRetriableStatus)).toBe(true);
    expect([200, 301, 400, 401, 403, 404, 409, 422, 499].some(isRetriableStatus)).toBe(false);
  });

  it("sleep clears its timer when aborted", async () => {
    const controller = new AbortController();
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    expect(await pending).toBe(false);
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBe(before);
  });
});
