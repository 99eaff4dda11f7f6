// The runtime's side of `config`: values come from RunOptions.config, never from input, and a
// missing, unknown or mistyped one is a FlowConfigError before any step runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConfig, FlowConfigError, FlowInputError, run, type FlowDefinition } from "../runtime/node.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

type V = { api_base: string; order_id: string };
const flow: FlowDefinition<V, never, "call" | "done"> = {
  id: "f",
  source: "f.flow",
  start: "call",
  variables: {
    api_base: { scope: "config", type: "url", masked: false },
    order_id: { scope: "global", type: "string", masked: false },
  },
  secrets: [],
  steps: {
    call: {
      kind: "http",
      id: "call",
      source: "f.flow:3",
      method: "GET",
      secrets: [],
      url: (v) => `${v.api_base}/orders/${v.order_id}`,
      secretHeaders: [],
      results: [],
      success: "done",
      fail: "done",
    },
    done: { kind: "end", id: "done", source: "f.flow:9" },
  },
};

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("RunOptions.config", () => {
  it("gives the configs their values; one options object serves many runs", async () => {
    server.reset();
    const prod = { config: { api_base: `${server.url}/prod` } };
    for (const id of ["1", "2"]) expect((await run(flow, { order_id: id }, prod)).outcome.kind).toBe("end");
    expect(server.requests.map((r) => r.path)).toEqual(["/prod/orders/1", "/prod/orders/2"]);
  });

  it("refuses a config given as input, and a missing, unknown or mistyped config, before any request", async () => {
    server.reset();
    await expect(
      run(flow, { order_id: "1", api_base: "http://evil.example" }, { config: { api_base: server.url } }),
    ).rejects.toThrow(FlowInputError);
    await expect(run(flow, { order_id: "1" })).rejects.toThrow(new FlowConfigError("f", ["missing config api_base"]));
    expect(checkConfig(flow, { api_base: "crm.example", region: "eu" })).toEqual([
      "config api_base must be a url, got string",
      "unknown config region",
    ]);
    await expect(run(flow, { order_id: "1" }, { config: { api_base: "crm.example" } })).rejects.toThrow(
      FlowConfigError,
    );
    expect(server.requests).toEqual([]);
  });
});
