// httpHandler (callflow/aws-lambda) answers function URL and HTTP API events as `callflow serve` answers
// `POST /flows/{id}/runs`: the shared table of test/helpers/run-contract.ts, against a real node:http upstream.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpHandler, staticSecrets, type HttpEvent, type HttpHandler } from "../dist/lambda/index.js";
import type { FlowDefinition, Vars } from "../dist/runtime/index.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import {
  CONTRACT_CASES,
  CONTRACT_SECRET,
  CONTRACT_TOKEN,
  contractConfig,
  contractFlow,
  contractHeaders,
  contractPath,
  contractUpstream,
  scriptUpstream,
  withUpstream,
} from "./helpers/run-contract.js";

const documented = JSON.parse(
  readFileSync(new URL("fixtures/aws/function-url-event.json", import.meta.url), "utf8"),
) as HttpEvent;
const context = { getRemainingTimeInMillis: () => 30_000 };

/** The documented function URL event with a request of ours in it. */
function urlEvent(request: {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body: string;
  base64?: boolean;
}): HttpEvent {
  return {
    ...documented,
    rawPath: request.path,
    headers: { ...documented.headers, ...request.headers },
    requestContext: {
      ...documented.requestContext,
      http: { ...documented.requestContext.http, method: request.method ?? "POST", path: request.path },
    },
    body: request.base64 === true ? Buffer.from(request.body).toString("base64") : request.body,
    isBase64Encoded: request.base64 === true,
  };
}

let upstream: TestServer;
let flow: FlowDefinition<Vars, string, string>;
let handler: HttpHandler;

beforeAll(async () => {
  upstream = await contractUpstream();
  flow = await contractFlow();
  handler = httpHandler([flow], {
    secrets: staticSecrets({
      [CONTRACT_SECRET.name]: CONTRACT_SECRET.value,
      [CONTRACT_TOKEN.name]: CONTRACT_TOKEN.value,
    }),
    authSecret: CONTRACT_TOKEN.name,
    config: contractConfig(upstream.url),
  });
});
afterAll(() => upstream.close());

describe("httpHandler: the serve contract", () => {
  for (const c of CONTRACT_CASES) {
    it(c.name, async () => {
      const result = await handler(
        urlEvent({
          path: contractPath(c),
          ...(c.method === undefined ? {} : { method: c.method }),
          headers: contractHeaders(c),
          body: withUpstream(c.body, upstream.url),
        }),
        context,
      );
      expect(result.statusCode).toBe(c.status);
      expect(result.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(JSON.parse(result.body)).toEqual(withUpstream(c.response, upstream.url));
    });
  }

  it("sends the secret upstream and never returns it or the masked value", async () => {
    upstream.reset();
    const result = await handler(
      urlEvent({
        path: "/flows/balance/runs",
        headers: { "content-type": "application/json", authorization: `Bearer ${CONTRACT_TOKEN.value}` },
        body: JSON.stringify({ account: "1001" }),
      }),
      context,
    );
    expect(upstream.hits("/accounts/1001")[0]?.headers.authorization).toBe(`Bearer ${CONTRACT_SECRET.value}`);
    expect(result.body).not.toContain(CONTRACT_SECRET.value);
    expect(result.body).not.toContain("4242");
  });

  it("sends requests where the config says: a body field named like a config does not change it", async () => {
    const elsewhere = await startServer();
    try {
      scriptUpstream(elsewhere);
      upstream.reset();
      for (const [contentType, body] of [
        ["application/json", JSON.stringify({ api_base: elsewhere.url, account: "1001" })],
        ["application/x-www-form-urlencoded", `api_base=${encodeURIComponent(elsewhere.url)}&account=1001`],
      ] as const) {
        const result = await handler(
          urlEvent({
            path: "/flows/balance/runs",
            headers: { "content-type": contentType, authorization: `Bearer ${CONTRACT_TOKEN.value}` },
            body,
          }),
          context,
        );
        expect(result.statusCode).toBe(200);
        expect(JSON.parse(result.body)).toMatchObject({ outcome: "route", widget: "vip_queue" });
      }
      expect(upstream.hits("/accounts/1001")).toHaveLength(2);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("reads a base64 body, and a path under an API Gateway stage", async () => {
    const result = await handler(
      urlEvent({
        path: "/prod/flows/balance/runs",
        headers: { "content-type": "application/json", authorization: `Bearer ${CONTRACT_TOKEN.value}` },
        body: JSON.stringify({ account: "1002" }),
        base64: true,
      }),
      context,
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ outcome: "end", widget: "done" });
  });

  it("says which method a run takes", async () => {
    const get = await handler(
      urlEvent({ path: "/flows/balance/runs", method: "GET", headers: contractHeaders(CONTRACT_CASES[0]!), body: "" }),
      context,
    );
    expect(get.statusCode).toBe(405);
    expect(get.headers["allow"]).toBe("POST");
  });
});

describe("httpHandler: bearer auth", () => {
  const token = "s3cr3t-bearer-token";
  const secrets = staticSecrets({ [CONTRACT_SECRET.name]: CONTRACT_SECRET.value, API_TOKEN: token });
  const request = (headers: Record<string, string>) =>
    urlEvent({
      path: "/flows/balance/runs",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ account: "1002" }),
    });

  it("runs with the right token and refuses a wrong or missing one without running", async () => {
    const guarded = httpHandler(flow, { secrets, authSecret: "API_TOKEN", config: contractConfig(upstream.url) });
    upstream.reset();
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: token }]) {
      const refused = await guarded(request(headers), context);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers["www-authenticate"]).toMatch(/^Bearer /);
      expect(refused.body).not.toContain(token);
    }
    expect(upstream.hits("/accounts/1002")).toHaveLength(0);
    const allowed = await guarded(request({ authorization: `Bearer ${token}` }), context);
    expect(allowed.statusCode).toBe(200);
  });

  it("fails closed when the token's secret has no value", async () => {
    const guarded = httpHandler(flow, { secrets: staticSecrets({}), authSecret: "API_TOKEN" });
    const result = await guarded(request({ authorization: "Bearer anything" }), context);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: "auth-not-configured", message: "the secret API_TOKEN has no value" },
    });
  });
});
