// The runtime under hostile values and hostile servers (issue 13): secrets and masked values
// shown as •••• by construction whatever encoding they went through, masked numbers, hidden
// bodies kept from other origins, compression bombs, truncated bodies and deep JSON. Each
// against a real node:http server, with both fetch implementations.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MASK, run, staticSecrets, type RunOptions, type StepEndEvent, type TraceEvent } from "../runtime/index.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import { asTransport } from "../runtime/transport.js";
import { encodeSegment, toText } from "../runtime/helpers.js";
import { flowOf, httpFlow, httpStep, v, type Widget } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { TRANSPORTS } from "./helpers/transports.js";

let server: TestServer;
let other: TestServer;
let refused: string;
beforeAll(async () => {
  server = await startServer();
  other = await startServer();
  const closed = await startServer();
  refused = closed.url;
  await closed.close();
});
afterAll(async () => {
  await server.close();
  await other.close();
});

const fast: RunOptions<Vars, string> = { retryBaseDelayMs: 1, retryMaxDelayMs: 2 };

/** Forms a leaked value could take in output: raw, percent-, form- and JSON-encoded, lower-cased. */
function forms(value: string): string[] {
  const list = [
    value,
    encodeURIComponent(value),
    encodeURI(value),
    new URLSearchParams([["", value]]).toString().slice(1),
    JSON.stringify(value).slice(1, -1),
  ];
  return [...list, ...list.map((form) => form.toLowerCase())];
}

function expectHidden(output: string, values: readonly string[]): void {
  for (const value of values)
    for (const form of forms(value)) expect(output, `a form of ${JSON.stringify(value)}`).not.toContain(form);
}

const stepEnd = (trace: readonly TraceEvent<string>[], widget: string): StepEndEvent<string> =>
  trace.find((e): e is StepEndEvent<string> => e.type === "step.end" && e.widget === widget)!;

