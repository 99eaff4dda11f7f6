// Secrets and masked values never leave the runtime in any form: every trace event, every
// onEvent payload, every outcome and error is scanned for them, raw and encoded.
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  crossFetchTransport,
  MASK,
  run,
  staticSecrets,
  type FetchLike,
  type RunOptions,
  type Transport,
} from "../runtime/index.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import { encodeSegment, toText } from "../runtime/helpers.js";
import { flowOf, httpStep, v } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

let server: TestServer;
let refused: string;
beforeAll(async () => {
  server = await startServer();
  const closed = await startServer();
  refused = closed.url;
  await closed.close();
});
afterAll(() => server.close());

// Characters that change under URL, form and JSON encoding, so each form is exercised.
const TOKEN = 'tok+/=&?é"\\ Zq9-alpha';
const HOOK = "hook-key-7f3a9c51";
const PIN = "masked-pin-8841";

const forms = (value: string): string[] => [
  value,
  encodeURIComponent(value),
  new URLSearchParams([["", value]]).toString().slice(1),
  JSON.stringify(value).slice(1, -1),
  JSON.stringify(JSON.stringify(value)).slice(1, -1), // as it looks inside JSON-serialised trace text
];

type W = "call" | "relay" | "say" | "end" | "oops";
const variables = {
  seen_auth: v.local("string"),
  seen_url: v.local("string"),
  seen_body: v.local("string"),
  pin: v.local("string", { masked: true }),
  note: v.local("string"),
};

function leakyFlow(base: string, retry = 0): FlowDefinition<Vars, string, W> {
  return flowOf<W>(
    "call",
    {
      call: httpStep<W>(
        "call",
        "",
        { success: "relay", fail: "oops" },
        {
          method: "POST",
          secrets: ["TOKEN", "HOOK"],
          retry,
          url: (_v, s) => `${base}/echo/${encodeSegment(s.TOKEN)}`,
          query: (_v, s) => [["key", s.TOKEN ?? ""]],
          authorization: (_v, s) => `Bearer ${s.TOKEN}`,
          headers: (_v, s) => [["X-Hook-Key", s.HOOK ?? ""]],
          secretHeaders: ["X-Hook-Key"],
          body: { kind: "json", build: (_v, s) => ({ token: s.TOKEN, hook: s.HOOK }) },
          results: [
            { source: { kind: "json", path: "$.headers.authorization" }, target: "seen_auth", type: "string" },
            { source: { kind: "json", path: "$.url" }, target: "seen_url", type: "string" },
            { source: { kind: "json", path: "$.body" }, target: "seen_body", type: "string" },
          ],
        },
      ),
      relay: {
        kind: "set",
        id: "relay",
        source: "t:2",
        assign: (vars) => ({ pin: PIN, note: `auth was ${toText(vars.seen_auth)} and pin ${PIN}` }),
        next: "say",
      },
      say: {
        kind: "send",
        id: "say",
        source: "t:3",
        message: (vars) => `${toText(vars.note)} / ${toText(vars.seen_url)} / ${toText(vars.seen_body)}`,
        next: "end",
      },
      end: { kind: "end", id: "end", source: "t:4" },
      oops: { kind: "send", id: "oops", source: "t:5", message: () => `failed; token ${TOKEN}`, next: "end" },
    },
    variables,
    ["TOKEN", "HOOK"],
  );
}

it("no secret or masked value appears in any trace, event, outcome or error", async () => {
  server.route(`/500/echo/${encodeURIComponent(TOKEN)}`, { status: 500 });
  const output: string[] = [];
  const sent: string[] = [];
  const secrets = staticSecrets({ TOKEN, HOOK });
  const runAll = async (fetch: Transport | FetchLike) => {
    const options: RunOptions<Vars, W> = {
      transport: fetch,
      secrets,
      retryBaseDelayMs: 1,
      retryMaxDelayMs: 1,
      onEvent: (event) => output.push(JSON.stringify(event)),
      onSend: (message) => void sent.push(message),
    };
    const cases: Array<[FlowDefinition<Vars, string, W>, RunOptions<Vars, W>]> = [
      [leakyFlow(server.url), {}], // success: the server echoes every secret back
      [leakyFlow(`${server.url}/500`, 1), {}], // status failure with retries
      [leakyFlow(refused, 1), {}], // network error: messages quote the URL
      [leakyFlow(`not a url ${TOKEN}`), {}], // build error quoting the URL
      [leakyFlow(server.url), { maxResponseBytes: 10 }], // too large
    ];
    for (const [flow, extra] of cases) {
      const result = await run(flow, {}, { ...options, ...extra });
      output.push(JSON.stringify(result.trace), JSON.stringify(result.outcome));
    }
    // A redirect whose Location carries the token.
    server.route("/go", { redirect: `/landing?t=${encodeURIComponent(TOKEN)}` });
    const redirect = await run(
      flowOf<W>(
        "call",
        {
          ...leakyFlow(server.url).steps,
          call: httpStep<W>(
            "call",
            "",
            { success: "end", fail: "end" },
            { secrets: ["TOKEN"], url: () => `${server.url}/go` },
          ),
        },
        {},
        ["TOKEN"],
      ),
      {},
      options,
    );
    output.push(JSON.stringify(redirect.trace));
    expect(redirect.trace.some((e) => e.type === "http.redirect")).toBe(true);
  };
  await runAll(crossFetchTransport);
  await runAll(globalThis.fetch);

  // The values really were used: the server saw them and the host's onSend got real text.
  expect(server.hits(`/echo/${encodeURIComponent(TOKEN)}`)[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  expect(server.hits(`/echo/${encodeURIComponent(TOKEN)}`)[0]!.headers["x-hook-key"]).toBe(HOOK);
  expect(sent.some((m) => m.includes(PIN))).toBe(true);

  const all = output.join("\n");
  if (process.env.CALLFLOW_DUMP_TRACE) console.log(all);
  expect(all.length).toBeGreaterThan(10_000);
  for (const secret of [TOKEN, HOOK, PIN]) {
    for (const form of forms(secret)) expect(all, `a form of a secret: ${JSON.stringify(form)}`).not.toContain(form);
  }
  expect(all).toContain(MASK);
  expect(all).toContain('["Authorization","••••"]');
  expect(all).toContain('["X-Hook-Key","••••"]');
  expect(all).toContain('"code":"network"');
  expect(all).toContain('"code":"status"');
  expect(all).toContain('"code":"invalid-request"');
  expect(all).toContain('"code":"too-large"');
});

it("a missing secret's error names it and never a value", async () => {
  const result = await run(leakyFlow(server.url), {}, { secrets: staticSecrets({ TOKEN }) });
  const text = JSON.stringify(result);
  expect(text).toContain("missing secret HOOK; request not sent");
  for (const form of forms(TOKEN)) expect(text).not.toContain(form);
});
