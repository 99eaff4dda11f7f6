// Per-status exits of the http widget (`on 404 -> w`, `on 5xx -> w`, `on timeout -> w`) and
// `error_results`, through every tool: parse, check, format, diff, graph, compile (checked by
// tsc), and runs of the compiled flow against a real node:http server.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check, compile, diff, format, graph, parse } from "../api/index.js";
import { FlowDefinitionError, run } from "../runtime/index.js";
import type { StepEndEvent, TraceEvent } from "../runtime/trace.js";
import { tempDir, typeCheck } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";
import { httpFlow } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

const exec = promisify(execFile);

const EXITS = `    on 404 -> not_found
    on 401, 403 -> auth
    on 503 -> down_503
    on 5xx -> down
    on timeout -> slow
    on network_error -> offline
`;

const flowWith = (exits: string = EXITS, settings: string = ""): string => `flow status_routes {
  config base: url
  global p: string
  local code: string = "none"
  local status_code: number = 0
  start -> call
  http call {
    method GET
    url "{{base}}/s/{{p}}"
    retry 1
    timeout 300ms
    results {
      status -> status_code
    }
    error_results {
      "$.error.code" -> code
    }
${settings}${exits}    success -> ok
    fail -> failed
  }
  end ok
  end not_found
  end auth
  end down_503
  end down
  end slow
  end offline
  end failed
}
`;

const codes = (source: string): string[] => check(source, "s.flow").diagnostics.map((d) => d.code);

describe("parsing and checking", () => {
  it("parses the contract lines into status exits in source order", () => {
    const flow = parse(flowWith(), "s.flow").flow;
    const call = flow?.widgets[0];
    expect(call?.kind).toBe("HttpWidget");
    if (call?.kind !== "HttpWidget") return;
    expect(call.statusExits.map((e) => [e.statuses.map((s) => s.text), e.target.name])).toEqual([
      [["404"], "not_found"],
      [["401", "403"], "auth"],
      [["503"], "down_503"],
      [["5xx"], "down"],
      [["timeout"], "slow"],
      [["network_error"], "offline"],
    ]);
    expect(call.settings.error_results?.value.mappings.map((m) => m.target.name)).toEqual(["code"]);
    expect(codes(flowWith())).toEqual([]);
  });

  it("allows a status inside a routed class (the status wins) and 1xx, 3xx, 4xx classes", () => {
    expect(codes(flowWith("    on 1xx, 3xx -> down\n    on 4xx -> auth\n    on 404 -> not_found\n"))).toEqual([
      "CF2020", // slow, offline and down_503 are unreachable now
      "CF2020",
      "CF2020",
    ]);
  });

  it.each([
    ["on 600 -> down", "CF2039", "Status 600 is not an HTTP status: use 100 to 599."],
    ["on 99 -> down", "CF2039", "Status 99 is not an HTTP status: use 100 to 599."],
    ["on 6xx -> down", "CF2040", "Unknown status class 6xx: use 1xx to 5xx."],
    ["on 404, 404 -> down", "CF2041", "404 is routed more than once in widget 'call': each status goes to one exit."],
    ["on 2xx -> down", "CF2042", "2xx is a success status: a 2xx response leaves through `success`."],
    ["on 204 -> down", "CF2042", "204 is a success status: a 2xx response leaves through `success`."],
  ])("reports `%s` as %s", (line, code, message) => {
    const diagnostics = check(flowWith(`${EXITS}    ${line}\n`), "s.flow").diagnostics;
    const found = diagnostics.find((d) => d.code === code);
    expect(found?.message).toBe(message);
  });

  it("points a status routed twice at its first place, and an unknown target is CF2001", () => {
    const repeated = check(flowWith(`${EXITS}    on timeout -> down\n`), "s.flow").diagnostics;
    const twice = repeated.find((d) => d.code === "CF2041");
    expect(twice?.span.line).toBe(24);
    expect(twice?.related?.[0]?.span.line).toBe(22);
    expect(codes(flowWith(`${EXITS}    on 410 -> nowhere\n`))).toEqual(["CF2001"]);
  });

  it("reports a malformed status exit as a syntax error naming what may follow `on`", () => {
    const diagnostics = check(flowWith("    on -> down\n"), "s.flow").diagnostics;
    expect(diagnostics[0]?.code).toBe("CF1005");
    expect(diagnostics[0]?.message).toBe(
      "Unexpected '->': expected a number, a status class, 'timeout' or 'network_error'.",
    );
  });
});

