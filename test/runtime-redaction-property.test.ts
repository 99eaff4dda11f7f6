// Property: random secret and masked values (printable Unicode, every URL-special character)
// used in a URL path, a query, headers, JSON and form bodies, a message and as the whole URL,
// against a server that echoes every request back into unmasked variables and against a host
// that refuses connections, never appear in any form (raw, percent-, form- or JSON-encoded,
// lower-cased, as a normalised URL) in `run()`'s events, trace and outcome, nor in anything
// `callflow run` prints (timeline, --json, stderr), run as a real child process. Secrets and
// masked values of 1 to 4 characters, and words of the runtime's own vocabulary, hide values but
// leave every event, the outcome and the CLI's output in their shape.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, staticSecrets, type TraceEvent } from "../runtime/index.js";
import type { FlowDefinition, HttpStep, Vars } from "../runtime/flow.js";
import { encodeSegment, toText } from "../runtime/helpers.js";
import { MIN_MASKED_SEARCH_LENGTH } from "../runtime/redact.js";
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

/** Words that occur in the runtime's events, keys and vocabulary, and in the CLI's output. */
const VOCABULARY = ["e", "t", "n", "ty", "type", "Type", "Step", "step", "http", "end", "kind", "url", "fail"];
VOCABULARY.push("next", "run", "GET", "time", "widget", "value", "name", "json", "error", "code", "2", "0", ".", ":");
/** A short secret or masked value: a vocabulary word or 1 to 4 characters (never the mask's own). */
const short = fc
  .oneof(
    fc.constantFrom(...VOCABULARY),
    fc
      .array(
        char.filter((ch) => printable(ch)),
        { minLength: 1, maxLength: 4 },
      )
      .map((chars) => chars.join("")),
  )
  .filter((text) => !text.includes("•"));

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

const WIDGETS: readonly W[] = ["path", "hdr", "json", "form", "whole", "say", "done"];
/** Each event type's keys, and the fields that hold the runtime's or the flow's vocabulary. */
const KEYS: Readonly<Record<TraceEvent["type"], readonly string[]>> = {
  "run.start": "type flow name source time variables".split(" "),
  "step.start": "type widget kind name source step time".split(" "),
  "http.attempt.start": "type widget kind name attempt maxAttempts method url headers time".split(" "),
  "http.redirect": "type widget kind name attempt status from to method time".split(" "),
  "http.attempt.end":
    "type widget kind name attempt maxAttempts method url startTime time durationMs status bytes error retry".split(
      " ",
    ),
  "step.end": (
    "type widget kind name source step time startTime endTime durationMs exit condition next changes unmatched " +
    "attempts status message queue error errorResults"
  ).split(" "),
  "run.end": "type flow time durationMs steps outcome".split(" "),
};
const VOCABULARY_FIELDS = new Set(["type", "widget", "kind", "name", "source", "flow", "exit", "next", "method"]);
VOCABULARY_FIELDS.add("condition").add("queue").add("code").add("reason").add("unmatched").add("target");

/** What is wrong with an event's shape: keys, types, kinds, widgets, exits, codes and variable names. */
function shapeProblems(event: TraceEvent): string[] {
  const problems: string[] = [];
  const keys = KEYS[event.type] as readonly string[] | undefined;
  if (keys === undefined) return [`unknown event type ${JSON.stringify(event.type)}`];
  for (const key of Object.keys(event)) if (!keys.includes(key)) problems.push(`${event.type}: unknown key ${key}`);
  // The CLI's flow names two widgets json_body and form_body.
  if ("widget" in event && ![...WIDGETS, "json_body", "form_body"].includes(event.widget))
    problems.push(`widget ${event.widget}`);
  if ("kind" in event && !["http", "send", "end"].includes(event.kind)) problems.push(`kind ${event.kind}`);
  if (event.type === "step.end") {
    if (event.exit !== undefined && !["success", "fail", "next"].includes(event.exit))
      problems.push(`exit ${event.exit}`);
    for (const change of event.changes)
      if (!/^echo_(path|hdr|json|form|whole)$/.test(change.name)) problems.push(`change of ${change.name}`);
  }
  if (event.type === "run.start" && !["m", "api_base,m"].includes(Object.keys(event.variables).join()))
    problems.push(`variables ${Object.keys(event.variables).join()}`);
  if (event.type === "http.attempt.start")
    for (const [name] of event.headers)
      if (!["X-S", "X-M", "Content-Type", "Authorization"].includes(name)) problems.push(`header ${name}`);
  if (event.type === "run.end" && JSON.stringify(event.outcome) !== '{"kind":"end","widget":"done"}')
    problems.push(`outcome ${JSON.stringify(event.outcome)}`);
  return problems;
}