describe.each(TRANSPORTS)("with %s", (name, fetch) => {
  const options = { ...fast, transport: fetch };
  // A fetch that decodes by itself is not asked for br, and a br answer is refused (runtime/attempt.ts).
  const refusesBr = asTransport(fetch).decodes;

  describe("1: secrets are shown as •••• by construction", () => {
    // Characters node-fetch, URL parsers and encoders each treat differently.
    const TOKEN = "abc'def(1)!~^| /./Xy";

    it("in a URL path the transport could not reach: the error is the runtime's own, the URL built with ••••", async () => {
      const flow = httpFlow(
        refused,
        { secrets: ["TOKEN"], url: (_v, s) => `${refused}/v1/${encodeSegment(s.TOKEN)}/status?k=${s.TOKEN}` },
        {},
        ["TOKEN"],
      );
      const result = await run(flow, {}, { ...options, secrets: staticSecrets({ TOKEN }) });
      const output = JSON.stringify(result);
      expectHidden(output, [TOKEN]);
      expect(output).not.toContain("abc%27def"); // node-fetch's own re-encoding of the path
      const start = result.trace.find((e) => e.type === "http.attempt.start");
      expect(start).toMatchObject({ url: `${refused}/v1/${MASK}/status?k=${MASK}` });
      expect(stepEnd(result.trace, "call").error).toEqual({
        code: "network",
        message: "connection refused (ECONNREFUSED)",
      });
    });

    it("as the whole URL, which the URL parser lower-cases and normalises", async () => {
      const port = new URL(server.url).port;
      const secretUrl = `http://LOCALHOST:${port}/T0/./B0/XyZsecret-${name}`;
      const flow = httpFlow(server.url, { secrets: ["URL"], url: (_v, s) => toText(s.URL) }, {}, ["URL"]);
      const result = await run(flow, {}, { ...options, secrets: staticSecrets({ URL: secretUrl }) });
      expect(result.outcome.widget).toBe("ok");
      expect(server.hits(`/T0/B0/XyZsecret-${name}`)).toHaveLength(1);
      const output = JSON.stringify(result);
      expectHidden(output, [secretUrl, new URL(secretUrl).href]);
      expect(result.trace.find((e) => e.type === "http.attempt.start")).toMatchObject({ url: MASK });
    });

    it("in a header and a query value built from a masked variable, shown in place", async () => {
      const flow = httpFlow(
        server.url,
        {
          url: (vars) => `${server.url}/accounts/${encodeSegment(vars.account)}`,
          query: (vars) => [["acct", toText(vars.account)]],
          headers: (vars) => [["X-Account", `acct ${toText(vars.account)}`]],
        },
        { account: v.global("string", { masked: true }) },
      );
      // Short: too short to be searched for, so only construction can hide it.
      const result = await run(flow, { account: "7" }, options);
      expect(result.outcome.widget).toBe("ok");
      expect(server.hits("/accounts/7")[0]!.headers["x-account"]).toBe("acct 7");
      expect(result.trace.find((e) => e.type === "http.attempt.start")).toMatchObject({
        url: `${server.url}/accounts/${MASK}?acct=${MASK}`,
        headers: [["X-Account", MASK]],
      });
    });
  });

  describe("2: masked numbers", () => {
    const PIN = 987654;
    type W = "say" | "call" | "done";
    const flow = (base: string): FlowDefinition<Vars, string, W> =>
      flowOf<W>(
        "say",
        {
          say: {
            kind: "send",
            id: "say",
            source: "t:1",
            message: (vars) => `Your PIN is ${toText(vars.pin)}, code ${toText(vars.code)}, card ${toText(vars.card)}`,
            next: "call",
          },
          call: httpStep<W>(
            "call",
            "",
            { success: "done", fail: "done" },
            {
              method: "POST",
              url: (vars) => `${base}/pins/${encodeSegment(vars.pin)}`,
              body: { kind: "json", build: (vars) => ({ pin: vars.pin, card: vars.card }) },
            },
          ),
          done: { kind: "end", id: "done", source: "t:3" },
        },
        {
          pin: v.global("number", { masked: true }),
          code: v.global("number", { masked: true }),
          card: v.global("json", { masked: true }),
        },
      );

    it("reach onSend as they are, and are •••• in the message, URL and variables traces show", async () => {
      const sent: string[] = [];
      const input = { pin: PIN, code: 7, card: { pan: 4111111111111111, exp: 1227 } };
      const result = await run(flow(server.url), input, { ...options, onSend: (m) => void sent.push(m) });
      expect(sent).toEqual([`Your PIN is ${PIN}, code 7, card {"pan":4111111111111111,"exp":1227}`]);
      expect(stepEnd(result.trace, "say").message).toBe(`Your PIN is ${MASK}, code ${MASK}, card ${MASK}`);
      expect(result.trace.find((e) => e.type === "http.attempt.start")).toMatchObject({
        url: `${server.url}/pins/${MASK}`,
      });
      expect(result.trace[0]).toMatchObject({ variables: { pin: MASK, code: MASK, card: MASK } });
      expect(server.hits(`/pins/${PIN}`)[0]!.body).toBe(`{"pin":${PIN},"card":{"pan":4111111111111111,"exp":1227}}`);
      const output = JSON.stringify(result.trace) + JSON.stringify(result.outcome);
      for (const hidden of [String(PIN), "4111111111111111", "1227"]) expect(output).not.toContain(hidden);
    });

    it("are hidden where an onSend handler's error quotes the message it was given", async () => {
      const result = await run(
        flow(server.url),
        { pin: 12, code: 7, card: {} },
        {
          ...options,
          onSend: (message) => {
            throw new Error(`cannot say ${message}`);
          },
        },
      );
      expect(stepEnd(result.trace, "say").error).toEqual({
        code: "handler",
        message: `onSend handler threw: cannot say Your PIN is ${MASK}, code ${MASK}, card ${MASK}`,
      });
    });

    it("are hidden in error messages too", async () => {
      const result = await run(flow(refused), { pin: PIN, code: 7, card: {} }, options);
      // `variables` are the host's own, real values; everything else is output.
      expect(JSON.stringify([result.trace, result.outcome])).not.toContain(String(PIN));
      expect(stepEnd(result.trace, "call").error?.code).toBe("network");
    });
  });

  describe("3: a body holding a hidden value never follows a redirect to another origin", () => {
    const post = (path: string, body: (vars: Vars, s: Record<string, string | undefined>) => unknown) =>
      httpFlow(
        server.url,
        { method: "POST", secrets: ["TOK"], url: () => server.url + path, body: { kind: "json", build: body } },
        { card: v.global("string", { masked: true }) },
        ["TOK"],
      );
    const secrets = staticSecrets({ TOK: "tok-secret-5521" });

    it.each([307, 308] as const)("fails a %s to another origin with a redirect error naming both", async (status) => {
      for (const [what, body] of [
        ["secret", (_v: Vars, s: Record<string, string | undefined>) => ({ token: s.TOK })],
        ["masked", (vars: Vars) => ({ card: vars.card })],
      ] as const) {
        const path = `/hop-${status}-${what}-${name}`;
        server.route(path, { redirect: `${other.url}/landing-${path.slice(1)}`, status });
        const result = await run(post(path, body), { card: "4111-2222" }, { ...options, secrets });
        expect(result.outcome.widget).toBe("bad");
        const error = stepEnd(result.trace, "call").error!;
        expect(error.code).toBe("redirect");
        expect(error.message).toBe(
          `status ${status} redirects to another origin (${server.url} to ${other.url}); ` +
            "a body holding a secret or masked value is not sent there",
        );
        expect(other.hits(`/landing-${path.slice(1)}`)).toHaveLength(0);
      }
    });

    it("names an origin built from a masked value as •••• in the redirect error", async () => {
      const path = `/hop-masked-host-${name}`;
      server.route(path, { redirect: `${other.url}/landing-masked-host`, status: 307 });
      const port = new URL(server.url).port;
      const flow = httpFlow(
        server.url,
        {
          method: "POST",
          url: (vars) => `http://${toText(vars.host)}:${port}${path}`,
          body: { kind: "json", build: (vars) => ({ host: vars.host }) },
        },
        { host: v.global("string", { masked: true }) },
      );
      const result = await run(flow, { host: "localhost" }, options);
      expect(stepEnd(result.trace, "call").error).toEqual({
        code: "redirect",
        message:
          `status 307 redirects to another origin (http://${MASK}:${port} to ${other.url}); ` +
          "a body holding a secret or masked value is not sent there",
      });
    });

    it("follows a 307 with a hidden body within the origin, and one with a plain body across origins", async () => {
      server.route(`/same-${name}`, { redirect: `/landing-same-${name}`, status: 307 });
      const same = await run(
        post(`/same-${name}`, (_v, s) => ({ token: s.TOK })),
        { card: "x" },
        { ...options, secrets },
      );
      expect(same.outcome.widget).toBe("ok");
      expect(server.hits(`/landing-same-${name}`)[0]!.body).toBe('{"token":"tok-secret-5521"}');

      server.route(`/cross-plain-${name}`, { redirect: `${other.url}/landing-plain-${name}`, status: 307 });
      const plain = await run(
        post(`/cross-plain-${name}`, () => ({ order: 1 })),
        { card: "x" },
        { ...options, secrets },
      );
      expect(plain.outcome.widget).toBe("ok");
      expect(other.hits(`/landing-plain-${name}`)[0]!.body).toBe('{"order":1}');
    });
  });

  describe("4: values copied out of masked variables stay hidden", () => {
    type W = "copy" | "call" | "done";
    const flow = flowOf<W>(
      "copy",
      {
        copy: {
          kind: "set",
          id: "copy",
          source: "t:1",
          assign: (vars) => ({ note: `pin ${toText(vars.pin)}`, count: 2 }),
          next: "call",
        },
        call: httpStep<W>(
          "call",
          "",
          { success: "done", fail: "done" },
          {
            url: (vars) => `${server.url}/notes-${name}/${encodeSegment(vars.note)}`,
            headers: (vars) => [["X-Card", toText(vars.card)]],
            results: [{ source: { kind: "json", path: "$.headers.x-card" }, target: "echoed", type: "string" }],
          },
        ),
        done: { kind: "end", id: "done", source: "t:3" },
      },
      {
        pin: v.global("string", { masked: true }),
        card: v.global("string", { masked: true }),
        note: v.local("string"),
        count: v.local("number"),
        echoed: v.local("string"), // what the server echoes lands here, unmasked
      },
    );

    it("in a set: shown in place, then in URLs built from the copy, even when too short to search for", async () => {
      const result = await run(flow, { pin: "12", card: "8841-7730" }, options);
      expect(result.outcome.widget).toBe("done");
      expect(server.hits(`/notes-${name}/pin%2012`)).toHaveLength(1);
      expect(stepEnd(result.trace, "copy").changes).toEqual([
        { name: "note", value: `pin ${MASK}` },
        { name: "count", value: 2 },
      ]);
      expect(result.trace.find((e) => e.type === "http.attempt.start")).toMatchObject({
        url: `${server.url}/notes-${name}/pin%20${MASK}`,
      });
    });

    it("in results: a masked value a server echoes into an unmasked variable is still hidden", async () => {
      const result = await run(flow, { pin: "12", card: "8841-7730" }, options);
      expect(result.variables.echoed).toBe("8841-7730");
      expect(stepEnd(result.trace, "call").changes).toEqual([{ name: "echoed", value: MASK }]);
      expect(JSON.stringify(result.trace)).not.toContain("8841");
    });
  });

  describe("5: compressed bodies are decoded within maxResponseBytes", () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const bombs: Array<[string, Uint8Array]> = [
      ["br", brotliCompressSync(zeros)],
      ["deflate", deflateSync(zeros)],
      ["deflate", deflateRawSync(zeros)],
      ["gzip", gzipSync(zeros)],
      ["gzip, br", brotliCompressSync(gzipSync(zeros))],
    ];

    it.each(bombs.map(([encoding, body], i) => [encoding, body, i] as const))(
      "fails a %s bomb as too-large",
      async (encoding, body, i) => {
        const path = `/bomb-${i}-${name}`;
        server.route(path, { body, headers: { "Content-Encoding": encoding, "Content-Type": "application/json" } });
        const result = await run(
          httpFlow(server.url, { url: () => server.url + path }),
          {},
          {
            ...options,
            maxResponseBytes: 100_000,
          },
        );
        expect(result.outcome.widget).toBe("bad");
        expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({
          status: 200,
          error: { code: refusesBr && encoding.includes("br") ? "network" : "too-large" },
        });
      },
    );

    // br answers to a fetch that decodes by itself are refused unread (the next test).
    const decodable: Array<readonly [string, (body: Buffer) => Buffer]> = [
      ["br", (body) => brotliCompressSync(body)],
      ["deflate", (body) => deflateRawSync(body)],
      ["gzip, br", (body) => brotliCompressSync(gzipSync(body))],
    ];
    it.each(decodable.filter(([encoding]) => !(refusesBr && encoding.includes("br"))))(
      "maps a %s body within the limit, reporting its decoded size",
      async (encoding, compress) => {
        const text = JSON.stringify({ city: "Zürich", note: "€".repeat(3000) });
        const path = `/decoded-${encoding.replace(/\W/g, "")}-${name}`;
        server.route(path, {
          body: compress(Buffer.from(text)),
          headers: { "Content-Encoding": encoding, "Content-Type": "application/json" },
        });
        const result = await run(
          httpFlow(
            server.url,
            {
              url: () => server.url + path,
              results: [{ source: { kind: "json", path: "$.city" }, target: "city", type: "string" }],
            },
            { city: v.local("string") },
          ),
          {},
          options,
        );
        expect(result.outcome.widget).toBe("ok");
        expect(result.variables.city).toBe("Zürich");
        expect(result.trace.find((e) => e.type === "http.attempt.end")).toMatchObject({
          bytes: Buffer.byteLength(text),
        });
      },
    );

    it("asks for the encodings it can bound, and refuses one it did not ask for unread", async () => {
      const path = `/accept-${name}`;
      server.route(path, (request) => ({
        body: brotliCompressSync(Buffer.from(JSON.stringify({ asked: request.headers["accept-encoding"] }))),
        headers: { "Content-Encoding": "br", "Content-Type": "application/json" },
      }));
      const flow = httpFlow(
        server.url,
        {
          url: () => server.url + path,
          results: [{ source: { kind: "json", path: "$.asked" }, target: "asked", type: "string" }],
        },
        { asked: v.local("string") },
      );
      const result = await run(flow, {}, options);
      expect(server.hits(path)[0]!.headers["accept-encoding"]).toBe(refusesBr ? "gzip, deflate" : "gzip, deflate, br");
      if (refusesBr) {
        expect(stepEnd(result.trace, "call").error).toEqual({
          code: "network",
          message: "the response uses a content encoding that was not asked for; not read",
        });
      } else {
        expect(result.variables.asked).toBe("gzip, deflate, br");
      }
    });
  });

  describe("6: a body cut short is a network failure at once", () => {
    it("when the connection closes before Content-Length is reached, and is retried", async () => {
      const path = `/short-${name}`;
      server.route(path, { truncate: { declared: 1000, body: '{"items": [1,' } }, { json: { items: [1] } });
      const result = await run(
        httpFlow(server.url, { url: () => server.url + path, retry: 1, timeoutMs: 30_000 }),
        {},
        options,
      );
      expect(result.outcome.widget).toBe("ok");
      const ends = result.trace.filter((e) => e.type === "http.attempt.end");
      expect(ends.map((e) => e.error?.code ?? e.status)).toEqual(["network", 200]);
      expect(ends[0]!.error!.message).toContain("connection closed before the response was complete");
    });

    it("when the connection closes in the middle of a chunked body", async () => {
      const path = `/short-chunked-${name}`;
      server.route(path, { reset: true, partial: '{"items": [1,' });
      const result = await run(httpFlow(server.url, { url: () => server.url + path, timeoutMs: 30_000 }), {}, options);
      expect(stepEnd(result.trace, "call").error).toMatchObject({ code: "network" });
    });
  });

  describe("7: deep JSON", () => {
    const deep = (levels: number): string => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);

    it("fails the step as too-deep (Fail exit) and the run resolves", async () => {
      const path = `/deep-${name}`;
      server.route(path, { body: deep(20_000), headers: { "Content-Type": "application/json" } });
      const flow = httpFlow(
        server.url,
        {
          secrets: ["TOK"],
          authorization: (_v, s) => `Bearer ${s.TOK}`,
          url: () => server.url + path,
          results: [
            { source: { kind: "json", path: "$" }, target: "whole", type: "json" },
            { source: { kind: "json", path: "$" }, target: "hidden", type: "json" },
          ],
        },
        { whole: v.local("json"), hidden: v.local("json", { masked: true }) },
        ["TOK"],
      );
      const result = await run(flow, {}, { ...options, secrets: staticSecrets({ TOK: "tok-1234" }) });
      expect(result.outcome).toEqual({ kind: "end", widget: "bad" });
      expect(stepEnd(result.trace, "call").error).toEqual({
        code: "too-deep",
        message: "response body is nested deeper than maxJsonDepth (100)",
      });
    });

    it("maps JSON exactly as deep as maxJsonDepth", async () => {
      const path = `/deep-ok-${name}`;
      server.route(path, { body: deep(5), headers: { "Content-Type": "application/json" } });
      const flow = httpFlow(
        server.url,
        {
          url: () => server.url + path,
          results: [{ source: { kind: "json", path: "$.a.a" }, target: "whole", type: "json" }],
        },
        { whole: v.local("json") },
      );
      const result = await run(flow, {}, { ...options, maxJsonDepth: 5 });
      expect(result.outcome.widget).toBe("ok");
      expect(result.variables.whole).toEqual(JSON.parse(deep(3)));
    });
  });
});

describe("transport error messages", () => {
  it("never quote the transport's text, which carries the URL as it re-encoded it", async () => {
    const result = await run(httpFlow(refused, {}), {}, fast as RunOptions<Vars, Widget>);
    expect(stepEnd(result.trace, "call").error).toEqual({
      code: "network",
      message: "connection refused (ECONNREFUSED)",
    });
  });
});
