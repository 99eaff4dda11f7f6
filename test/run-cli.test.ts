// `callflow run` end to end: the built CLI in a child process against the example API on
// 127.0.0.1. Checks the timeline, the JSON trace, the exit codes, the checks on globals and
// secrets, and that no secret value ever reaches stdout or stderr.
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { formatEvent, formatValue, liveOutput, Timeline } from "../cli/timeline.js";
import { DEMO_SECRETS, startDemoApi, type DemoApi } from "../examples/demo-api.js";
import type { TraceEvent } from "../runtime/index.js";
import { ROOT, tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";

const SECRET_ENV = {
  CALLFLOW_SECRET_CRM_TOKEN: DEMO_SECRETS.CRM_TOKEN,
  CALLFLOW_SECRET_SCHEDULER_KEY: DEMO_SECRETS.SCHEDULER_KEY,
  CALLFLOW_SECRET_BILLING_TOKEN: DEMO_SECRETS.BILLING_TOKEN,
};

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Everything any child printed, searched for secret values at the end. */
const outputs: string[] = [];

/** Asynchronous on purpose: the example API runs in this process and must keep answering. */
function callflow(
  args: readonly string[],
  env: Readonly<Record<string, string>> = SECRET_ENV,
  cwd = ROOT,
): Promise<Ran> {
  // Without the parent's CALLFLOW_SECRET_* variables, so each test says which secrets exist.
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("CALLFLOW_SECRET_")));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, env: { ...base, NO_COLOR: "1", ...env }, encoding: "utf8" },
      (error, stdout, stderr) => {
        outputs.push(stdout, stderr);
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let api: DemoApi;
const temp = tempDir("run-cli");
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error("build first: npm run build (npm test does)");
  api = await startDemoApi();
});
afterAll(async () => {
  await api.close();
  temp.remove();
  // The children had every secret in their environment; none may have printed one.
  const all = outputs.join("\n");
  for (const secret of Object.values(DEMO_SECRETS)) expect(all).not.toContain(secret);
});

/** Writes a .flow file into the temp folder and returns its path relative to ROOT. */
function flowFile(name: string, text: string): string {
  writeFileSync(path.join(temp.dir, name), text);
  return path.relative(ROOT, path.join(temp.dir, name));
}

const order = (id: string): string[] => [
  "run",
  "examples/order-status.flow",
  "--config",
  `api_base=${api.url}`,
  "-g",
  "caller_id=+15550100",
  "-g",
  `order_id=${id}`,
];

function jsonLines(stdout: string): TraceEvent[] {
  return stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as TraceEvent);
}

