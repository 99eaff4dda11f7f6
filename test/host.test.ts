// The host core (host/host.ts) as the adapters use it: real flows compiled by the loader (the built one, whose
// generated modules import the built runtime), a real node:http upstream, no transport of its own.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Host as HostType, HostedFlow, HostEnvironment } from "../host/host.js";
import { staticSecrets } from "../runtime/index.js";
import { ROOT } from "./helpers/cli.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { hostedFixtures } from "./helpers/serve.js";

// The built host: its loader imports the built runtime.
const { Host, parseBody } = (await import(path.join(ROOT, "dist/host/host.js"))) as typeof import("../host/host.js");

let upstream: TestServer;
let flows: HostedFlow[];
let environment: HostEnvironment;

beforeAll(async () => {
  upstream = await startServer();
  // spin.flow declares no config: the host gives each flow only its own.
  environment = { config: { api_base: upstream.url }, secrets: staticSecrets({ CRM_TOKEN: "tok-SECRET-9f8e" }) };
  flows = await hostedFixtures("lookup.flow", "spin.flow");
});
afterAll(() => upstream.close());

const input = (extra: Record<string, unknown> = {}) => ({
  order_id: "A-1",
  email: "ann@example.com",
  pin: "4321-secret",
  ...extra,
});

function host(options: Partial<ConstructorParameters<typeof Host>[0]> = {}): HostType {
  return new Host({ flows, environment, ...options });
}

describe("host", () => {
  test("a run that ends answers 200 with its messages and variables, masked ones hidden; a body naming a config is ignored", async () => {
    upstream.route("/orders/A-1", { json: { shipDate: "2026-12-24", last4: "1234" } });
    upstream.reset();
    const response = await host().run({
      flow: "order_lookup",
      body: input({ ignored_field: 1, api_base: "http://127.0.0.1:9" }),
      encoding: "json",
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      flow: "order_lookup",
      outcome: "end",
      widget: "goodbye",
      messages: ["Your order ships on 2026-12-24."],
      variables: {
        order_id: "A-1",
        email: "ann@example.com",
        pin: "••••",
        amount: 0,
        vip: false,
        ship_date: "2026-12-24",
        card_last4: "••••",
      },
    });
    expect(upstream.hits("/orders/A-1")).toHaveLength(1);
    const { record } = response;
    expect(JSON.stringify(record)).not.toMatch(/4321-secret|tok-SECRET|1234/);
    expect([record?.outcome, record?.widget, record?.status]).toEqual(["end", "goodbye", 200]);
  });

  test("form fields are converted by declared type; a route names its queue", async () => {
    const response = await host().run({
      flow: "order_lookup",
      body: { ...input(), amount: "12.50", vip: "true" },
      encoding: "form",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ outcome: "route", widget: "vip_queue", queue: "vip-support" });
    expect(response.body).toHaveProperty("variables.amount", 12.5);
  });

  test("every invalid input is listed before anything runs, and a masked value is never echoed", async () => {
    upstream.reset();
    const response = await host().run({
      flow: "order_lookup",
      body: { api_base: "ftp://x", email: "not-an-email", pin: 4321, amount: "0.001", vip: "yes" },
      encoding: "form",
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: "invalid-input",
      problems: [
        { field: "order_id", message: "is required" },
        { field: "email", message: "must be an email address (name@domain.tld)" },
        { field: "pin", message: "must be a string" },
        { field: "amount", message: "must be an amount in whole cents (at most two decimals)" },
        { field: "vip", message: "must be a boolean" },
      ],
    });
    expect(JSON.stringify(response.body)).not.toContain("4321");
    expect(upstream.requests).toHaveLength(0);
  });

  test("a run that fails answers 502 with the failure and the same shape", async () => {
    const response = await host().run({ flow: "spin", body: {}, encoding: "json" });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({
      flow: "spin",
      outcome: "failed",
      error: { code: "step-limit", widget: "lap" },
      variables: { laps: 1 },
    });
  });

  test("the deadline cancels the run, aborting its request, and answers 504", async () => {
    upstream.route("/orders/slow", { hang: true });
    const response = await host({ deadlineMs: 200 }).run({
      flow: "order_lookup",
      body: input({ order_id: "slow" }),
      encoding: "json",
    });
    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({ outcome: "failed", error: { code: "deadline", widget: "lookup" } });
    await upstream.hits("/orders/slow")[0]!.closed;
  });

  test("beyond maxConcurrency a run is shed at once with 503 and Retry-After", async () => {
    upstream.route("/orders/held", { delayMs: 300, json: {} });
    const h = host({ maxConcurrency: 1 });
    const first = h.run({ flow: "order_lookup", body: input({ order_id: "held" }), encoding: "json" });
    const second = await h.run({ flow: "order_lookup", body: input({ order_id: "held" }), encoding: "json" });
    expect(second.status).toBe(503);
    expect(second.headers["retry-after"]).toBe("1");
    expect((await first).status).toBe(200);
  });

  test("a drain refuses new runs, lets those in flight finish, and cancels what outlives it with 503", async () => {
    upstream.route("/orders/quick", { delayMs: 100, json: {} });
    upstream.route("/orders/stuck", { hang: true });
    const h = host();
    const quick = h.run({ flow: "order_lookup", body: input({ order_id: "quick" }), encoding: "json" });
    const stuck = h.run({ flow: "order_lookup", body: input({ order_id: "stuck" }), encoding: "json" });
    const drained = h.drain(300);
    expect((await h.run({ flow: "order_lookup", body: input(), encoding: "json" })).status).toBe(503);
    expect((await quick).status).toBe(200);
    expect((await stuck).status).toBe(503);
    await drained;
    expect(h.inFlight).toBe(0);
  });

  test("unknown flows are 404; raw bodies parse as JSON or forms, others are 415", async () => {
    expect((await host().run({ flow: "nope", body: {}, encoding: "json" })).status).toBe(404);
    expect(parseBody("application/x-www-form-urlencoded", "a=1&b=x")).toEqual({
      body: { a: "1", b: "x" },
      encoding: "form",
    });
    expect(parseBody("application/json; charset=utf-8", '{"a":1}')).toEqual({ body: { a: 1 }, encoding: "json" });
    expect(parseBody("text/plain", "a")).toHaveProperty("status", 415);
    expect(parseBody("application/json", "{")).toHaveProperty("status", 400);
  });
});
