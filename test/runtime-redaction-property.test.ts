// Property: random secret and masked values (printable Unicode, every URL-special character)
// used in a URL path, a query, headers, JSON and form bodies, a message and as the whole URL,
// against a server that echoes every request back into unmasked variables and against a host
// that refuses connections, never appear in any form (raw, percent-, form- or JSON-encoded,
// lower-cased, as a normalised URL) in `run()`'s events, trace and outcome, nor in anything
// `callflow run` prints (timeline, --json, stderr), run as a real child process.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, staticSecrets, type TraceEvent } from "../runtime/index.js";
import type { FlowDefinition, HttpStep, Vars } from "../runtime/flow.js";
import { encodeSegment, toText } from "../runtime/helpers.js";
import { v } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { TRANSPORTS } from "./helpers/transports.js";

const ROOT = path.resolve(import.meta.dirname, "..");

let server: TestServer;
let refused: string;
beforeAll(async () => {
  server = await startServer();
  const closed = await startServer();
  refused = closed.url;
  await closed.close();
});
afterAll(() => server.close());

const URL_SPECIAL = Array.from(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const printable = (ch: string): boolean => /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]$/u.test(ch);
// Mostly Latin-1, which headers can carry (a value beyond it fails its header step before sending).
const char = fc.oneof(
  { arbitrary: fc.constantFrom(...URL_SPECIAL), weight: 8 },
  { arbitrary: fc.constantFrom(...Array.from("abcXYZ019")), weight: 8 },
  { arbitrary: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCodePoint(c)), weight: 2 },
  { arbitrary: fc.integer({ min: 0x100, max: 0x2fff }).map((c) => String.fromCodePoint(c)), weight: 1 },
  { arbitrary: fc.integer({ min: 0x1f300, max: 0x1f64f }).map((c) => String.fromCodePoint(c)), weight: 1 },
);
/** Long enough that it cannot occur in output by chance (a masked value must be 4+ to be searched for at all). */
const value = fc
  .array(
    char.filter((ch) => printable(ch)),
    { minLength: 8, maxLength: 20 },
  )
  .map((chars) => chars.join(""));

/** Every form a value could leak in. */
function forms(text: string): string[] {
  const json = JSON.stringify(text).slice(1, -1);
  const list = [
    text,
    encodeURIComponent(text),
    encodeURI(text),
    new URLSearchParams([["", text]]).toString().slice(1),
    json,
    JSON.stringify(json).slice(1, -1), // JSON text inside a JSON string (an echoed body)
  ];
  if (URL.canParse(text)) list.push(new URL(text).href);
  return [...new Set([...list, ...list.map((form) => form.toLowerCase())])];
}

function leaks(output: string, values: readonly string[]): string[] {
  return values.flatMap((hidden) => forms(hidden).filter((form) => output.includes(form)));
}

type W = "path" | "hdr" | "json" | "form" | "whole" | "say" | "done";

function http(id: W, next: W, extra: Partial<HttpStep<Vars, string, W>>): HttpStep<Vars, string, W> {
  return {
    kind: "http",
    id,
    source: `p.flow:${id}`,
    method: "GET",
    secrets: ["S", "U"],
    url: () => "",
    secretHeaders: [],
    retry: 0,
    results: [{ source: { kind: "json", path: "$" }, target: `echo_${id}`, type: "json" }],
    success: next,
    fail: next,
    ...extra,
  };
}

/** Every place a value can go, each step's echo mapped into an unmasked variable. */
function leakyFlow(base: string): FlowDefinition<Vars, string, W> {
  return {
    id: "leaky",
    source: "p.flow",
    start: "path",
    secrets: ["S", "U"],
    variables: {
      m: v.global("string", { masked: true }),
      echo_path: v.local("json"),
      echo_hdr: v.local("json"),
      echo_json: v.local("json"),
      echo_form: v.local("json"),
      echo_whole: v.local("json"),
    },
    steps: {
      path: http("path", "hdr", {
        url: (vars, s) => `${base}/p/${encodeSegment(s.S)}/${encodeSegment(vars.m)}`,
        query: (vars, s) => [
          ["s", toText(s.S)],
          ["m", toText(vars.m)],
        ],
      }),
      hdr: http("hdr", "json", {
        url: () => `${base}/h`,
        headers: (vars, s) => [
          ["X-S", toText(s.S)],
          ["X-M", toText(vars.m)],
        ],
        secretHeaders: ["X-S"],
      }),
      json: http("json", "form", {
        method: "POST",
        url: () => `${base}/j`,
        body: { kind: "json", build: (vars, s) => ({ s: s.S, m: vars.m }) },
      }),
      form: http("form", "whole", {
        method: "PUT",
        url: () => `${base}/f`,
        body: {
          kind: "form",
          build: (vars, s) => [
            ["s", toText(s.S)],
            ["m", toText(vars.m)],
          ],
        },
      }),
      whole: http("whole", "say", { url: (_vars, s) => toText(s.U) }),
      say: { kind: "send", id: "say", source: "p.flow:say", message: (vars) => `m=${toText(vars.m)}`, next: "done" },
      done: { kind: "end", id: "done", source: "p.flow:done" },
    },
  };
}