describe.concurrent("callflow run: the timeline", () => {
  it("shows each widget, the HTTP attempt, the variables set with masked ones hidden, the exit and the end", async () => {
    const ran = await callflow(order("1001"));
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe("");
    const out = ran.stdout;
    expect(out).toContain(`▶ run order_status "Order status"  examples/order-status.flow`);
    expect(out).toContain(`  1  http lookup_order "Look up order"  examples/order-status.flow:16`);
    expect(out).toContain(`→ GET ${api.url}/orders/1001?include=items&caller=%2B15550100  attempt 1/3`);
    expect(out).toMatch(/← 200 {2}[\d.]+ m?s {2}\d+ B/);
    expect(out).toContain(
      `set ship_date = "2026-12-02", item_count = 3, customer = {"name":"Ada Lovelace","vip":false}, is_vip = false, card_last4 = ••••`,
    );
    expect(out).toMatch(/exit success → check_vip {2}[\d.]+ m?s/);
    expect(out).toContain("exit else → announce");
    expect(out).toContain(`send "Your order of 3 items ships on 2026-12-02. Card ending ••••."`);
    expect(out).toContain("✔ end at goodbye  4 steps");
    expect(out).not.toContain("4242");
    // Not a terminal: no spinner, no cursor control.
    expect(out).not.toContain("\r");
    expect(out).not.toContain("\x1b");
  });

  it("takes the Fail exit on a 404 and reports the route as a terminal (exit 0)", async () => {
    const ran = await callflow(order("4040"));
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/← 404 {2}/);
    expect(ran.stdout).toContain("✖ status 404");
    expect(ran.stdout).toContain("exit fail → apologize");
    expect(ran.stdout).toContain(`route to queue "support"`);
    expect(ran.stdout).toContain(`✔ route to queue "support" at agents  3 steps`);
  });

  it("shows a retry with its Retry-After wait, then the second attempt", async () => {
    const ran = await callflow([
      "run",
      "examples/appointment-reminder.flow",
      "--config",
      `api_base=${api.url}`,
      "-g",
      "appointment_id=T-1",
      "-g",
      "patient_phone=+15550101",
    ]);
    expect(ran.code).toBe(0);
    const lines = ran.stdout.split("\n").map((line) => line.trim());
    const first = lines.findIndex((line) =>
      line.startsWith(`→ POST ${api.url}/appointments/T-1/reminders  attempt 1/4`),
    );
    expect(first).toBeGreaterThan(0);
    expect(lines[first + 1]).toMatch(/^← 503 {2}/);
    expect(lines[first + 2]).toBe("↻ retrying in 1.0 s (Retry-After)");
    expect(lines[first + 3]).toBe(`→ POST ${api.url}/appointments/T-1/reminders  attempt 2/4`);
    expect(lines[first + 4]).toMatch(/^← 201 {2}/);
    expect(ran.stdout).toContain(
      `set reminder_id = "R-T-1", slot = "Tuesday 9:30", http_status = 201, request_id = "req-T-1-2"`,
    );
    expect(ran.stdout).toContain("✔ end at done");
  });

  it("shows the condition branch taken and hides the masked card of billing account 77", async () => {
    const ran = await callflow([
      "run",
      "examples/payment-status.flow",
      "--config",
      `api_base=${api.url}`,
      "-g",
      "account_id=77",
    ]);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`card_last4 = ••••`);
    expect(ran.stdout).toContain(`exit when payment_state == "overdue" and not autopay → overdue_notice`);
    expect(ran.stdout).toContain(`✔ route to queue "collections" at collections`);
    expect(ran.stdout).not.toContain("0005");
  });
});

describe.concurrent("callflow run --json", () => {
  it("prints every trace event as one JSON line, already redacted", async () => {
    const ran = await callflow([...order("1001"), "--json"]);
    expect(ran.code).toBe(0);
    const events = jsonLines(ran.stdout);
    expect(events[0]?.type).toBe("run.start");
    expect(events.at(-1)).toMatchObject({ type: "run.end", outcome: { kind: "end", widget: "goodbye" }, steps: 4 });
    expect(events.map((e) => e.type)).toEqual([
      "run.start",
      "step.start",
      "http.attempt.start",
      "http.attempt.end",
      "step.end",
      "step.start",
      "step.end",
      "step.start",
      "step.end",
      "step.start",
      "step.end",
      "run.end",
    ]);
    const start = events.find((e) => e.type === "http.attempt.start");
    expect(start).toMatchObject({
      method: "GET",
      url: `${api.url}/orders/1001?include=items&caller=%2B15550100`,
      attempt: 1,
      maxAttempts: 3,
    });
    expect(
      start?.type === "http.attempt.start" &&
        start.headers.find(([name]) => name.toLowerCase() === "authorization")?.[1],
    ).toBe("••••");
    expect(events.find((e) => e.type === "http.attempt.end")).toMatchObject({ status: 200 });
    const lookup = events.find((e) => e.type === "step.end" && e.widget === "lookup_order");
    expect(lookup).toMatchObject({
      exit: "success",
      next: "check_vip",
      changes: expect.arrayContaining([{ name: "card_last4", value: "••••" }]),
    });
    expect(ran.stdout).not.toContain("4242");
  });

  it("records the retry wait in the trace", async () => {
    const ran = await callflow([
      "run",
      "examples/appointment-reminder.flow",
      "--json",
      "--config",
      `api_base=${api.url}`,
      "-g",
      "appointment_id=T-2",
      "-g",
      "patient_phone=+1",
    ]);
    expect(ran.code).toBe(0);
    const ends = jsonLines(ran.stdout).filter((e) => e.type === "http.attempt.end");
    expect(ends).toMatchObject([{ status: 503, retry: { waitMs: 1000, reason: "retry-after" } }, { status: 201 }]);
  });

  it("prints the failure outcome of a run that fails", async () => {
    const file = flowFile("loop-json.flow", LOOP);
    const ran = await callflow(["run", file, "--json", "--max-steps", "4"]);
    expect(ran.code).toBe(1);
    expect(jsonLines(ran.stdout).at(-1)).toMatchObject({
      type: "run.end",
      steps: 4,
      outcome: { kind: "failed", error: { code: "step-limit" } },
    });
  });
});

