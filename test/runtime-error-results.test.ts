// `error_results` and status exits (issue 22): the status alone picks the exit, a body the error
// results cannot map is reported in the step's `errorResults`, and a variable mapped by both
// `results` and `error_results` is one change. Run by the built CLI against a real node:http server.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StepEndEvent, TraceEvent } from "../runtime/trace.js";
import { tempDir } from "./compile-helpers.js";
import { CLI, ROOT } from "./helpers/cli.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

let server: TestServer;
const temp = tempDir("runtime-error-results");
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  temp.remove();
  await server.close();
});

interface Ran {
  readonly timeline: string;
  readonly events: TraceEvent[];
}

function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: "1", ...env } }, (_error, stdout) =>
      resolve(stdout),
    );
  });
}

/** The flow run twice, as a timeline and as JSON events, each from the first scripted response. */
async function runBoth(
  file: string,
  globals: readonly string[],
  env?: Record<string, string>,
  config: readonly string[] = [],
): Promise<Ran> {
  const args = ["run", file, ...globals.flatMap((g) => ["--global", g]), ...config.flatMap((c) => ["--config", c])];
  server.reset();
  const json = await cli([...args, "--json"], env);
  server.reset();
  const timeline = await cli(args, env);
  const events = json
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as TraceEvent);
  return { timeline, events };
}

function stepEnd(events: readonly TraceEvent[], widget: string): StepEndEvent<string> {
  const end = events.find((e): e is StepEndEvent<string> => e.type === "step.end" && e.widget === widget);
  if (end === undefined) throw new Error(`no step.end for ${widget}`);
  return end;
}

describe("examples/order-routing.flow when the order service is down", () => {
  const orderRouting = path.join(ROOT, "examples/order-routing.flow");
  const globals = () => ["caller_id=+14155550123", "order_id=A1"];
  // api_base is a config: set with --config, as a global it is refused.
  const config = () => [`api_base=${server.url}`];
  const env = { CALLFLOW_SECRET_CRM_TOKEN: "token-for-the-test" };

  it.each([
    [
      "an HTML body",
      { status: 503, headers: { "Content-Type": "text/html" }, body: "<h1>Down</h1>" },
      "not valid JSON",
    ],
    ["an empty body", { status: 503 }, "empty"],
  ])("a 503 with %s leaves through `on 5xx` to the backup", async (_name, down, reason) => {
    server.route("/routing/orders/A1", down);
    server.route("/routing/backup/orders/A1", { json: { shipDate: "2026-12-01", promisedBy: 1797000000 } });
    const { timeline, events } = await runBoth(orderRouting, globals(), env, config());
    const lookup = stepEnd(events, "lookup_order");
    expect(lookup).toMatchObject({ exit: "on 5xx", next: "try_backup", status: 503, error: { code: "status" } });
    expect(lookup.errorResults?.code).toBe("invalid-json");
    expect(lookup.errorResults?.message).toContain(reason);
    // The error result kept its default: nothing of a body it could not read was assigned.
    expect(lookup.changes).toEqual([]);
    expect(stepEnd(events, "try_backup")).toMatchObject({ exit: "success" });
    expect(timeline).toContain("exit on 5xx → try_backup");
    expect(timeline).toContain("error_results not mapped: invalid-json: response body is");
  });
});

const FLOW = `flow both_maps {
  global base: string
  local code: string = "none"
  local status_code: number = 0
  start -> call
  http call {
    method GET
    url "{{base}}/both"
    results {
      status -> status_code
    }
    error_results {
      status -> status_code
      "$.error.code" -> code
    }
    on 404 -> not_found
    success -> ok
    fail -> failed
  }
  end ok
  end not_found
  end failed
}
`;

describe("a variable mapped by results and error_results", () => {
  it("is one change, printed once in the timeline", async () => {
    const file = path.join(temp.dir, "both.flow");
    writeFileSync(file, FLOW);
    server.route("/both", { status: 404, json: { error: { code: "GONE" } } });
    const { timeline, events } = await runBoth(file, [`base=${server.url}`]);
    expect(stepEnd(events, "call").changes).toEqual([
      { name: "status_code", value: 404 },
      { name: "code", value: "GONE" },
    ]);
    expect(timeline).toContain('set status_code = 404, code = "GONE"\n');
    expect(timeline.split("status_code = 404").length - 1).toBe(1);
  });

  it("keeps its default when the error results do not fit, and the status still picks the exit", async () => {
    const file = path.join(temp.dir, "both.flow");
    writeFileSync(file, FLOW);
    server.route("/both", { status: 404, json: { error: { code: 7 } } });
    const { events } = await runBoth(file, [`base=${server.url}`]);
    const call = stepEnd(events, "call");
    expect(call).toMatchObject({ exit: "on 404", next: "not_found", errorResults: { code: "result-type" } });
    expect(call.errorResults?.message).toBe("result $.error.code -> code: expected string, got number");
    // `results` still mapped the status; none of the error results was assigned.
    expect(call.changes).toEqual([{ name: "status_code", value: 404 }]);
  });
});
