// The contract between compiler and runtime (runtime/contract.ts) holds on both sides: the
// checker reports source that breaks it, run() rejects definitions that break it, and settings
// added through the language description (follow_redirects, max_response_bytes) work end to end.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { check, compile, diff, format } from "../api/index.js";
import { HTTP_STEP } from "../runtime/contract.js";
import { FlowDefinitionError, run } from "../runtime/index.js";
import type { FlowDefinition, Vars } from "../runtime/flow.js";
import { tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";
import { httpFlow, type Widget } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

const exec = promisify(execFile);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const flowWith = (settings: string): string => `flow f {
  config base: url
  start -> call
  http call {
    method GET
    url "{{base}}/moved"
${settings}
    success -> ok
    fail -> bad
  }
  end ok
  end bad
}
`;

const codes = (source: string): string[] => check(source, "f.flow").diagnostics.map((d) => d.code);

describe("the checker reads the runtime's bounds", () => {
  it("accepts retry from the language's least value to the contract's maximum", () => {
    for (let n = 1; n <= HTTP_STEP.retry.max; n++) expect(codes(flowWith(`    retry ${n}`))).toEqual([]);
    expect(codes(flowWith("    retry 0"))).toEqual(["CF2013"]);
    const over = check(flowWith(`    retry ${HTTP_STEP.retry.max + 1}`), "f.flow").diagnostics[0];
    expect(over?.message).toBe(`retry must be a whole number from 1 to ${HTTP_STEP.retry.max}; found 4.`);
  });

  it("bounds max_response_bytes by the contract", () => {
    const { min, max } = HTTP_STEP.maxResponseBytes;
    expect(codes(flowWith(`    max_response_bytes ${min}`))).toEqual([]);
    expect(codes(flowWith(`    max_response_bytes ${max}`))).toEqual([]);
    const over = check(flowWith(`    max_response_bytes ${max + 1}`), "f.flow").diagnostics[0];
    expect(over?.message).toBe(`max_response_bytes must be a whole number from 1 to ${max}; found ${max + 1}.`);
    expect(codes(flowWith("    max_response_bytes 0"))).toEqual(["CF2013"]);
  });

  it("bounds timeout by the contract, in the units a flow is written in", () => {
    expect(codes(flowWith("    timeout 1ms"))).toEqual([]);
    expect(codes(flowWith("    timeout 10m"))).toEqual([]);
    const over = check(flowWith("    timeout 11m"), "f.flow").diagnostics[0];
    expect(over).toMatchObject({ code: "CF2031", message: "timeout must be from 1ms to 10m; found 11m." });
    expect(codes(flowWith("    timeout 0ms"))).toEqual(["CF2031"]);
  });

  it("emits only what the flow sets: an absent retry is the runtime's default", () => {
    const [plain] = compile(flowWith(""), "f.flow").files;
    expect(plain?.text).not.toMatch(/retry:|followRedirects:/);
    const [set] = compile(flowWith("    retry 2\n    follow_redirects false"), "f.flow").files;
    expect(set?.text).toContain("retry: 2,");
    expect(set?.text).toContain("followRedirects: false,");
  });
});

describe("run() rejects a definition outside the contract", () => {
  const withStep = (fields: Record<string, unknown>): FlowDefinition<Vars, string, Widget> =>
    httpFlow(server.url, fields as never); // deliberately out of contract

  it.each([
    [{ retry: 7 }, "call: retry must be a whole number from 0 to 3"],
    [{ retry: -1 }, "call: retry must be a whole number from 0 to 3"],
    [{ retry: 1.5 }, "call: retry must be a whole number from 0 to 3"],
    [{ timeoutMs: 0 }, "call: timeoutMs must be a whole number from 1 to 600000 (ms)"],
    [{ timeoutMs: 600_001 }, "call: timeoutMs must be a whole number from 1 to 600000 (ms)"],
    [{ followRedirects: "no" }, "call: followRedirects must be true or false"],
    [{ maxResponseBytes: 0 }, "call: maxResponseBytes must be a whole number from 1 to 16777216 (bytes)"],
    [{ maxResponseBytes: 2 ** 24 + 1 }, "call: maxResponseBytes must be a whole number from 1 to 16777216 (bytes)"],
  ])("%j", async (fields, message) => {
    const result = run(withStep(fields), {});
    await expect(result).rejects.toThrow(FlowDefinitionError);
    await expect(run(withStep(fields), {})).rejects.toThrow(message);
  });

  it("runs a definition at the contract's edges", async () => {
    server.route("/edge", { json: {} });
    const flow = httpFlow(server.url, {
      url: () => `${server.url}/edge`,
      retry: HTTP_STEP.retry.max,
      timeoutMs: HTTP_STEP.timeoutMs.max,
    });
    expect((await run(flow, {})).outcome.widget).toBe("ok");
  });
});

describe("follow_redirects, added through the language description", () => {
  const temp = tempDir("contract");
  afterAll(() => temp.remove());

  async function runFlow(settings: string): Promise<string> {
    const file = path.join(temp.dir, `redirects-${settings === "" ? "default" : "off"}.flow`);
    writeFileSync(file, flowWith(settings));
    const { stdout } = await exec(process.execPath, [CLI, "run", file, "--config", `base=${server.url}`], {
      env: { ...process.env, NO_COLOR: "1" },
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    return stdout;
  }

  it("follows a 302 by default and returns it as the final response with `follow_redirects false`", async () => {
    server.route("/moved", { redirect: "/landing", status: 302 });
    server.route("/landing", { json: { ok: true } });
    server.reset();
    const followed = await runFlow("");
    expect(followed).toContain("exit success → ok");
    expect(server.hits("/landing")).toHaveLength(1);

    server.reset();
    const kept = await runFlow("    follow_redirects false");
    expect(kept).toMatch(/← 302 /);
    expect(kept).toContain("exit fail → bad");
    expect(server.hits("/landing")).toHaveLength(0);
  });

  it("is formatted, diffed and checked like any setting", () => {
    // The printer puts it where the description does: after timeout, before results.
    const messy = flowWith("    results { status -> code }\n    follow_redirects   false\n    timeout 5s").replace(
      "config base: url",
      "config base: url\n  local code: number = 0",
    );
    expect(format(messy, "f.flow").text).toMatch(/ {4}timeout 5s\n {4}follow_redirects false\n {4}results \{/);
    const changes = diff(flowWith(""), flowWith("    follow_redirects false"), "f.flow").changes;
    expect(changes).toEqual([
      { kind: "setting-changed", widget: "call", widgetKind: "http", setting: "follow_redirects", new: "false" },
    ]);
    expect(codes(flowWith("    follow_redirects maybe"))).toEqual(["CF1005"]);
    expect(codes(flowWith("    follow_redirects true\n    follow_redirects false"))).toEqual(["CF1007"]);
  });
});

describe("max_response_bytes, added by following the recipe", () => {
  const temp = tempDir("contract-bytes");
  afterAll(() => temp.remove());

  async function runFlow(name: string, settings: string): Promise<{ code: number; stdout: string }> {
    const file = path.join(temp.dir, `${name}.flow`);
    writeFileSync(file, flowWith(settings).replace("/moved", "/big"));
    return exec(process.execPath, [CLI, "run", file, "--config", `base=${server.url}`], {
      env: { ...process.env, NO_COLOR: "1" },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
  }

  it("fails the widget on a body over its cap, which the run's default of 1 MiB lets through", async () => {
    // Twilio's HTTP widget caps responses at 64 kB; this body is one byte over.
    server.route("/big", { json: { pad: "x".repeat(65_536 - '{"pad":""}'.length + 1) } });
    const uncapped = await runFlow("uncapped", "");
    expect(uncapped.stdout).toContain("exit success → ok");
    const capped = await runFlow("capped", "    max_response_bytes 65536");
    expect(capped.stdout).toContain("response body is larger than maxResponseBytes (65536)");
    expect(capped.stdout).toContain("exit fail → bad");
    const roomy = await runFlow("roomy", "    max_response_bytes 65537");
    expect(roomy.stdout).toContain("exit success → ok");
  });

  it("overrides the run option maxResponseBytes for its widget only", async () => {
    server.route("/edge", { body: "12345" });
    const base = { url: () => `${server.url}/edge` };
    const over = await run(httpFlow(server.url, base), {}, { maxResponseBytes: 4 });
    expect(over.outcome.widget).toBe("bad");
    const raised = await run(httpFlow(server.url, { ...base, maxResponseBytes: 5 }), {}, { maxResponseBytes: 4 });
    expect(raised.outcome.widget).toBe("ok");
    const lowered = await run(httpFlow(server.url, { ...base, maxResponseBytes: 4 }), {});
    expect(lowered.outcome.widget).toBe("bad");
  });

  it("is emitted, formatted and diffed like any setting", () => {
    const [set] = compile(flowWith("    max_response_bytes 65536"), "f.flow").files;
    expect(set?.text).toContain("maxResponseBytes: 65536,");
    // The printer puts it where the description does: after timeout.
    const messy = flowWith("    max_response_bytes   65536\n    timeout 5s");
    expect(format(messy, "f.flow").text).toMatch(/ {4}timeout 5s\n {4}max_response_bytes 65536\n/);
    expect(diff(flowWith(""), flowWith("    max_response_bytes 65536"), "f.flow").changes).toEqual([
      { kind: "setting-changed", widget: "call", widgetKind: "http", setting: "max_response_bytes", new: "65536" },
    ]);
  });
});
