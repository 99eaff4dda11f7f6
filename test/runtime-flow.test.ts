// The step loop: input checks, condition/set/send/route/end, host handlers, the step limit,
// and the errors `run` throws (programmer errors only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkInput,
  FlowDefinitionError,
  FlowInputError,
  MASK,
  run,
  type RunOptions,
  type StepContext,
} from "../runtime/index.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import type { TraceEvent } from "../runtime/trace.js";
import { flowOf, httpFlow, httpStep, v } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

type W = "check" | "bump" | "vip" | "greet" | "done" | "queue";
const variables = {
  caller: v.global("string"),
  tier: v.global("string", { default: "basic" }),
  count: v.local("number", { default: 0 }),
  pin: v.local("string", { masked: true }),
  extra: v.local("json", { default: { tags: ["a"] } }),
};

function loopFlow(limitAt: number): FlowDefinition<Vars, string, W> {
  return flowOf<W>(
    "check",
    {
      check: {
        kind: "condition",
        id: "check",
        name: "Enough?",
        source: "t.flow:5",
        branches: [
          { test: (vars) => vars.tier === "vip", text: 'tier == "vip"', target: "vip" },
          { test: (vars) => (vars.count as number) >= limitAt, text: `count >= ${limitAt}`, target: "greet" },
        ],
        else: "bump",
      },
      bump: {
        kind: "set",
        id: "bump",
        source: "t.flow:9",
        assign: (vars) => ({ count: (vars.count as number) + 1, pin: "4321-pin" }),
        next: "check",
      },
      vip: { kind: "route", id: "vip", name: "VIP agents", source: "t.flow:12", queue: "vip-support" },
      greet: {
        kind: "send",
        id: "greet",
        source: "t.flow:13",
        message: (vars) => `Hello ${String(vars.caller)}, count ${String(vars.count)}`,
        next: "done",
      },
      done: { kind: "end", id: "done", source: "t.flow:15" },
      queue: { kind: "route", id: "queue", source: "t.flow:16", queue: "support" },
    },
    variables,
  );
}

