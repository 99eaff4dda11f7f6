// `callflow serve` as a real child process over real sockets, called with node's fetch, its flows calling a
// real node:http upstream in this process. The flows run in a temporary project whose environment "test" holds
// the upstream's URL as `config api_base`.
import { readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { tempDir } from "./compile-helpers.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestServer } from "./helpers/http-server.js";
import {
  SERVE_FIXTURES as FIXTURES,
  serve,
  serveFails,
  serveProject,
  serveWithUpstream,
  type Served,
  type ServedProject,
} from "./helpers/serve.js";

const TOKEN = "caller-token-7c1d";
const CRM = "crm-SECRET-5b2a";
const auth = { authorization: `Bearer ${TOKEN}` };
let setup: ServedProject;
let upstream: TestServer;
let served: Served;
let env: NodeJS.ProcessEnv;

/** `callflow serve --env test ARGS` in the project. */
const serveTest = (args: readonly string[]): Promise<Served> =>
  serve(["--env", "test", ...args], { cwd: setup.dir, env });

beforeAll(async () => {
  setup = await serveWithUpstream("serve-cli", {
    flows: ["lookup.flow", "quote.flow", "spin.flow"],
    route: (upstream) => upstream.route("/orders/A-1", { json: { shipDate: "2026-12-24", last4: "9876" } }),
    secrets: { API_TOKEN: TOKEN, CRM_TOKEN: CRM },
    args: ["--auth-secret", "API_TOKEN"],
  });
  ({ upstream, served, env } = setup);
});
afterAll(() => setup?.close());

const input = (extra: Record<string, unknown> = {}) => ({
  order_id: "A-1",
  email: "ann@example.com",
  pin: "4321-masked",
  ...extra,
});

/** Polls `done` every 20 ms (for at most 10 s): for what another process does in its own time. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 10_000) throw new Error("gave up waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function post(
  body: unknown,
  headers: Record<string, string> = {},
  flow = "order_lookup",
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${served.url}/flows/${flow}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
}

describe("callflow serve: runs", () => {
  test("POST JSON inputs: 200 with outcome, messages and variables, masked values hidden", async () => {
    const response = await post(input({ not_an_input: true }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
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
    const call = upstream.hits("/orders/A-1").at(-1)!;
    expect(call.headers.authorization).toBe(`Bearer ${CRM}`);
  });

  test("form-encoded inputs (Twilio Studio's default) are converted by declared type", async () => {
    const form = new URLSearchParams({ ...input(), amount: "19.99", vip: "true" } as Record<string, string>);
    const response = await fetch(`${served.url}/flows/order_lookup/runs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...auth },
      body: form.toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      outcome: "route",
      queue: "vip-support",
      variables: { amount: 19.99, vip: true },
    });
  });

  test("invalid inputs: 400 listing every problem, the masked value not echoed, nothing run; a config is no input", async () => {
    const before = upstream.requests.length;
    const response = await post({ api_base: "not a url", email: "x@", pin: 4321, vip: "yes" });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: "invalid-input",
      problems: [
        { field: "order_id", message: "is required" },
        { field: "email", message: "must be an email address (name@domain.tld)" },
        { field: "pin", message: "must be a string" },
        { field: "vip", message: "must be a boolean" },
      ],
    });
    expect(text).not.toContain("4321");
    expect(upstream.requests.length).toBe(before);
  });

  test("a failed run is 502 with the failure; unknown flow 404, wrong method 405, big body 413, other types 415", async () => {
    const failed = await post({}, {}, "spin");
    expect(failed.status).toBe(502);
    expect(await failed.json()).toMatchObject({ outcome: "failed", error: { code: "step-limit", widget: "lap" } });

    expect((await post(input(), {}, "nope")).status).toBe(404);
    const get = await fetch(`${served.url}/flows/order_lookup/runs`, { headers: auth });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    expect((await post(JSON.stringify({ order_id: "x".repeat(70_000) }))).status).toBe(413);
    expect((await post("order_id=1", { "content-type": "text/plain" })).status).toBe(415);
    const broken = await post('{"pin": "4321-masked"');
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toContain("4321");
  });

  test("callers authenticate with the bearer token; probes and metrics are open", async () => {
    expect((await post(input(), { authorization: "" })).status).toBe(401);
    expect((await post(input(), { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(input(), { authorization: TOKEN })).status).toBe(401);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${served.url}/readyz`)).status).toBe(200);
  });

  test("metrics count the runs made, and one JSON log line per run holds no secret or masked value", async () => {
    const metrics = await (await fetch(`${served.url}/metrics`)).text();
    expect(metrics).toContain('callflow_runs_total{flow="order_lookup",outcome="end",exit="goodbye"} 1');
    expect(metrics).toContain('callflow_runs_total{flow="order_lookup",outcome="route",exit="vip_queue"} 1');
    expect(metrics).toContain('callflow_runs_total{flow="spin",outcome="failed",exit="lap"} 1');
    expect(metrics).toContain('callflow_http_attempts_total{flow="order_lookup",widget="lookup",status_class="2xx"} 2');
    expect(metrics).toMatch(/callflow_run_duration_seconds_count\{flow="order_lookup",outcome="end"\} 1/);
    expect(metrics).toContain("callflow_runs_in_flight 0");
    expect(metrics).toContain("process_resident_memory_bytes");
    // Log lines are written asynchronously: they may land just after the answers.
    await until(() => served.runLogs().length >= 3);
    const logs = served.runLogs();
    expect(logs.map((l) => [l["flow"], l["outcome"], l["exit"], l["status"]])).toEqual([
      ["order_lookup", "end", "goodbye", 200],
      ["order_lookup", "route", "vip_queue", 200],
      ["spin", "failed", "lap", 502],
    ]);
    // Each names its request, as a 500's answer does.
    expect(logs.every((l) => /^[0-9a-f-]{36}$/.test(String(l["reqId"])))).toBe(true);
    expect(served.stderr()).not.toMatch(/4321|9876|crm-SECRET|caller-token/);
  });

  test("a caller that goes away cancels its run: the upstream request is aborted", async () => {
    upstream.route("/orders/gone", { hang: true });
    const caller = new AbortController();
    const pending = post(input({ order_id: "gone" }), {}, "order_lookup", caller.signal);
    await until(() => upstream.hits("/orders/gone").length === 1);
    caller.abort();
    await expect(pending).rejects.toThrow();
    await upstream.hits("/orders/gone")[0]!.closed;
    await until(() => served.runLogs().some((line) => line["error"] === "cancelled"));
    expect(served.runLogs().find((line) => line["error"] === "cancelled")).toMatchObject({
      flow: "order_lookup",
      outcome: "failed",
      exit: "lookup",
    });
  });

  test("the caller's traceparent continues: its trace id is in the run's log line", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await post(input(), { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await until(() => served.runLogs().some((line) => line["traceId"] === traceId));
    expect(served.runLogs().find((line) => line["traceId"] === traceId)).toMatchObject({ flow: "order_lookup" });
  });
});

describe("callflow serve: limits and shutdown", () => {
  test("a non-loopback host without auth is refused unless --no-auth", async () => {
    const refused = await serveFails(["--env", "test", "--host", "0.0.0.0"], setup.dir, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("without authentication");
    const missing = await serveFails(["--env", "test", "--auth-secret", "NOT_SET_ANYWHERE"], setup.dir, env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("secret NOT_SET_ANYWHERE has no source in environment test");
    const open = await serveTest(["--host", "0.0.0.0", "--no-auth"]);
    expect(open.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    expect(await open.stop()).toBe(0);
  });

  test("a client that sends its headers too slowly is answered 408 and cut off", async () => {
    const { port } = new URL(served.url);
    const socket = connect(Number(port), "127.0.0.1");
    let received = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
    socket.write("POST /flows/quote/runs HTTP/1.1\r\nHost: callflow\r\n");
    await new Promise((resolve) => socket.once("close", resolve));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
    // The headers timeout is 5 s, checked every second: well within this test's 15 s (Node's default check
    // every 30 s would not be).
  }, 15_000);

  test("the deadline cancels the run and answers 504; the upstream request is aborted", async () => {
    upstream.route("/orders/stuck", { hang: true });
    const s = await serveTest(["--deadline", "1s", "spin.flow", "lookup.flow"]);
    try {
      const response = await fetch(`${s.url}/flows/order_lookup/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input({ order_id: "stuck" })),
      });
      expect(response.status).toBe(504);
      expect(await response.json()).toMatchObject({ outcome: "failed", error: { code: "deadline", widget: "lookup" } });
      await upstream.hits("/orders/stuck")[0]!.closed;
    } finally {
      await s.stop();
    }
  });

  test("beyond --max-concurrency runs are shed at once with 503 and Retry-After", async () => {
    upstream.route("/orders/slow", { delayMs: 300, json: {} });
    const s = await serveTest(["--max-concurrency", "2"]);
    try {
      const responses = await Promise.all(
        Array.from({ length: 6 }, () =>
          fetch(`${s.url}/flows/order_lookup/runs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(input({ order_id: "slow" })),
          }),
        ),
      );
      const statuses = responses.map((r) => r.status).sort((a, b) => a - b);
      expect(statuses).toEqual([200, 200, 503, 503, 503, 503]);
      expect(responses.find((r) => r.status === 503)?.headers.get("retry-after")).toBe("1");
    } finally {
      await s.stop();
    }
  });

  test("SIGTERM during 500 runs in flight: every one is answered and logged, then connections are refused, exit 0", async () => {
    upstream.route("/orders/drain", { delayMs: 1500, json: { shipDate: "soon" } });
    const s = await serveTest(["--max-concurrency", "1000"]);
    const inFlight = Array.from({ length: 500 }, () =>
      fetch(`${s.url}/flows/order_lookup/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input({ order_id: "drain" })),
      }).then((r) => r.status),
    );
    const probe = (): Promise<number> => fetch(`${s.url}/readyz`).then((r) => r.status);
    expect(await probe()).toBe(200);
    // Every run has started (connections the kernel queued but the server never accepted are not in flight).
    await until(() => upstream.hits("/orders/drain").length === 500);
    const exited = s.stop("SIGTERM");
    const statuses = await Promise.all(inFlight);
    expect(statuses.filter((status) => status === 200)).toHaveLength(500);
    expect(await exited).toBe(0);
    // The log is written asynchronously and flushed before the exit: no line is lost.
    expect(s.runLogs().filter((line) => line["status"] === 200)).toHaveLength(500);
    await expect(probe()).rejects.toThrow();
  });

  test("while a run drains after SIGTERM, /readyz answers 503 over a new connection and new runs are refused", async () => {
    upstream.route("/orders/slow-drain", { delayMs: 2000, json: { shipDate: "later" } });
    const s = await serveTest(["lookup.flow"]);
    const run = (order: string): Promise<Response> =>
      fetch(`${s.url}/flows/order_lookup/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input({ order_id: order })),
      });
    const slow = run("slow-drain");
    await until(() => upstream.hits("/orders/slow-drain").length === 1);
    const exited = s.stop("SIGTERM");
    await until(() => s.stderr().includes("callflow serve: draining"));
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("connection")).toBe("close");
    expect(await ready.json()).toMatchObject({ status: "draining" });
    const late = await run("A-1");
    expect(late.status).toBe(503);
    expect(late.headers.get("retry-after")).toBe("1");
    expect(await late.json()).toEqual({ error: { code: "draining", message: "the server is shutting down" } });
    expect((await slow).status).toBe(200);
    expect(await exited).toBe(0);
    expect(s.runLogs().map((line) => line["status"])).toEqual([200]);
  });

  test("runs that outlive --drain-timeout are cancelled and answered 503", async () => {
    upstream.route("/orders/forever", { hang: true });
    const s = await serveTest(["--drain-timeout", "300ms", "--deadline", "30s", "lookup.flow"]);
    const pending = fetch(`${s.url}/flows/order_lookup/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input({ order_id: "forever" })),
    });
    await until(() => upstream.hits("/orders/forever").length >= 1);
    const exited = s.stop("SIGINT");
    expect((await pending).status).toBe(503);
    expect(await exited).toBe(0);
  });
});

describe("callflow serve: upstream faults", () => {
  test("with 10% upstream faults (resets, 503, hangs past the timeout, garbage) every request is answered 200 or 502", async () => {
    const faults = [
      { reset: true as const },
      { status: 503, json: { error: "busy" } },
      { hang: true as const },
      { body: "<html>not json", headers: { "content-type": "application/json" } },
    ];
    upstream.route("/quotes/sku-1", (request) =>
      request.hit % 10 === 0 ? faults[(request.hit / 10) % faults.length]! : { json: { price: 12.5, stock: 3 } },
    );
    const s = await serveTest(["quote.flow"]);
    try {
      const statuses: number[] = [];
      let started = 0;
      const worker = async (): Promise<void> => {
        while (started < 200) {
          started++;
          const response = await fetch(`${s.url}/flows/quote/runs`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ sku: "sku-1" }),
          });
          statuses.push(response.status);
          await response.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      expect(statuses).toHaveLength(200);
      expect(statuses.filter((status) => status !== 200 && status !== 502)).toEqual([]);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      // Every fault took the fail exit; the rest ended with a price.
      expect(metrics).toContain('callflow_runs_total{flow="quote",outcome="end",exit="done"} 200');
      expect(metrics).toMatch(
        /callflow_http_attempts_total\{flow="quote",widget="fetch_quote",status_class="timeout"\} [1-9]/,
      );
      expect(metrics).toMatch(
        /callflow_http_attempts_total\{flow="quote",widget="fetch_quote",status_class="5xx"\} [1-9]/,
      );
    } finally {
      await s.stop();
    }
  });
});

describe("callflow serve --watch", () => {
  const temp = tempDir("serve-watch");
  afterAll(() => temp.remove());

  test("a changed flow is served at once; a version with errors keeps the previous one, shown by /readyz", async () => {
    const file = path.join(temp.dir, "quote.flow");
    const original = readFileSync(path.join(FIXTURES, "quote.flow"), "utf8");
    serveProject(temp.dir, { flows: ["quote.flow"], config: { api_base: upstream.url }, secrets: {} });
    upstream.route("/quotes/none", { status: 404, json: {} });
    const s = await serve(["--env", "test", "--watch"], { cwd: temp.dir });
    const messages = async (): Promise<unknown> => {
      const response = await fetch(`${s.url}/flows/quote/runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sku: "none" }),
      });
      return ((await response.json()) as { messages: unknown }).messages;
    };
    try {
      expect(await messages()).toEqual(["No quote right now."]);
      writeFileSync(file, original.replace("No quote right now.", "Please try again later."));
      await until(() => s.stderr().includes("reloaded quote.flow"));
      expect(await messages()).toEqual(["Please try again later."]);

      writeFileSync(file, original.replace("next -> done", "next -> nowhere"));
      await until(() => s.stderr().includes("still serving its previous version"));
      expect(await messages()).toEqual(["Please try again later."]);
      const ready = await fetch(`${s.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        flows: ["quote"],
        problems: [{ file: "quote.flow", diagnostics: [{ code: "CF2001", severity: "error" }] }],
      });
    } finally {
      await s.stop();
    }
  });
});
