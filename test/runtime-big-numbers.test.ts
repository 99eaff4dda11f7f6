// JSON numbers a JavaScript number cannot hold exactly (issue 22): mapped to a `number` variable
// they fail the step as `result-type` (naming the variable, never the value); mapped to a
// `string` they keep their exact digits. Against a real node:http server, both with compiled
// readers (`read`) and through jsonpath-plus.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../runtime/index.js";
import type { ResultSpec, VarType, Vars } from "../runtime/flow.js";
import { httpFlow, v } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

// Written as text: a JSON serialiser would already have rounded the numbers.
const BODY =
  '{"big": 9007199254740993, "neg": -12345678901234567891, "safe": 9007199254740992, "tenth": 0.1,' +
  ' "long": 0.30000000000000004, "longer": 0.3000000000000000444, "exp": 1.5E3, "list": [9007199254740993, 1]}';

function result(path: string, target: string, type: VarType, compiled: boolean): ResultSpec<Vars> {
  const key = path.slice(2);
  const read = (body: unknown): unknown => (body as Record<string, unknown>)[key];
  return { source: compiled ? { kind: "json", path, read } : { kind: "json", path }, target, type };
}

async function mapOne(path: string, type: VarType, compiled: boolean) {
  server.route("/n", { headers: { "Content-Type": "application/json" }, body: BODY });
  const url = (): string => `${server.url}/n`;
  const flow = httpFlow(server.url, { url, results: [result(path, "x", type, compiled)] }, { x: v.local(type) });
  return run(flow, {});
}

describe.each([
  ["compiled readers", true],
  ["jsonpath-plus", false],
])("with %s", (_name, compiled) => {
  it.each([
    ["$.big", "9007199254740993"],
    ["$.neg", "-12345678901234567891"],
    ["$.longer", "0.3000000000000000444"],
  ])("fails %s mapped to a number as result-type, naming the variable, never the value", async (path, digits) => {
    const ran = await mapOne(path, "number", compiled);
    expect(ran.outcome.widget).toBe("bad");
    const end = ran.trace.find((e) => e.type === "step.end" && e.widget === "call");
    expect(end).toMatchObject({ exit: "fail", error: { code: "result-type" } });
    const message = end?.type === "step.end" ? (end.error?.message ?? "") : "";
    expect(message).toContain(`${path} -> x`);
    expect(message).not.toContain(digits.slice(0, 8));
    expect(ran.variables).not.toHaveProperty("x");
  });

  it.each([
    ["$.big", "9007199254740993"],
    ["$.neg", "-12345678901234567891"],
    ["$.longer", "0.3000000000000000444"],
  ])("keeps the exact digits of %s mapped to a string", async (path, digits) => {
    const ran = await mapOne(path, "string", compiled);
    expect(ran.outcome.widget).toBe("ok");
    expect(ran.variables["x"]).toBe(digits);
  });

  it.each([
    ["$.safe", 9007199254740992],
    ["$.tenth", 0.1],
    ["$.long", 0.30000000000000004],
    ["$.exp", 1500],
  ])("maps %s, which a number holds exactly, to a number as before", async (path, value) => {
    const ran = await mapOne(path, "number", compiled);
    expect(ran.outcome.widget).toBe("ok");
    expect(ran.variables["x"]).toBe(value);
  });

  it("still refuses a number that fits mapped to a string", async () => {
    const ran = await mapOne("$.safe", "string", compiled);
    expect(ran.outcome.widget).toBe("bad");
  });

  it("keeps a json variable's value plain JSON", async () => {
    const ran = await mapOne("$.list", "json", compiled);
    expect(ran.outcome.widget).toBe("ok");
    expect(JSON.stringify(ran.variables["x"])).toBe("[9007199254740992,1]");
  });
});
