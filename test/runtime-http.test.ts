// The http widget against a real local server: methods, URL/query/header encoding, body kinds,
// exits, result mapping, redirects and limits. Network behaviours run with both fetch
// implementations the runtime supports.
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, staticSecrets, type RunOptions } from "../runtime/index.js";
import type { FlowDefinition, HttpMethod, Vars } from "../runtime/flow.js";
import { encodeSegment, prop } from "../runtime/helpers.js";
import { httpFlow, httpStep, v, type Widget } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { TRANSPORTS } from "./helpers/transports.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const fast: RunOptions = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 };

function go(flow: FlowDefinition<Vars, string, Widget>, input: Vars = {}, options: RunOptions<Vars, Widget> = {}) {
  return run(flow, input, { ...fast, ...options });
}

describe.each(TRANSPORTS)("with %s", (_name, fetch) => {
  const call = (flow: FlowDefinition<Vars, string, Widget>, input: Vars = {}, options: RunOptions<Vars, Widget> = {}) =>
    go(flow, input, { transport: fetch, ...options });

  it.each<HttpMethod>(["GET", "POST", "PUT", "PATCH", "DELETE"])("sends %s", async (method) => {
    const path = `/method-${method}-${_name}`;
    const flow = httpFlow(server.url, {
      method,
      url: () => server.url + path,
      ...(method === "GET" ? {} : { body: { kind: "text" as const, build: () => `a ${method} body` } }),
    });
    const result = await call(flow);
    expect(result.outcome).toEqual({ kind: "end", widget: "ok" });
    const [seen] = server.hits(path);
    expect(seen?.method).toBe(method);
    expect(seen?.body).toBe(method === "GET" ? "" : `a ${method} body`);
  });

  it("percent-encodes interpolated path segments and encodes query pairs like URLSearchParams", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: (vars) => `${server.url}/enc/${encodeSegment(vars.id)}?fixed=1#fragment`,
        query: (vars) => [
          ["q", String(vars.q)],
          ["emoji", "☎"],
          ["plus", "1+1"],
          ["empty", ""],
        ],
      },
      { id: v.global("string"), q: v.global("string") },
    );
    await call(flow, { id: "a b/ü?x", q: "a b&c=d" });
    const seen = server.hits("/enc/a%20b%2F%C3%BC%3Fx").at(-1)!;
    expect(seen.url).toBe("/enc/a%20b%2F%C3%BC%3Fx?fixed=1&q=a+b%26c%3Dd&emoji=%E2%98%8E&plus=1%2B1&empty=");
  });

  it("sends Authorization, custom headers and a Latin-1 value unchanged", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/headers-${_name}`,
        secrets: ["TOKEN"],
        authorization: (_vars, s) => `Bearer ${s.TOKEN}`,
        headers: () => [
          ["X-Request-Source", "ivr"],
          ["X-Latin", "café"],
        ],
      },
      {},
      ["TOKEN"],
    );
    const result = await call(flow, {}, { secrets: staticSecrets({ TOKEN: "tok-123" }) });
    expect(result.outcome.widget).toBe("ok");
    const seen = server.hits(`/headers-${_name}`)[0]!;
    expect(seen.headers.authorization).toBe("Bearer tok-123");
    expect(seen.headers["x-request-source"]).toBe("ivr");
    expect(Buffer.from(seen.headers["x-latin"] as string, "latin1").toString("latin1")).toBe("café");
  });

  it.each([
    [
      "json",
      { kind: "json" as const, build: (): unknown => ({ order: "A1", items: 2, vip: true, tags: ["ivr"] }) },
      "application/json",
      '{"order":"A1","items":2,"vip":true,"tags":["ivr"]}',
    ],
    [
      "form",
      {
        kind: "form" as const,
        build: (): Array<[string, string]> => [
          ["a", "1"],
          ["b", "x y&z"],
        ],
      },
      "application/x-www-form-urlencoded",
      "a=1&b=x+y%26z",
    ],
    [
      "text",
      { kind: "text" as const, build: (): string => "héllo\nworld" },
      "text/plain; charset=utf-8",
      "héllo\nworld",
    ],
  ])("serialises a %s body with its content type", async (kind, body, contentType, expected) => {
    const path = `/body-${kind}-${_name}`;
    const result = await call(httpFlow(server.url, { method: "POST", url: () => server.url + path, body }));
    expect(result.outcome.widget).toBe("ok");
    const seen = server.hits(path)[0]!;
    expect(seen.headers["content-type"]).toBe(contentType);
    expect(seen.body).toBe(expected);
  });

  it("lets content_type and a custom Content-Type header override the body kind", async () => {
    const body = { kind: "json" as const, build: () => ({ a: 1 }) };
    await call(
      httpFlow(server.url, {
        method: "POST",
        url: () => `${server.url}/ct1-${_name}`,
        body,
        contentType: "application/vnd.api+json",
      }),
    );
    expect(server.hits(`/ct1-${_name}`)[0]!.headers["content-type"]).toBe("application/vnd.api+json");
    await call(
      httpFlow(server.url, {
        method: "POST",
        url: () => `${server.url}/ct2-${_name}`,
        body,
        headers: () => [["content-type", "application/x-custom"]],
      }),
    );
    expect(server.hits(`/ct2-${_name}`)[0]!.headers["content-type"]).toBe("application/x-custom");
  });

  it.each([
    ["CR LF", "ivr\r\nX-Injected: 1"],
    ["LF", "ivr\nX-Injected: 1"],
    ["CR", "ivr\rX"],
    ["NUL", "ivr\0"],
  ])("fails the step on %s in a header value without sending anything", async (_label, value) => {
    const path = `/crlf-${_name}-${_label.replace(" ", "")}`;
    const flow = httpFlow(
      server.url,
      { url: () => server.url + path, headers: (vars) => [["X-Source", String(vars.src)]] },
      { src: v.global("string") },
    );
    const result = await call(flow, { src: value });
    expect(result.outcome.widget).toBe("bad");
    const end = result.trace.find((e) => e.type === "step.end" && e.widget === "call");
    expect(end).toMatchObject({ exit: "fail", error: { code: "invalid-header" } });
    expect(end && "error" in end ? end.error?.message : "").toContain("X-Source");
    expect(result.trace.some((e) => e.type === "http.attempt.start")).toBe(false);
    expect(server.hits(path)).toHaveLength(0);
  });

  it("refuses CR/LF in the Authorization value too, naming the header only", async () => {
    const flow = httpFlow(server.url, {
      url: () => `${server.url}/auth-crlf`,
      authorization: () => "Bearer x\r\nEvil: 1",
    });
    const result = await call(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(JSON.stringify(result.trace)).not.toContain("Evil");
    expect(server.hits("/auth-crlf")).toHaveLength(0);
  });

  it("takes Success on 2xx and Fail on 4xx", async () => {
    server.route(`/exit-ok-${_name}`, { status: 204 });
    server.route(`/exit-bad-${_name}`, { status: 404, json: { error: "no such order" } });
    expect((await call(httpFlow(server.url, { url: () => `${server.url}/exit-ok-${_name}` }))).outcome.widget).toBe(
      "ok",
    );
    const failed = await call(httpFlow(server.url, { url: () => `${server.url}/exit-bad-${_name}` }));
    expect(failed.outcome.widget).toBe("bad");
    expect(failed.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      exit: "fail",
      next: "bad",
      status: 404,
      attempts: 1,
      error: { code: "status", message: "status 404" },
    });
  });

  it("fails when the body is larger than maxResponseBytes (declared length)", async () => {
    server.route(`/big-${_name}`, { json: { data: "x".repeat(5000) } });
    const result = await call(
      httpFlow(server.url, { url: () => `${server.url}/big-${_name}` }),
      {},
      { maxResponseBytes: 1000 },
    );
    expect(result.outcome.widget).toBe("bad");
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "too-large" },
    });
  });

  it("stops reading a chunked body at maxResponseBytes and closes the socket", async () => {
    server.route(`/big-chunked-${_name}`, { drip: { chunk: "y".repeat(200), intervalMs: 5, count: 200 } });
    const started = performance.now();
    const result = await call(
      httpFlow(server.url, { url: () => `${server.url}/big-chunked-${_name}` }),
      {},
      { maxResponseBytes: 1000 },
    );
    expect(result.outcome.widget).toBe("bad");
    expect(performance.now() - started).toBeLessThan(500); // the whole body would take a second
    const end = result.trace.find((e) => e.type === "http.attempt.end");
    expect(end).toMatchObject({ error: { code: "too-large" }, status: 200 });
    await server.hits(`/big-chunked-${_name}`)[0]!.closed;
  });

  it("counts a compressed body by its decoded size, so a small gzip cannot inflate past maxResponseBytes", async () => {
    const inflated = JSON.stringify({ data: "z".repeat(200_000) });
    const gzipped = gzipSync(inflated);
    expect(gzipped.byteLength).toBeLessThan(1000); // declared Content-Length is well within the limit
    server.route(`/gzip-bomb-${_name}`, {
      body: gzipped,
      headers: {
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
        "Content-Length": String(gzipped.byteLength),
      },
    });
    const result = await call(
      httpFlow(server.url, { url: () => `${server.url}/gzip-bomb-${_name}` }),
      {},
      { maxResponseBytes: 10_000 },
    );
    expect(result.outcome.widget).toBe("bad");
    expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({
      error: { code: "too-large" },
      status: 200,
    });
    await server.hits(`/gzip-bomb-${_name}`)[0]!.closed;
  });

  it("maps a gzip body within the limit, reporting its decoded size", async () => {
    const text = JSON.stringify({ city: "Zürich", note: "€".repeat(3000) });
    const gzipped = gzipSync(text);
    server.route(`/gzip-ok-${_name}`, {
      body: gzipped,
      headers: { "Content-Encoding": "gzip", "Content-Type": "application/json" },
    });
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/gzip-ok-${_name}`,
        results: [{ source: { kind: "json", path: "$.city" }, target: "city", type: "string" }],
      },
      { city: v.local("string") },
    );
    const result = await call(flow);
    expect(result.variables).toMatchObject({ city: "Zürich" });
    expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({ bytes: Buffer.byteLength(text) });
  });

  it("decodes UTF-8 split across chunks and skips a byte order mark", async () => {
    const bytes = Buffer.from(`\ufeff${JSON.stringify({ city: "Zürich", truck: "🚚" })}`);
    const cut = bytes.indexOf(Buffer.from("🚚")) + 2; // inside the four bytes of the emoji
    const declared = `/utf8-declared-${_name}`;
    const pieces = `/utf8-pieces-${_name}`;
    server.route(declared, {
      body: bytes,
      headers: { "Content-Type": "application/json", "Content-Length": String(bytes.byteLength) },
    });
    server.route(pieces, {
      pieces: [bytes.subarray(0, 1), bytes.subarray(1, cut), bytes.subarray(cut)],
      intervalMs: 5,
    });
    for (const path of [declared, pieces]) {
      const flow = httpFlow(
        server.url,
        {
          url: () => server.url + path,
          results: [
            { source: { kind: "json", path: "$.city" }, target: "city", type: "string" },
            { source: { kind: "json", path: "$.truck" }, target: "truck", type: "string" },
          ],
        },
        { city: v.local("string"), truck: v.local("string") },
      );
      const result = await call(flow);
      expect(result.outcome.widget, path).toBe("ok");
      expect(result.variables).toEqual({ city: "Zürich", truck: "🚚" });
      expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({ bytes: bytes.byteLength });
    }
  });

  it("follows redirects up to maxRedirects, tracing each", async () => {
    const p = `/redir-${_name}`;
    server.route(`${p}/1`, { redirect: `${p}/2`, status: 301 });
    server.route(`${p}/2`, { redirect: `${server.url}${p}/3`, status: 307 });
    server.route(`${p}/3`, { redirect: `${p}/final`, status: 308 });
    server.route(`${p}/final`, { json: { done: true } });
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}${p}/1`,
        results: [{ source: { kind: "json", path: "$.done" }, target: "done", type: "boolean" }],
      },
      { done: v.local("boolean") },
    );
    const result = await call(flow, {}, { maxRedirects: 3 });
    expect(result.outcome.widget).toBe("ok");
    expect(result.variables.done).toBe(true);
    const redirects = result.trace.filter((e) => e.type === "http.redirect");
    expect(redirects.map((e) => e.type === "http.redirect" && [e.status, new URL(e.to).pathname])).toEqual([
      [301, `${p}/2`],
      [307, `${p}/3`],
      [308, `${p}/final`],
    ]);
    expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({
      url: `${server.url}${p}/final`,
      status: 200,
    });
    // Trace times never go backwards, redirects included, and agree with the durations.
    const times = result.trace.map((e) => e.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const e of result.trace) {
      if (e.type === "http.attempt.end" || e.type === "step.end")
        expect(Math.abs(e.time - e.startTime - e.durationMs)).toBeLessThanOrEqual(1);
    }

    const tooMany = await call(flow, {}, { maxRedirects: 2 });
    expect(tooMany.outcome.widget).toBe("bad");
    expect(tooMany.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "too-many-redirects" },
      attempts: 1, // a redirect loop is not retried
    });
  });

  it("turns POST into GET on 303 and keeps method and body on 307", async () => {
    const p = `/redir-method-${_name}`;
    server.route(`${p}/303`, { redirect: `${p}/after303`, status: 303 });
    server.route(`${p}/307`, { redirect: `${p}/after307`, status: 307 });
    const body = { kind: "json" as const, build: () => ({ a: 1 }) };
    await call(httpFlow(server.url, { method: "POST", url: () => `${server.url}${p}/303`, body }));
    await call(httpFlow(server.url, { method: "POST", url: () => `${server.url}${p}/307`, body }));
    const after303 = server.hits(`${p}/after303`)[0]!;
    expect([after303.method, after303.body, after303.headers["content-type"]]).toEqual(["GET", "", undefined]);
    const after307 = server.hits(`${p}/after307`)[0]!;
    expect([after307.method, after307.body]).toEqual(["POST", '{"a":1}']);
  });

  it("drops Authorization and secret headers on a redirect to another origin", async () => {
    const other = await startServer();
    try {
      const p = `/cross-${_name}`;
      server.route(p, { redirect: `${other.url}/landing` });
      const flow = httpFlow(
        server.url,
        {
          url: () => server.url + p,
          secrets: ["KEY"],
          authorization: () => "Bearer abc",
          headers: (_vars, s) => [
            ["X-Hook-Key", s.KEY ?? ""],
            ["X-Plain", "kept"],
          ],
          secretHeaders: ["X-Hook-Key"],
        },
        {},
        ["KEY"],
      );
      const result = await call(flow, {}, { secrets: staticSecrets({ KEY: "hook-key" }) });
      expect(result.outcome.widget).toBe("ok");
      expect(server.hits(p)[0]!.headers.authorization).toBe("Bearer abc");
      const landed = other.hits("/landing")[0]!;
      expect(landed.headers.authorization).toBeUndefined();
      expect(landed.headers["x-hook-key"]).toBeUndefined();
      expect(landed.headers["x-plain"]).toBe("kept");
    } finally {
      await other.close();
    }
  });
});

describe("result mapping", () => {
  const order = {
    shipDate: "2025-06-01",
    items: [{ id: 7 }, { id: 8 }],
    customer: { vip: true, name: "Ada" },
    count: "5",
    nothing: null,
  };
  beforeAll(() => {
    server.route("/order", { json: order, headers: { "X-Request-Id": "req-42" } });
    server.route("/not-json", { body: "<html>oops</html>", headers: { "Content-Type": "text/html" } });
    server.route("/empty", { status: 200 });
    server.route("/gone", { status: 410, json: { error: "gone" }, headers: { "X-Request-Id": "req-410" } });
  });

  const variables = {
    ship_date: v.local("string", { default: "unknown" }),
    item_count: v.local("number", { default: 0 }),
    first_id: v.local("number"),
    is_vip: v.local("boolean", { default: false }),
    customer: v.local("json"),
    http_status: v.local("number"),
    status_text: v.local("string"),
    request_id: v.local("string"),
    n: v.local("number"),
    s: v.local("string"),
  };

  it("maps compiled paths, jsonpath-plus paths, status and headers", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [
          {
            source: { kind: "json", path: "$.shipDate", read: (b) => prop(b, "shipDate") },
            target: "ship_date",
            type: "string",
          },
          {
            source: { kind: "json", path: "$.items.length", read: (b) => prop(prop(b, "items"), "length") },
            target: "item_count",
            type: "number",
          },
          { source: { kind: "json", path: "$.items[*].id" }, target: "first_id", type: "number" },
          { source: { kind: "json", path: "$.customer.vip" }, target: "is_vip", type: "boolean" },
          { source: { kind: "json", path: "$.customer" }, target: "customer", type: "json" },
          { source: { kind: "status" }, target: "http_status", type: "number" },
          { source: { kind: "status" }, target: "status_text", type: "string" },
          { source: { kind: "header", name: "x-request-id" }, target: "request_id", type: "string" },
        ],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("ok");
    expect(result.variables).toMatchObject({
      ship_date: "2025-06-01",
      item_count: 2,
      first_id: 7, // first match in document order
      is_vip: true,
      customer: { vip: true, name: "Ada" },
      http_status: 200,
      status_text: "200",
      request_id: "req-42",
    });
  });

  it("uses the compiled reader instead of jsonpath-plus when present", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [
          { source: { kind: "json", path: "$.shipDate", read: () => "from-reader" }, target: "s", type: "string" },
        ],
      },
      variables,
    );
    expect((await go(flow)).variables.s).toBe("from-reader");
  });

  it("leaves a variable unchanged when its path has no match, and says so in the trace", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [
          { source: { kind: "json", path: "$.missing.deep" }, target: "ship_date", type: "string" },
          {
            source: { kind: "json", path: "$.nope", read: (b) => prop(b, "nope") },
            target: "item_count",
            type: "number",
          },
          { source: { kind: "header", name: "X-Absent" }, target: "request_id", type: "string" },
        ],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("ok");
    expect(result.variables).toMatchObject({ ship_date: "unknown", item_count: 0 });
    expect(result.variables).not.toHaveProperty("request_id");
    const end = result.trace.find((e) => e.type === "step.end" && e.widget === "call");
    expect(end).toMatchObject({
      exit: "success",
      changes: [],
      unmatched: [
        { target: "ship_date", source: "$.missing.deep" },
        { target: "item_count", source: "$.nope" },
        { target: "request_id", source: 'header "X-Absent"' },
      ],
    });
  });

  it.each([
    ["a numeric string to a number (strict: no parsing)", "$.count", "n", "number", "string"],
    ["a number to a string", "$.items[0].id", "s", "string", "number"],
    ["null to a string", "$.nothing", "s", "string", "null"],
    ["an object to a boolean", "$.customer", "is_vip", "boolean", "object"],
    ["an array to a number", "$.items", "n", "number", "array"],
  ] as const)("fails on a type mismatch: %s, naming path and types", async (_label, path, target, type, got) => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [
          { source: { kind: "json", path: "$.shipDate" }, target: "ship_date", type: "string" },
          { source: { kind: "json", path }, target, type },
        ],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(result.variables.ship_date).toBe("unknown"); // all results map or none do
    const end = result.trace.find((e) => e.type === "step.end" && e.widget === "call");
    expect(end).toMatchObject({
      exit: "fail",
      error: { code: "result-type", message: `result ${path} -> ${target}: expected ${type}, got ${got}` },
    });
  });

  it("fails on a header mapped to a number", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [{ source: { kind: "header", name: "X-Request-Id" }, target: "n", type: "number" }],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(JSON.stringify(result.trace)).toContain(
      'result header \\"X-Request-Id\\" -> n: expected number, got string',
    );
  });

  it.each([
    ["/not-json", "response body is not valid JSON"],
    ["/empty", "response body is empty, expected JSON"],
  ])("fails on %s when JSON results are mapped", async (path, message) => {
    const flow = httpFlow(
      server.url,
      {
        url: () => server.url + path,
        results: [{ source: { kind: "json", path: "$.a" }, target: "s", type: "string" }],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "invalid-json", message },
    });
  });

  it("does not parse the body when only status and headers are mapped", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/not-json`,
        results: [{ source: { kind: "status" }, target: "http_status", type: "number" }],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("ok");
    expect(result.variables.http_status).toBe(200);
  });

  it("still maps status and headers (not JSON) on a non-2xx final response", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/gone`,
        results: [
          { source: { kind: "status" }, target: "http_status", type: "number" },
          { source: { kind: "header", name: "X-Request-Id" }, target: "request_id", type: "string" },
          { source: { kind: "json", path: "$.error" }, target: "s", type: "string" },
        ],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(result.variables).toMatchObject({ http_status: 410, request_id: "req-410" });
    expect(result.variables).not.toHaveProperty("s");
  });

  it("fails an invalid JSONPath as invalid-path", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/order`,
        results: [{ source: { kind: "json", path: "$.items[?(@.id ==" }, target: "n", type: "number" }],
      },
      variables,
    );
    const result = await go(flow);
    expect(result.outcome.widget).toBe("bad");
    expect(result.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "invalid-path" },
    });
  });
});