/** Every string of an event that is not the runtime's or the flow's vocabulary: the values (and keys inside them). */
function valueTexts(value: unknown, field = ""): string[] {
  if (typeof value === "string") return VOCABULARY_FIELDS.has(field) ? [] : [value];
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) {
    // A header is [name, value]: the name is the flow's.
    if (field === "headers") return value.flatMap((pair: [string, string]) => valueTexts(pair[1]));
    return value.flatMap((item) => valueTexts(item, field));
  }
  // Inside a variable's value every key is data too.
  const inData = field === "value" || field === "variables" || field === "data";
  return Object.entries(value).flatMap(([key, item]) => [
    ...(inData && field !== "variables" ? [key] : []),
    ...valueTexts(item, inData ? "data" : key),
  ]);
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
              transport: fetch,
              secrets: staticSecrets({ S: secret, U: url }),
              onEvent: (event: TraceEvent) => output.push(JSON.stringify(event)),
              onSend: (message) => void sent.push(message),
            },
          );
          output.push(JSON.stringify(result.trace), JSON.stringify(result.outcome));
          // Without a listener the trace is redacted when read (runtime/state.ts): the same guarantee.
          const unheard = await run(
            leakyFlow(base),
            { m: masked },
            {
              transport: fetch,
              secrets: staticSecrets({ S: secret, U: url }),
              onSend: (message) => void sent.push(message),
            },
          );
          output.push(JSON.stringify(unheard.trace), JSON.stringify(unheard.outcome));
          expect(leaks(output.join("\n"), [secret, masked, url])).toEqual([]);
        }
        expect(sent).toEqual(Array.from({ length: 4 }, () => `m=${masked}`)); // the host still hears the real value
      }),
      { numRuns: 100 },
    );
    // The values really went out: the echo server saw requests on every path.
    for (const p of ["/h", "/j", "/f"]) expect(server.hits(p).length).toBeGreaterThan(0);
  });
});

describe.each(TRANSPORTS)("with %s, short and vocabulary values", (_name, fetch) => {
  it("keep every event, the trace and the outcome in shape, and secrets appear in no value", async () => {
    await fc.assert(
      fc.asyncProperty(short, short, short, async (secret, masked, tail) => {
        for (const base of [server.url, refused]) {
          const events: TraceEvent[] = [];
          const result = await run(
            leakyFlow(base),
            { m: masked },
            {
              transport: fetch,
              secrets: staticSecrets({ S: secret, U: wholeUrl(base, tail) }),
              onEvent: (event: TraceEvent) => void events.push(event),
            },
          );
          expect(result.outcome).toEqual({ kind: "end", widget: "done" });
          expect(result.trace).toEqual(events);
          expect(events.flatMap(shapeProblems)).toEqual([]);
          const unheard = await run(
            leakyFlow(base),
            { m: masked },
            { transport: fetch, secrets: staticSecrets({ S: secret, U: wholeUrl(base, tail) }) },
          );
          expect(unheard.trace.flatMap(shapeProblems)).toEqual([]);
          const starts = events.flatMap((event) => (event.type === "step.start" ? [event.widget] : []));
          expect(starts).toEqual(WIDGETS);
          const hidden = masked.length >= MIN_MASKED_SEARCH_LENGTH ? [secret, masked] : [secret];
          expect(leaks(events.flatMap((event) => valueTexts(event)).join("\n"), hidden)).toEqual([]);
        }
      }),
      { numRuns: 60 },
    );
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

  it("prints the whole timeline and well-formed --json events with short and vocabulary values", async () => {
    writeFileSync(path.join(dir, "leaky.flow"), FLOW);
    await fc.assert(
      fc.asyncProperty(short, short, async (secret, masked) => {
        const env = { CALLFLOW_SECRET_S: secret, CALLFLOW_SECRET_U: wholeUrl(server.url, "w") };
        const args = ["run", "leaky.flow", "--config", `api_base=${server.url}`, "-g", `m=${masked}`];
        const text = await callflow(args, env, dir);
        expect(text.stderr).not.toContain("handler threw");
        expect(text.stdout).toContain("▶ run leaky");
        expect(text.stdout).toContain("✔ end at done");
        expect(text.code).toBe(0);
        const json = await callflow([...args, "--json"], env, dir);
        const events = json.stdout
          .split("\n")
          .filter((line) => line !== "")
          .map((line) => JSON.parse(line) as TraceEvent);
        expect(events.flatMap(shapeProblems)).toEqual([]);
        expect(events.at(-1)?.type).toBe("run.end");
      }),
      {
        numRuns: 4,
        examples: [
          ["e", "Step"],
          ["Type", "http"],
          ["t", "end"],
        ],
      },
    );
  });
});