describe("the step loop", () => {
  it("runs condition, set, send and end, recording every step", async () => {
    const events: TraceEvent<W>[] = [];
    const result = await run(loopFlow(2), { caller: "+15550100" }, { onEvent: (e) => events.push(e) });
    expect(result.outcome).toEqual({ kind: "end", widget: "done" });
    expect(result.variables).toEqual({
      caller: "+15550100",
      tier: "basic",
      count: 2,
      pin: "4321-pin",
      extra: { tags: ["a"] },
    });
    expect(events).toEqual(result.trace);
    const ends = result.trace.filter((e) => e.type === "step.end");
    expect(ends.map((e) => e.type === "step.end" && [e.widget, e.exit ?? null, e.next ?? null])).toEqual([
      ["check", "else", "bump"],
      ["bump", "next", "check"],
      ["check", "else", "bump"],
      ["bump", "next", "check"],
      ["check", "when", "greet"],
      ["greet", "next", "done"],
      ["done", null, null],
    ]);
    expect(ends[4]).toMatchObject({ condition: "count >= 2", name: "Enough?" });
    expect(ends[1]).toMatchObject({
      changes: [
        { name: "count", value: 1 },
        { name: "pin", value: MASK },
      ],
    });
    expect(ends[5]).toMatchObject({ message: "Hello +15550100, count 2" });
    expect(result.trace[0]).toMatchObject({
      type: "run.start",
      flow: "test_flow",
      variables: { caller: "+15550100", tier: "basic", count: 0 },
    });
    expect(result.trace.at(-1)).toMatchObject({ type: "run.end", steps: 7, outcome: { kind: "end", widget: "done" } });
    for (const e of result.trace) {
      if (e.type === "step.start" || e.type === "step.end") expect(typeof e.time).toBe("number");
      if (e.type === "step.end") expect(e.endTime).toBeGreaterThanOrEqual(e.startTime);
    }
  });

  it("masks a masked variable's value everywhere, including inside messages", async () => {
    const flow = loopFlow(1);
    const masked: FlowDefinition<Vars, string, W> = {
      ...flow,
      steps: {
        ...flow.steps,
        greet: {
          kind: "send",
          id: "greet",
          source: "t:1",
          message: (vars) => `Your PIN is ${String(vars.pin)}`,
          next: "done",
        },
      },
    };
    const result = await run(masked, { caller: "x" });
    const text = JSON.stringify(result.trace);
    expect(text).not.toContain("4321-pin");
    expect(text).toContain(`Your PIN is ${MASK}`);
    expect(result.variables.pin).toBe("4321-pin"); // the application still gets the value
  });

  it("fails a flow that loops past the step limit", async () => {
    const result = await run(loopFlow(1_000_000), { caller: "x" }, { maxSteps: 50 });
    expect(result.outcome).toMatchObject({ kind: "failed", error: { code: "step-limit" } });
    expect(result.outcome.kind === "failed" && result.outcome.error.message).toContain("step limit of 50");
    expect(result.trace.filter((e) => e.type === "step.start")).toHaveLength(50);
    expect(result.trace.at(-1)).toMatchObject({ type: "run.end", steps: 50 });
  });

  it("stops at the default step limit", async () => {
    const result = await run(loopFlow(1_000_000), { caller: "x" });
    expect(result.outcome).toMatchObject({
      kind: "failed",
      error: { code: "step-limit", message: expect.stringContaining("1000") },
    });
  });

  it("routes to a queue through the onRoute handler", async () => {
    const routed: Array<[string, StepContext<Vars, W>]> = [];
    const result = await run(
      loopFlow(1),
      { caller: "x", tier: "vip" },
      { onRoute: async (queue, ctx) => void routed.push([queue, ctx]) },
    );
    expect(result.outcome).toEqual({ kind: "route", widget: "vip", queue: "vip-support" });
    expect(routed).toHaveLength(1);
    expect(routed[0]![0]).toBe("vip-support");
    expect(routed[0]![1]).toMatchObject({ flow: "test_flow", widget: "vip", variables: { tier: "vip" } });
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "vip")).toMatchObject({
      queue: "vip-support",
    });
  });

  it("passes send messages to onSend and waits for it", async () => {
    const sent: string[] = [];
    const result = await run(
      loopFlow(0),
      { caller: "Ada" },
      {
        onSend: async (message) => {
          await new Promise((r) => setTimeout(r, 10));
          sent.push(message);
        },
      },
    );
    expect(result.outcome.widget).toBe("done");
    expect(sent).toEqual(["Hello Ada, count 0"]);
  });

  it.each([
    [
      "onSend",
      { onSend: () => Promise.reject(new Error("sms gateway down")) },
      "greet",
      "onSend handler threw: sms gateway down",
    ],
    [
      "onRoute",
      {
        onRoute: () => {
          throw new Error("no such queue");
        },
      },
      "vip",
      "onRoute handler threw: no such queue",
    ],
  ])("fails the run when %s fails", async (_name, handlers, widget, message) => {
    const result = await run(loopFlow(0), { caller: "x", tier: widget === "vip" ? "vip" : "basic" }, handlers);
    expect(result.outcome).toEqual({ kind: "failed", widget, error: { code: "handler", message } });
  });

  it("fails the run when onEvent throws", async () => {
    const result = await run(
      loopFlow(0),
      { caller: "x" },
      {
        onEvent: (e) => {
          if (e.type === "step.end") throw new Error("printer on fire");
        },
      },
    );
    expect(result.outcome).toMatchObject({
      kind: "failed",
      widget: "greet",
      error: { code: "handler", message: "onEvent handler threw: printer on fire" },
    });
  });

  it("fails the run when a condition or assignment throws", async () => {
    const flow = flowOf("a", {
      a: {
        kind: "set",
        id: "a",
        source: "t:1",
        assign: () => {
          throw new Error("bad assign");
        },
        next: "b",
      },
      b: { kind: "end", id: "b", source: "t:2" },
    });
    expect((await run(flow, {})).outcome).toEqual({
      kind: "failed",
      widget: "a",
      error: { code: "step", message: "assignment threw: bad assign" },
    });
  });

  it("does not share a json default between runs", async () => {
    const flow = flowOf(
      "a",
      {
        a: {
          kind: "set",
          id: "a",
          source: "t:1",
          assign: (vars) => {
            (vars.extra as { tags: string[] }).tags.push("mutated");
            return {};
          },
          next: "b",
        },
        b: { kind: "end", id: "b", source: "t:2" },
      },
      variables,
    );
    await run(flow, { caller: "x" });
    expect((await run(flow, { caller: "x" })).variables.extra).toEqual({ tags: ["a", "mutated"] });
    expect(variables.extra.default).toEqual({ tags: ["a"] });
  });

  it("emits events live, before the run settles", async () => {
    server.route("/live", { json: {}, delayMs: 50 });
    const seen: string[] = [];
    const pending = run(
      httpFlow(server.url, { url: () => `${server.url}/live` }),
      {},
      { onEvent: (e) => seen.push(e.type) },
    );
    // The server holds its answer 50 ms after the request arrives: the run is mid-attempt then.
    while (server.hits("/live").length === 0) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["run.start", "step.start", "http.attempt.start"]);
    await pending;
    expect(seen.slice(3)).toEqual(["http.attempt.end", "step.end", "step.start", "step.end", "run.end"]);
  });
});

