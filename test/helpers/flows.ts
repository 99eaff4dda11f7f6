// Hand-written FlowDefinition objects for runtime tests, shaped as the compiler generates them.
import type { FlowDefinition, HttpStep, Step, VariableSpec, Vars } from "../../runtime/flow.js";

export type Widget = "call" | "ok" | "bad";
type HttpOverrides<W extends string = Widget> = Partial<Omit<HttpStep<Vars, string, W>, "kind" | "id">>;

/** An http step with GET, no retry and no results unless overridden. */
export function httpStep<W extends string>(
  id: W,
  url: string,
  exits: { success: W; fail: W },
  http: HttpOverrides<W> = {},
): HttpStep<Vars, string, W> {
  return {
    kind: "http",
    id,
    name: "Call the API",
    source: "test.flow:3",
    method: "GET",
    secrets: [],
    url: () => url,
    secretHeaders: [],
    retry: 0,
    results: [],
    ...exits,
    ...http,
  };
}

/**
 * One http widget `call` whose Success exit ends at `ok` and Fail exit at `bad`, so the
 * outcome's widget names the exit taken. `url` defaults to `${base}/`.
 */
export function httpFlow(
  base: string,
  http: HttpOverrides = {},
  variables: Record<string, VariableSpec> = {},
  secrets: readonly string[] = [],
): FlowDefinition<Vars, string, Widget> {
  return {
    id: "test_flow",
    source: "test.flow",
    start: "call",
    variables,
    secrets,
    steps: {
      call: httpStep("call", `${base}/`, { success: "ok", fail: "bad" }, http),
      ok: { kind: "end", id: "ok", source: "test.flow:10" },
      bad: { kind: "end", id: "bad", source: "test.flow:11" },
    },
  };
}

export const v = {
  global: (type: VariableSpec["type"], extra: Partial<VariableSpec> = {}): VariableSpec => ({
    scope: "global",
    type,
    masked: false,
    ...extra,
  }),
  local: (type: VariableSpec["type"], extra: Partial<VariableSpec> = {}): VariableSpec => ({
    scope: "local",
    type,
    masked: false,
    ...extra,
  }),
};

/** A flow from explicit steps, for loops, conditions, set, send and route. */
export function flowOf<W extends string>(
  start: W,
  steps: { [K in W]: Step<Vars, string, W> },
  variables: Record<string, VariableSpec> = {},
  secrets: readonly string[] = [],
): FlowDefinition<Vars, string, W> {
  return { id: "test_flow", source: "test.flow", start, variables, secrets, steps };
}
