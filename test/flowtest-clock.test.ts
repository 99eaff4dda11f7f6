// The runtime's clock hook (RunOptions.clock) with the test runner's virtual clock: a Retry-After
// wait, backoff and an attempt timeout are timers on the injected clock, so a run that would wait
// seconds finishes at once, and its trace times and durations are the virtual ones.
import { describe, expect, it } from "vitest";
import { run, type FetchLike, type FlowDefinition, type HttpStep, type TraceEvent } from "../runtime/index.js";
import { seededRandom, VirtualClock } from "../testing/virtual-clock.js";

type W = "lookup" | "done" | "failed";
type V = { status?: number };

function flowWith(step: Partial<HttpStep<V, never, W>>): FlowDefinition<V, never, W> {
  const lookup: HttpStep<V, never, W> = {
    kind: "http",
    id: "lookup",
    source: "clock.flow:3",
    method: "GET",
    secrets: [],
    url: () => "https://api.test/x",
    secretHeaders: [],
    results: [{ source: { kind: "status" }, target: "status", type: "number" }],
    success: "done",
    fail: "failed",
    ...step,
  };
  return {
    id: "clock",
    source: "clock.flow",
    start: "lookup",
    variables: { status: { scope: "local", type: "number", masked: false } },
    secrets: [],
    steps: {
      lookup,
      done: { kind: "end", id: "done", source: "clock.flow:9" },
      failed: { kind: "end", id: "failed", source: "clock.flow:10" },
    },
  };
}

/** Replies in order; `undefined` never answers (until the attempt aborts it). */
function fetchOf(replies: readonly (number | undefined)[], headers: Record<string, string> = {}): FetchLike {
  let call = 0;
  return (_url, init) => {
    const status = replies[Math.min(call++, replies.length - 1)];
    if (status === undefined)
      return new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    return Promise.resolve({
      status,
      headers: { get: (name: string) => headers[name.toLowerCase()] ?? (name === "content-length" ? "0" : null) },
      body: null,
      text: () => Promise.resolve(""),
    });
  };
}

/** Runs with the virtual clock, moving time to the next timer whenever the run waits. */
async function runVirtually(flow: FlowDefinition<V, never, W>, fetch: FetchLike, seed = "s") {
  const clock = new VirtualClock();
  const events: TraceEvent<W>[] = [];
  let done = false;
  const running = run(
    flow,
    {},
    { transport: fetch, clock, random: seededRandom(seed), onEvent: (e) => void events.push(e) },
  );
  void running.then(() => (done = true));
  while (!done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!done && !clock.advance()) throw new Error("stuck");
  }
  return { result: await running, events, now: clock.now() };
}

describe("RunOptions.clock", () => {
  it("waits a Retry-After on the injected clock, capped as usual", async () => {
    const { result, events, now } = await runVirtually(
      flowWith({ retry: 1 }),
      fetchOf([503, 200], { "retry-after": "30" }),
    );
    expect(result.outcome).toEqual({ kind: "end", widget: "done" });
    expect(now).toBe(10_000);
    const end = events.find((e) => e.type === "run.end");
    expect(end?.type === "run.end" && end.durationMs).toBe(10_000);
    const retry = events.find((e) => e.type === "http.attempt.end" && e.retry !== undefined);
    expect(retry?.type === "http.attempt.end" && retry.retry).toEqual({
      waitMs: 10_000,
      reason: "retry-after",
      capped: true,
    });
  });

  it("times an attempt out on the injected clock", async () => {
    const { result, now } = await runVirtually(flowWith({ timeoutMs: 5000 }), fetchOf([undefined]));
    expect(result.outcome).toEqual({ kind: "end", widget: "failed" });
    expect(now).toBe(5000);
  });

  it("draws backoff jitter from the seeded source: the same seed waits the same", async () => {
    const flow = flowWith({ retry: 3 });
    const waits = async (seed: string): Promise<number> => (await runVirtually(flow, fetchOf([500]), seed)).now;
    expect(await waits("a")).toBe(await waits("a"));
    expect(await waits("a")).not.toBe(await waits("b"));
  });
});
