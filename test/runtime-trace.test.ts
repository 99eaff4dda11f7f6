// The trace of a run without an `onEvent` listener is redacted only when it is read, each event as
// the redactor stood when it was emitted: the same trace a listener sees, neither more nor less hidden.
import { describe, expect, it } from "vitest";
import { MASK, run, type TraceEvent } from "../runtime/index.js";
import { flowOf, v } from "./helpers/flows.js";

type W = "show" | "hide" | "tell" | "done";
const VALUE = "shown-before-masked";

/** `VALUE` is shown in an unmasked variable, then becomes a masked variable's value, then is sent. */
const flow = flowOf<W>(
  "show",
  {
    show: { kind: "set", id: "show", source: "t:1", assign: () => ({ plain: VALUE }), next: "hide" },
    hide: { kind: "set", id: "hide", source: "t:2", assign: (vars) => ({ pin: vars.plain }), next: "tell" },
    tell: { kind: "send", id: "tell", source: "t:3", message: (vars) => `value ${String(vars.plain)}`, next: "done" },
    done: { kind: "end", id: "done", source: "t:4" },
  },
  { plain: v.local("string"), pin: v.local("string", { masked: true }) },
);

/** An event without its times, which differ from run to run. */
function untimed(event: TraceEvent): Record<string, unknown> {
  const { time: _time, ...rest } = event as TraceEvent & Record<string, unknown>;
  for (const key of ["startTime", "endTime", "durationMs"]) delete rest[key];
  return rest;
}

describe("a trace nobody listens to", () => {
  it("is the trace a listener sees: each event hidden as of when it was emitted", async () => {
    const heard: TraceEvent[] = [];
    const listened = await run(flow, {}, { onEvent: (event) => void heard.push(event) });
    const unheard = await run(flow, {}, {});
    expect(unheard.trace.map(untimed)).toEqual(heard.map(untimed));
    expect(unheard.trace.map(untimed)).toEqual(listened.trace.map(untimed));
    const changes = unheard.trace.flatMap((e) => (e.type === "step.end" ? e.changes : []));
    // Before it was masked, the value was shown; after, it is hidden wherever it appears.
    expect(changes).toEqual([
      { name: "plain", value: VALUE },
      { name: "pin", value: MASK },
    ]);
    const message = unheard.trace.find((e) => e.type === "step.end" && e.widget === "tell");
    expect(message?.type === "step.end" && message.message).toBe(`value ${MASK}`);
  });

  it("is the same array each time it is read", async () => {
    const result = await run(flow, {}, {});
    expect(result.trace).toBe(result.trace);
    expect(result.trace.length).toBeGreaterThan(0);
  });
});