describe("format, diff and graph", () => {
  it("prints status exits after the settings and before success and fail, normalising their commas", () => {
    const messy = flowWith("").replace(
      "    success -> ok\n",
      '    success -> ok\n    on   401 ,403 -> auth\n    error_results { "$.e" -> code }\n',
    );
    const text = format(messy.replace(/ {4}error_results \{\n.*\n {4}\}\n/, ""), "s.flow").text ?? "";
    expect(text).toContain(
      '    error_results {\n      "$.e" -> code\n    }\n    on 401, 403 -> auth\n    success -> ok\n',
    );
    expect(format(text, "s.flow").text).toBe(text);
  });

  it("reports added, removed and rewired status exits", () => {
    const before = flowWith("    on 404 -> not_found\n    on 5xx -> down\n");
    const after = flowWith("    on 404 -> failed\n    on 401, 403 -> auth\n");
    const changes = diff(before, after, "s.flow").changes.filter((c) => c.kind === "exit-changed");
    expect(changes).toEqual([
      { kind: "exit-changed", widget: "call", widgetKind: "http", exit: "on 404", old: "not_found", new: "failed" },
      { kind: "exit-changed", widget: "call", widgetKind: "http", exit: "on 5xx", old: "down" },
      { kind: "exit-changed", widget: "call", widgetKind: "http", exit: "on 401, 403", new: "auth" },
    ]);
  });

  it("draws one edge per status exit, labelled with its statuses", () => {
    const text = graph(flowWith(), "s.flow").text ?? "";
    expect(text).toContain('w_call -->|"on 404"| w_not_found');
    expect(text).toContain('w_call -->|"on 401, 403"| w_auth');
    expect(text).toContain('w_call -->|"on network_error"| w_offline');
  });
});

describe("compiled", () => {
  const temp = tempDir("status-exits");
  afterAll(() => temp.remove());

  it("types the status exits: the module type-checks, and a host's 2xx or unknown widget does not", () => {
    const text = compile(flowWith(), "s.flow").files[0]?.text ?? "";
    expect(text).toContain('{ statuses: [401, 403], target: "auth" },');
    expect(text).toContain('{ statuses: ["timeout"], target: "slow" },');
    expect(text).toContain("errorResults: [");
    const host = `import type { HttpStep } from "callflow/runtime";
import { statusRoutesFlow } from "./s.flow.js";
const step = statusRoutesFlow.steps.call;
if (step.kind === "http") {
  const wrongClass: HttpStep<{}, never, "ok">["statusExits"] = [{ statuses: ["2xx"], target: "ok" }];
  const wrongTarget: HttpStep<{}, never, "ok">["statusExits"] = [{ statuses: [404], target: "nowhere" }];
  void [wrongClass, wrongTarget];
}
`;
    const errors = typeCheck(temp.dir, { "s.flow.ts": text, "host.ts": host });
    expect(errors.map((e) => `${path.basename(e.file)}:${e.line} ${e.code}`)).toEqual([
      "host.ts:5 TS2322",
      "host.ts:6 TS2322",
    ]);
  });
});

