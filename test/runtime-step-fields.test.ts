// Every step field of the description (the http settings of grammar/language.ts with a `field`, and
// every HTTP_STEP entry of runtime/contract.ts) changes what a run does. Each field's flow is compiled
// from source and run against a real node:http server twice, without the setting and with a value
// generated from the description and the contract; the two runs must differ. A new field with no
// behaviour in the runtime, or with no scenario below, fails here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFlow } from "../dist/loader/load-flow.js";
import { WIDGETS, type SettingSpec } from "../grammar/language.js";
import { HTTP_STEP, type Bound } from "../runtime/contract.js";
import { run, type RunOptions } from "../runtime/index.js";
import { startServer, type Behaviour, type TestServer } from "./helpers/http-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

/**
 * What makes a field observable: the server's answer, any other settings it needs, and run options
 * that differ from the generated value (so falling back to the run's option is visible too).
 */
interface Scenario {
  readonly route: Behaviour;
  readonly extra?: string;
  readonly options?: RunOptions;
  /** For value kinds the contract gives no value for (a plain string). */
  readonly value?: string;
}

const SCENARIOS: Readonly<Record<string, Scenario>> = {
  retry: { route: { status: 503, body: "busy" }, options: { retryBaseDelayMs: 0 } },
  // The server never answers: both runs time out, after the step's 1 ms or the run's 200 ms.
  timeoutMs: { route: { hang: true }, options: { timeoutMs: 200 } },
  followRedirects: { route: { redirect: "/landing", status: 302 } },
  maxResponseBytes: { route: { json: { ok: true } } },
  contentType: { route: { status: 204 }, extra: '    body text "hello"', value: '"application/x-callflow"' },
};

const specs: readonly SettingSpec[] = (WIDGETS.http.settings as readonly SettingSpec[]).filter(
  (s) => s.field !== undefined,
);
const fields = [...new Set([...specs.map((s) => s.field!), ...Object.keys(HTTP_STEP)])];

/** A value unlike the default: the least the language and the contract accept, or the flag flipped. */
function valueFor(spec: SettingSpec, scenario: Scenario): string {
  if (scenario.value !== undefined) return scenario.value;
  const contract = (HTTP_STEP as Readonly<Record<string, Bound<number> | { readonly default: boolean }>>)[spec.field!];
  if (contract === undefined) throw new Error(`${spec.keyword}: no contract entry to generate a value from`);
  if (!("max" in contract)) return String(!contract.default);
  const least = Math.max(contract.min, spec.least ?? contract.min);
  if (spec.value === "duration") return `${least}ms`;
  return String(least);
}

async function observe(field: string, setting: string, scenario: Scenario): Promise<unknown> {
  const path = `/field/${field}`;
  server.route(path, scenario.route);
  server.route("/landing", { json: { ok: true } });
  server.reset();
  const source = [
    "flow f {",
    "  start -> call",
    "  http call {",
    "    method POST",
    `    url "${server.url}${path}"`,
    ...(scenario.extra === undefined ? [] : [scenario.extra]),
    ...(setting === "" ? [] : [`    ${setting}`]),
    "    success -> ok",
    "    fail -> bad",
    "  }",
    "  end ok",
    "  end bad",
    "}",
  ].join("\n");
  const { loaded, diagnostics } = await loadFlow(source, `${field}.flow`);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const result = await run(loaded!.definition, {}, scenario.options);
  return {
    widget: result.outcome.widget,
    attempts: result.trace.flatMap((e) =>
      e.type === "http.attempt.end" ? [{ status: e.status, error: e.error, retry: e.retry !== undefined }] : [],
    ),
    requests: server.requests.map((r) => [r.method, r.path, r.headers["content-type"]]),
  };
}

describe("every step field of the description has an effect at run time", () => {
  it("has an http setting for every HTTP_STEP field", () => {
    for (const field of Object.keys(HTTP_STEP)) expect(specs.map((s) => s.field)).toContain(field);
  });

  it.each(fields)("%s", async (field) => {
    const spec = specs.find((s) => s.field === field);
    const scenario = SCENARIOS[field];
    expect(spec, `${field} is in HTTP_STEP but no http setting fills it`).toBeDefined();
    expect(scenario, `${field} has no scenario in this test: say what it changes`).toBeDefined();
    const setting = `${spec!.keyword} ${valueFor(spec!, scenario!)}`;
    const without = await observe(field, "", scenario!);
    const withSetting = await observe(field, setting, scenario!);
    expect(withSetting, `\`${setting}\` changed nothing`).not.toEqual(without);
  });
});