describe("input globals", () => {
  const flow = loopFlow(1);

  it.each([
    [{}, "missing required global caller"],
    [{ caller: "x", nope: 1 }, "unknown global nope"],
    [{ caller: "x", count: 3 }, "count is a local, not a global"],
    [{ caller: 5 }, "global caller must be a string, got number"],
    [{ caller: "x", tier: null }, "global tier must be a string, got null"],
  ])("rejects %j: %s", async (input, problem) => {
    expect(checkInput(flow, input)).toEqual([problem]);
    await expect(run(flow, input as Vars)).rejects.toThrow(FlowInputError);
    await expect(run(flow, input as Vars)).rejects.toThrow(problem);
  });

  it("checks each type strictly", () => {
    const typed = flowOf(
      "e",
      { e: { kind: "end", id: "e", source: "t" } },
      {
        s: v.global("string", { default: "" }),
        n: v.global("number", { default: 0 }),
        b: v.global("boolean", { default: false }),
        j: v.global("json", { default: null }),
      },
    );
    expect(checkInput(typed, { s: "1", n: 1, b: true, j: [1] })).toEqual([]);
    expect(checkInput(typed, { s: 1, n: "1", b: 1, j: () => 1 })).toEqual([
      "global s must be a string, got number",
      "global n must be a number, got string",
      "global b must be a boolean, got number",
      "global j must be a json, got function",
    ]);
    expect(checkInput(typed, { n: Number.NaN })).toEqual(["global n must be a number, got non-finite number"]);
    expect(checkInput(typed, null)).toEqual(["input must be an object of globals"]);
  });

  it("never echoes input values in the error", async () => {
    await expect(run(flow, { caller: 12345678 } as Vars)).rejects.not.toThrow("12345678");
  });
});

describe("programmer errors", () => {
  it("rejects an invalid flow object with every problem listed", async () => {
    const broken = {
      ...loopFlow(1),
      start: "nowhere",
      steps: {
        check: {
          kind: "condition",
          id: "check",
          source: "t",
          branches: [{ test: () => true, text: "x", target: "missing" }],
          else: "done",
        },
        done: { kind: "end", id: "other", source: "t" },
        weird: { kind: "teleport", id: "weird", source: "t" },
      },
    } as unknown as FlowDefinition<Vars, string, W>; // deliberately not a valid flow
    await expect(run(broken, { caller: "x" })).rejects.toThrow(FlowDefinitionError);
    await expect(run(broken, { caller: "x" })).rejects.toThrow(
      "invalid flow test_flow: start exits to unknown widget nowhere; check exits to unknown widget missing; widget done has id other; weird: unknown kind teleport",
    );
  });

  it("rejects a hand-written flow whose lists are missing, naming each, instead of failing on it", async () => {
    const broken = {
      id: "hand",
      source: "t",
      start: "a",
      variables: {},
      steps: {
        a: {
          kind: "http",
          id: "a",
          source: "t",
          method: "GET",
          url: () => "http://127.0.0.1/",
          success: "b",
          fail: "b",
        },
        b: { kind: "condition", id: "b", source: "t", else: "c" },
        c: { kind: "end", id: "c", source: "t" },
      },
    } as unknown as FlowDefinition<Vars, string, string>; // deliberately not a valid flow
    await expect(run(broken, {})).rejects.toThrow(
      "invalid flow hand: secrets is not an array; a: secrets is not an array; a: results is not an array; b: branches is not an array",
    );
  });

  it("rejects an http step with an undeclared secret or result target", async () => {
    const flow = flowOf("a", {
      a: httpStep(
        "a",
        "http://127.0.0.1/",
        { success: "b", fail: "b" },
        { secrets: ["NOPE"], results: [{ source: { kind: "status" }, target: "ghost", type: "number" }] },
      ),
      b: { kind: "end", id: "b", source: "t" },
    });
    await expect(run(flow, {})).rejects.toThrow("a: undeclared secret NOPE; a: result to undeclared variable ghost");
  });

  it.each([
    { maxSteps: 0 },
    { timeoutMs: -1 },
    { maxRedirects: 1.5 },
    { maxResponseBytes: Number.NaN },
    { retryBaseDelayMs: -5 },
    { retryMaxDelayMs: Number.POSITIVE_INFINITY },
    { retryAfterCapMs: "10" as unknown as number },
  ])("rejects invalid limits %j, naming the option", async (options) => {
    const [name] = Object.keys(options);
    await expect(run(loopFlow(1), { caller: "x" }, options)).rejects.toThrow(RangeError);
    await expect(run(loopFlow(1), { caller: "x" }, options)).rejects.toThrow(`run option ${name} must be an integer`);
  });

  it("refuses the transport's old option name rather than ignoring it and sending for real", async () => {
    let called = false;
    const fetch = () => ((called = true), Promise.reject(new Error("mock")));
    const options = { fetch } as unknown as RunOptions; // an untyped caller of the old API
    await expect(run(httpFlow("http://127.0.0.1:9"), {}, options)).rejects.toThrow(
      "run option fetch is now named transport",
    );
    expect(called).toBe(false);
  });
});