describe("runs against a real server", () => {
  let server: TestServer;
  const temp = tempDir("status-exits-run");
  beforeAll(async () => {
    server = await startServer();
    writeFileSync(path.join(temp.dir, "s.flow"), flowWith());
  });
  afterAll(async () => {
    temp.remove();
    await server.close();
  });

  async function runFlow(p: string): Promise<{ timeline: string; end: StepEndEvent<string> }> {
    const file = path.join(temp.dir, "s.flow");
    const args = [CLI, "run", file, "--config", `base=${server.url}`, "--global", `p=${p}`];
    const options = { env: { ...process.env, NO_COLOR: "1" } };
    // One run after the other, each from the first scripted response.
    server.reset();
    const json = await exec(process.execPath, [...args, "--json"], options).catch((error: { stdout: string }) => error);
    server.reset();
    const text = await exec(process.execPath, args, options).catch((error: { stdout: string }) => error);
    const events = json.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as TraceEvent);
    const end = events.find((e): e is StepEndEvent<string> => e.type === "step.end" && e.widget === "call");
    if (end === undefined) throw new Error(`no step.end for call:\n${text.stdout}`);
    return { timeline: text.stdout, end };
  }

  it("takes the 404 exit, mapping error_results from the body first, and shows it in the timeline", async () => {
    server.route("/s/missing", { status: 404, json: { error: { code: "ORDER_UNKNOWN" } } });
    const { timeline, end } = await runFlow("missing");
    expect(end).toMatchObject({ exit: "on 404", next: "not_found", status: 404, attempts: 1 });
    expect(end.changes).toEqual([
      { name: "status_code", value: 404 },
      { name: "code", value: "ORDER_UNKNOWN" },
    ]);
    expect(timeline).toContain("exit on 404 → not_found");
  });

  it("routes each of several listed statuses to their exit", async () => {
    server.route("/s/forbidden", { status: 403, json: {} });
    server.route("/s/unauthorized", { status: 401, json: {} });
    expect((await runFlow("forbidden")).end).toMatchObject({ exit: "on 403", next: "auth" });
    expect((await runFlow("unauthorized")).end).toMatchObject({ exit: "on 401", next: "auth" });
  });

  it("retries a retried status first, then routes on the last attempt: a status beats its class", async () => {
    server.route("/s/busy", { status: 503, json: {} });
    server.route("/s/broken", { status: 500, json: {} }, { status: 502, json: {} });
    const busy = await runFlow("busy");
    expect(busy.end).toMatchObject({ exit: "on 503", next: "down_503", attempts: 2 });
    expect(busy.timeline).toContain("exit on 503 → down_503");
    expect((await runFlow("broken")).end).toMatchObject({ exit: "on 5xx", next: "down", attempts: 2, status: 502 });
  });

  it("takes success when a retry succeeds, and fail for a status no exit routes", async () => {
    server.route("/s/flaky", { status: 503, json: {} }, { status: 200, json: {} });
    server.route("/s/teapot", { status: 418, json: { error: { code: "TEA" } } });
    expect((await runFlow("flaky")).end).toMatchObject({ exit: "success", next: "ok", attempts: 2 });
    const teapot = await runFlow("teapot");
    expect(teapot.end).toMatchObject({ exit: "fail", next: "failed", status: 418 });
    expect(teapot.end.changes).toContainEqual({ name: "code", value: "TEA" });
  });

  it("takes `on timeout` when the last attempt timed out", async () => {
    server.route("/s/slow", { hang: true });
    const { end, timeline } = await runFlow("slow");
    expect(end).toMatchObject({ exit: "on timeout", next: "slow", attempts: 2, error: { code: "timeout" } });
    expect(timeline).toContain("exit on timeout → slow");
  });

  it("takes `on network_error` when the connection is reset", async () => {
    server.route("/s/reset", { reset: true });
    expect((await runFlow("reset")).end).toMatchObject({ exit: "on network_error", next: "offline" });
  });

  it("takes the status exit when error_results do not fit, reporting the result's error", async () => {
    server.route("/s/odd", { status: 404, json: { error: { code: 7 } } });
    const { end } = await runFlow("odd");
    expect(end).toMatchObject({ exit: "on 404", next: "not_found", errorResults: { code: "result-type" } });
  });
});

describe("callflow test", () => {
  it("counts each status exit in coverage, a taken `on 403` covering `on 401, 403`", async () => {
    const { stdout } = await exec(
      process.execPath,
      [CLI, "test", "examples/order-routing.flowtest", "--coverage", "--format", "json"],
      { cwd: path.resolve(import.meta.dirname, "..") },
    );
    const report = JSON.parse(stdout) as {
      coverage: { exits: { widget: string; exit: string; count: number }[] }[];
    };
    const exits = report.coverage[0]?.exits.filter((e) => e.widget === "lookup_order") ?? [];
    expect(exits.map((e) => [e.exit, e.count])).toEqual([
      ["on 404", 1],
      ["on 401, 403", 1],
      ["on 5xx", 1],
      ["on timeout, network_error", 1],
      ["success", 1],
      ["fail", 0],
    ]);
  });
});

describe("run() validates status exits", () => {
  it.each([
    [[{ statuses: [204], target: "ok" }], "call: status exit on 204 matches no failure"],
    [[{ statuses: ["2xx"], target: "ok" }], "call: status exit on 2xx matches no failure"],
    [[{ statuses: [404], target: "nowhere" }], "call exits to unknown widget nowhere"],
  ])("%j", async (statusExits, message) => {
    const flow = httpFlow("http://127.0.0.1:1", { statusExits } as never); // deliberately out of contract
    await expect(run(flow, {})).rejects.toThrow(FlowDefinitionError);
    await expect(run(flow, {})).rejects.toThrow(message);
  });
});