/** A whole URL that is itself a secret, with the value in its path, on `base`'s host spelled in capitals. */
const wholeUrl = (base: string, secret: string): string => `${base.replace("127.0.0.1", "LOCALHOST")}/w/./${secret}`;

describe.each(TRANSPORTS)("with %s", (_name, fetch) => {
  it("no form of a secret or masked value appears in run() events, trace or outcome", async () => {
    await fc.assert(
      fc.asyncProperty(value, value, value, async (secret, masked, tail) => {
        const output: string[] = [];
        const sent: string[] = [];
        for (const base of [server.url, refused]) {
          const url = wholeUrl(base, tail);
          const result = await run(
            leakyFlow(base),
            { m: masked },
            {
              fetch,
              secrets: staticSecrets({ S: secret, U: url }),
              onEvent: (event: TraceEvent) => output.push(JSON.stringify(event)),
              onSend: (message) => void sent.push(message),
            },
          );
          output.push(JSON.stringify(result.trace), JSON.stringify(result.outcome));
          expect(leaks(output.join("\n"), [secret, masked, url])).toEqual([]);
        }
        expect(sent).toEqual([`m=${masked}`, `m=${masked}`]); // the host still hears the real value
      }),
      { numRuns: 100 },
    );
    // The values really went out: the echo server saw requests on every path.
    for (const p of ["/h", "/j", "/f"]) expect(server.hits(p).length).toBeGreaterThan(0);
  });
});

// The same places in a .flow file, run by the built CLI.
const FLOW = `flow leaky {
  config api_base: url
  global m: string masked
  local echo_path: json
  local echo_hdr: json
  local echo_json: json
  local echo_form: json
  local echo_whole: json
  secret S
  secret U

  start -> path

  http path {
    method GET
    url "{{api_base}}/p/{{secret.S}}/{{m}}"
    query {
      s = "{{secret.S}}"
      m = m
    }
    results { "$" -> echo_path }
    success -> hdr
    fail -> hdr
  }

  http hdr {
    method GET
    url "{{api_base}}/h"
    headers {
      "X-S" = "{{secret.S}}"
      "X-M" = m
    }
    results { "$" -> echo_hdr }
    success -> json_body
    fail -> json_body
  }

  http json_body {
    method POST
    url "{{api_base}}/j"
    body json { "s": secret.S, "m": m }
    results { "$" -> echo_json }
    success -> form_body
    fail -> form_body
  }

  http form_body {
    method PUT
    url "{{api_base}}/f"
    body form {
      s = "{{secret.S}}"
      m = m
    }
    results { "$" -> echo_form }
    success -> whole
    fail -> whole
  }

  http whole {
    method GET
    url "{{secret.U}}"
    results { "$" -> echo_whole }
    success -> say
    fail -> say
  }

  send say {
    message "m={{m}}"
    next -> done
  }

  end done
}
`;

/** The CLI as package.json publishes it (its folder may move). */
function cliPath(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: { callflow: string } };
  return path.join(ROOT, pkg.bin.callflow);
}

function callflow(args: readonly string[], env: Readonly<Record<string, string>>, cwd: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("CALLFLOW_SECRET_")));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cliPath(), ...args],
      { cwd, env: { ...base, NO_COLOR: "1", ...env }, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

describe("callflow run", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "callflow-redaction-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints no form of a secret or masked value in its timeline, --json output or stderr", async () => {
    writeFileSync(path.join(dir, "leaky.flow"), FLOW);
    await fc.assert(
      fc.asyncProperty(value, value, value, async (secret, masked, tail) => {
        for (const base of [server.url, refused]) {
          const url = wholeUrl(base, tail);
          const env = { CALLFLOW_SECRET_S: secret, CALLFLOW_SECRET_U: url };
          const args = ["run", "leaky.flow", "--config", `api_base=${base}`, "-g", `m=${masked}`];
          for (const extra of [[], ["--json"]]) {
            const ran = await callflow([...args, ...extra], env, dir);
            expect(ran.stdout).toContain(extra.length === 0 ? "▶ run leaky" : '"type":"run.end"');
            expect(leaks(ran.stdout + ran.stderr, [secret, masked, url])).toEqual([]);
          }
        }
      }),
      { numRuns: 3 },
    );
  });
});