// A loop whose way out is never taken (the checker warns, CF2036): it runs into the step limit.
const LOOP = `flow loop {
  local seen: boolean = false
  start -> again
  set again {
    seen = true
    next -> check
  }
  condition check {
    when seen == false -> done
    else -> again
  }
  end done
}
`;

const TYPED = `flow typed "Typed globals" {
  global label: string
  global count: number
  global flag: boolean = false
  global data: json
  start -> say
  send say {
    message "{{label}} {{count}} {{flag}} {{data}}"
    next -> done
  }
  end done
}
`;

describe.concurrent("callflow run: exit codes and checks", () => {
  it("exits 1 when the run fails: the step limit", async () => {
    const file = flowFile("loop.flow", LOOP);
    const ran = await callflow(["run", file, "--max-steps", "3"]);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain("✖ failed at check: step-limit: step limit of 3 reached");
  });

  it("exits 2 with diagnostics and code frames for a flow that does not compile", async () => {
    const file = flowFile("broken.flow", "flow broken {\n  start -> nowhere\n  end done\n}\n");
    const ran = await callflow(["run", file]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe("");
    expect(ran.stderr).toContain(
      `${file.split(path.sep).join("/")}:2:12 - error CF2001: Exit 'start' points to unknown widget 'nowhere'.`,
    );
    expect(ran.stderr).toContain("> 2 |   start -> nowhere");
    expect(ran.stderr).toContain("has errors; nothing was run.");
  });

  it("converts globals to their declared types", async () => {
    const file = flowFile("typed.flow", TYPED);
    const ran = await callflow([
      "run",
      file,
      "--json",
      "-g",
      "label=hi",
      "-g",
      "count=2.5",
      "-g",
      "flag=true",
      "-g",
      'data={"a":[1,2]}',
    ]);
    expect(ran.code).toBe(0);
    const [start] = jsonLines(ran.stdout);
    expect(start).toMatchObject({
      type: "run.start",
      variables: { label: "hi", count: 2.5, flag: true, data: { a: [1, 2] } },
    });
  });

  it("exits 2 naming each global of the wrong type, unknown or given twice", async () => {
    const file = flowFile("typed-bad.flow", TYPED);
    const ran = await callflow([
      "run",
      file,
      "-g",
      "label=x",
      "-g",
      "label=y",
      "-g",
      "count=abc",
      "-g",
      "flag=yes",
      "-g",
      "data={a",
      "-g",
      "nope=1",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe("");
    const shown = file.split(path.sep).join("/");
    expect(ran.stderr.trim().split("\n")).toEqual([
      "callflow run: global 'label' is given more than once",
      `callflow run: global 'count' (number, declared at ${shown}:3): "abc" is not a number`,
      `callflow run: global 'flag' (boolean, declared at ${shown}:4): "yes" is not a boolean`,
      `callflow run: global 'data' (json, declared at ${shown}:5): "{a" is not valid JSON`,
      "callflow run: unknown global 'nope': typed takes the globals label, count, flag, data",
    ]);
  });

  it("exits 2 for a missing required global, a local given as a global and a malformed --global", async () => {
    const ran = await callflow([
      "run",
      "examples/order-status.flow",
      "--config",
      `api_base=${api.url}`,
      "-g",
      "ship_date=soon",
      "-g",
      "caller_id",
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(
      "callflow run: 'ship_date' is a local, not a global: order_status takes the globals caller_id, order_id",
    );
    expect(ran.stderr).toContain("callflow run: --global caller_id: expected NAME=VALUE");
    expect(ran.stderr).toContain(
      "callflow run: missing required global 'order_id' (string, declared at examples/order-status.flow:6): add --global order_id=VALUE",
    );
    expect(ran.stderr).not.toContain("missing required global 'api_base'");
  });

  it("exits 2 for wrong usage: no file, a missing file, an unknown option", async () => {
    expect((await callflow(["run"])).code).toBe(2);
    const missing = await callflow(["run", "no-such.flow"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("callflow run: Cannot read no-such.flow: no such file or directory.");
    expect((await callflow(["run", "examples/order-status.flow", "--nope"])).code).toBe(2);
    expect((await callflow(["run", "examples/order-status.flow", "--max-steps", "0"])).code).toBe(2);
  });
});

describe.concurrent("callflow run: secrets", () => {
  it("reads a secret from the environment variable --secret names", async () => {
    const ran = await callflow([...order("1001"), "--secret", "CRM_TOKEN=MY_CRM_TOKEN"], {
      MY_CRM_TOKEN: DEMO_SECRETS.CRM_TOKEN,
    });
    expect(ran.code).toBe(0);
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toContain("← 200");
  });

  it("warns about a secret with no value; the request is not sent and the Fail exit is taken", async () => {
    const ran = await callflow(order("1001"), {});
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain(
      "callflow run: warning: secret CRM_TOKEN has no value; set CALLFLOW_SECRET_CRM_TOKEN or map it with --secret CRM_TOKEN=ENVVAR",
    );
    expect(ran.stdout).toContain("✖ missing-secret");
    expect(ran.stdout).not.toContain("→ GET");
    expect(ran.stdout).toContain("exit fail → apologize");
  });

  it("sends the secret to the server but shows it as •••• (a wrong one gets a 401)", async () => {
    const ran = await callflow([...order("1001"), "--json"], { CALLFLOW_SECRET_CRM_TOKEN: "wrong-token-value" });
    expect(jsonLines(ran.stdout).find((e) => e.type === "http.attempt.end")).toMatchObject({ status: 401 });
    expect(ran.stdout).not.toContain("wrong-token-value");
  });

  it("refuses a secret value on the command line without repeating it", async () => {
    const ran = await callflow([
      ...order("1001"),
      "--secret",
      `CRM_TOKEN=${DEMO_SECRETS.CRM_TOKEN}`,
      "--secret",
      DEMO_SECRETS.BILLING_TOKEN,
    ]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("callflow run: --secret CRM_TOKEN=…: expected NAME=ENVVAR");
    expect(ran.stderr).toContain("callflow run: --secret NAME=…: expected NAME=ENVVAR");
    expect(ran.stderr).not.toContain(DEMO_SECRETS.CRM_TOKEN);
    expect(ran.stderr).not.toContain(DEMO_SECRETS.BILLING_TOKEN);
  });

  it("exits 2 for an undeclared secret or an unset environment variable", async () => {
    const ran = await callflow(
      [...order("1001"), "--secret", "NOPE=HOME", "--secret", "CRM_TOKEN=CALLFLOW_TEST_UNSET_VARIABLE"],
      {},
    );
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("callflow run: --secret NOPE: order_status declares the secrets CRM_TOKEN");
    expect(ran.stderr).toContain("callflow run: --secret CRM_TOKEN: the environment variable it names is not set");
  });
});

describe("timeline rendering", () => {
  const base = { widget: "w", kind: "http" as const, time: 0 };

  it("escapes control characters coming from servers and values", () => {
    const lines = formatEvent(
      {
        ...base,
        type: "http.attempt.end",
        attempt: 1,
        maxAttempts: 1,
        method: "GET",
        url: "http://x/",
        startTime: 0,
        durationMs: 5,
        error: { code: "network", message: "bad\x1b[2Jthing\r\n" },
      },
      false,
    );
    expect(lines.join("\n")).toContain("network: bad\\u001b[2Jthing\\r\\n");
    expect(formatValue("a\x1b")).toBe('"a\\u001b"');
    expect(formatValue("••••")).toBe("••••");
    expect(formatValue("x".repeat(200))).toHaveLength(80);
  });

  it("shows the failure of a step that failed without a fail exit, and the run's failure", () => {
    const end = formatEvent(
      {
        ...base,
        kind: "set",
        type: "step.end",
        source: "f.flow:3",
        step: 2,
        startTime: 0,
        endTime: 0,
        durationMs: 0.2,
        changes: [],
        error: { code: "step", message: "assignment threw: boom" },
      },
      false,
    );
    expect(end).toEqual(["     ✖ step: assignment threw: boom"]);
    const run = formatEvent(
      {
        type: "run.end",
        flow: "f",
        time: 0,
        durationMs: 1500,
        steps: 2,
        outcome: { kind: "failed", widget: "w", error: { code: "step", message: "assignment threw: boom" } },
      },
      false,
    );
    expect(run).toEqual(["", "✖ failed at w: step: assignment threw: boom  2 steps, 1.5 s"]);
  });

  it("turns a spinner while a response or a retry wait is pending, on a live terminal only", () => {
    // performance.now() follows the fake clock: the timeline holds node:perf_hooks' `performance`
    // (the global object), which faking "performance" would replace rather than change.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"], now: 0 });
    vi.spyOn(performance, "now").mockImplementation(() => Date.now());
    const written: string[] = [];
    const timeline = new Timeline({ write: (text) => written.push(text), color: false, live: true });
    timeline.event({
      ...base,
      type: "http.attempt.start",
      attempt: 1,
      maxAttempts: 2,
      method: "GET",
      url: "http://x/",
      headers: [],
    });
    vi.advanceTimersByTime(200);
    timeline.event({
      ...base,
      type: "http.attempt.end",
      attempt: 1,
      maxAttempts: 2,
      method: "GET",
      url: "http://x/",
      startTime: 0,
      durationMs: 200,
      status: 503,
      retry: { waitMs: 500, reason: "backoff" },
    });
    vi.advanceTimersByTime(100);
    timeline.close();
    vi.useRealTimers();
    vi.restoreAllMocks();
    const text = written.join("");
    expect(text).toMatch(/\r\x1b\[2K {5}. waiting for the response 0\.2 s/);
    expect(text).toContain("↻ retrying in 500 ms (backoff)");
    expect(text).toMatch(/\r\x1b\[2K {5}. next attempt in 0\.4 s/);
    // Every spinner frame is erased before the next line and at the end.
    expect(text.endsWith("\r\x1b[2K")).toBe(true);

    const plain: string[] = [];
    const quiet = new Timeline({ write: (t) => plain.push(t), color: false, live: false });
    quiet.event({
      ...base,
      type: "http.attempt.start",
      attempt: 1,
      maxAttempts: 1,
      method: "GET",
      url: "http://x/",
      headers: [],
    });
    quiet.close();
    expect(plain).toEqual(["     → GET http://x/  attempt 1/1\n"]);
  });

  it("is live on a terminal unless CI is set", () => {
    expect(liveOutput(true, {})).toBe(true);
    expect(liveOutput(true, { CI: "true" })).toBe(false);
    expect(liveOutput(false, {})).toBe(false);
  });
});

describe("callflow run: Ctrl-C", () => {
  it("cancels the request in flight and ends the run as cancelled, exit 1", async () => {
    const { createServer } = await import("node:http");
    const { spawn } = await import("node:child_process");
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const address = hanging.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const file = flowFile(
      "hang.flow",
      `flow hang {\n  start -> call\n  http call {\n    method GET\n    url "http://127.0.0.1:${port}/never"\n    timeout 2m\n    success -> done\n    fail -> done\n  }\n  end done\n}\n`,
    );
    try {
      const child = spawn(process.execPath, [CLI, "run", file], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      const waiting = new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes("→ GET")) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      await waiting;
      const sent = Date.now();
      child.kill("SIGINT");
      expect(await exited).toBe(1);
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(stdout).toContain("cancelled");
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