describe("requests refused before sending", () => {
  it.each([
    ["a relative URL", () => "/just/a/path", "is not a valid absolute URL"],
    ["a non-http scheme", () => "ftp://127.0.0.1/x", "is not http or https"],
    ["credentials in the URL", () => "http://user:pw@127.0.0.1/x", "credentials in the URL"],
    [
      "a builder that throws",
      () => {
        throw new Error("boom");
      },
      "building the request failed: boom",
    ],
  ])("fails on %s", async (_label, url, message) => {
    const result = await go(httpFlow(server.url, { url }));
    expect(result.outcome.widget).toBe("bad");
    const end = result.trace.find((e) => e.type === "step.end" && e.widget === "call");
    expect(end).toMatchObject({ error: { code: "invalid-request" } });
    expect(end && "error" in end ? end.error?.message : "").toContain(message);
  });

  it("fails a GET with a body rather than dropping the body", async () => {
    const result = await go(
      httpFlow(server.url, { url: () => `${server.url}/get-body`, body: { kind: "text", build: () => "x" } }),
    );
    expect(result.outcome.widget).toBe("bad");
    expect(server.hits("/get-body")).toHaveLength(0);
  });

  it("fails on a header value HTTP cannot carry", async () => {
    const result = await go(
      httpFlow(server.url, { url: () => `${server.url}/non-latin`, headers: () => [["X-Phone", "☎"]] }),
    );
    expect(result.outcome.widget).toBe("bad");
    expect(server.hits("/non-latin")).toHaveLength(0);
  });

  it("fails on a missing secret, naming it and sending nothing", async () => {
    const flow = httpFlow(
      server.url,
      {
        url: () => `${server.url}/secret-missing`,
        secrets: ["CRM_TOKEN", "OTHER"],
        authorization: (_v, s) => `Bearer ${s.CRM_TOKEN}`,
      },
      {},
      ["CRM_TOKEN", "OTHER"],
    );
    const viaEnv = await run(flow, {}, {}); // the default provider, with nothing set
    expect(viaEnv.outcome.widget).toBe("bad");
    expect(viaEnv.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: {
        code: "missing-secret",
        message:
          "missing secret CRM_TOKEN, OTHER (looked for CALLFLOW_SECRET_CRM_TOKEN, CALLFLOW_SECRET_OTHER); request not sent",
      },
    });
    const viaProvider = await run(flow, {}, { secrets: staticSecrets({ CRM_TOKEN: "set", OTHER: "" }) });
    expect(viaProvider.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "missing-secret", message: "missing secret OTHER; request not sent" },
    });
    const throwing = await run(
      flow,
      {},
      {
        secrets: () => {
          throw new Error("vault unreachable");
        },
      },
    );
    expect(throwing.trace.find((e) => e.type === "step.end" && e.widget === "call")).toMatchObject({
      error: { code: "secret-provider", message: "secret provider failed for CRM_TOKEN: vault unreachable" },
    });
    expect(server.hits("/secret-missing")).toHaveLength(0);
  });

  it("reads secrets from CALLFLOW_SECRET_<NAME> by default and resolves each once per run", async () => {
    process.env.CALLFLOW_SECRET_ENV_TOKEN = "from-env";
    try {
      const flow = httpFlow(
        server.url,
        {
          url: () => `${server.url}/env-secret`,
          secrets: ["ENV_TOKEN"],
          authorization: (_v, s) => `Token ${s.ENV_TOKEN}`,
        },
        {},
        ["ENV_TOKEN"],
      );
      expect((await run(flow, {})).outcome.widget).toBe("ok");
      expect(server.hits("/env-secret")[0]!.headers.authorization).toBe("Token from-env");
    } finally {
      delete process.env.CALLFLOW_SECRET_ENV_TOKEN;
    }
    let calls = 0;
    const twice: FlowDefinition<Vars, string, "a" | "b" | "done"> = {
      id: "twice",
      source: "t.flow",
      start: "a",
      variables: {},
      secrets: ["K"],
      steps: {
        a: httpStep("a", `${server.url}/`, { success: "b", fail: "b" }, { secrets: ["K"] }),
        b: httpStep("b", `${server.url}/`, { success: "done", fail: "done" }, { secrets: ["K"] }),
        done: { kind: "end", id: "done", source: "t.flow:9" },
      },
    };
    await run(twice, {}, { secrets: () => (calls++, "k") });
    expect(calls).toBe(1);
  });
});
