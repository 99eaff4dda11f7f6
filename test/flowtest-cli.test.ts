// `callflow test` through the built CLI in child processes: the contract example, a
// failing test for each expectation kind, coverage (text, --min-coverage, LCOV), JUnit read
// back with an XML parser, JSON, --filter, exit codes, and a guard that no socket is opened.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

let dir = "";

/** Loaded before the CLI: reports every TCP connection Node starts, whoever starts it. */
const SOCKET_SPY = `import net from "node:net";
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  process.stderr.write("SOCKET-SPY: a socket was opened\\n");
  return connect.apply(this, args);
};
`;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  dir = mkdtempSync(path.join(tmpdir(), "callflow-flowtest-"));
  for (const flow of ["order-status.flow", "appointment-reminder.flow"])
    copyFileSync(path.join(ROOT, "examples", flow), path.join(dir, flow));
  writeFileSync(path.join(dir, "socket-spy.mjs"), SOCKET_SPY);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function callflow(args: readonly string[], cwd = dir): SpawnSyncReturns<string> {
  const spy = path.join(dir, "socket-spy.mjs");
  return spawnSync(process.execPath, ["--import", spy, CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
}

function write(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

const INPUTS = `config { api_base = "https://crm.test" }  globals { caller_id = "+15550100"  order_id = "1001" }
  secrets { CRM_TOKEN = "t-123" }`;
const VIP_REPLY = `reply 200 { json { "shipDate": "2026-12-24", "items": [1, 2, 3], "customer": { "vip": true }, "payment": { "last4": "4242" } } }`;

describe("callflow test: the contract example", () => {
  it("passes exactly as written against examples/order-status.flow, in virtual time, without a socket", () => {
    const result = callflow(["test", "examples/order-status.flowtest"], ROOT);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(" ✓ examples/order-status.flowtest (4 tests)");
    // The 503 asks for 30 s; the runtime caps a Retry-After at 10 s, and the test waits it virtually.
    expect(result.stdout).toContain("   ✓ a VIP order: one 503, then Success, to the VIP queue 10.0 s");
    expect(result.stdout).toContain("   ✓ the CRM never answers: three attempts, then Fail");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("4 passed, 0 failed");
    expect(result.stderr).not.toContain("SOCKET-SPY");
  });

  it("the socket spy does report a socket (it is not silent)", () => {
    const spy = path.join(dir, "socket-spy.mjs");
    const probe = `import net from "node:net"; net.connect(9, "127.0.0.1").on("error", () => {});`;
    const result = spawnSync(process.execPath, ["--import", spy, "--input-type=module", "-e", probe], {
      encoding: "utf8",
    });
    expect(result.stderr).toContain("SOCKET-SPY: a socket was opened");
  });
});

describe("callflow test: failures", () => {
  it("reports every failed expectation of a test with expected and actual, never a secret or masked value", () => {
    const file = write(
      "wrong.flowtest",
      `tests for "order-status.flow"

test "every expectation wrong" {
  ${INPUTS}
  mock lookup_order {
    request {
      method POST
      url "https://crm.test/orders/9999"
      header "Authorization" = "Bearer wrong"
      header "X-Missing" = "x"
    }
    ${VIP_REPLY}
  }
  expect {
    path lookup_order, announce
    end goodbye
    route "support"
    fail
    attempts lookup_order = 3
    sent "hello"
    ship_date = "2027-01-01"
    customer = { "vip": false }
    card_last4 = "9999"
  }
}
`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    const out = result.stdout;
    const expectFailure = (at: string, message: string, expected: string, actual: string): void => {
      expect(out).toContain(
        `✗ wrong.flowtest:${at}  ${message}\n     - expected: ${expected}\n     + actual:   ${actual}`,
      );
    };
    expectFailure("8:7", "attempt 1 of lookup_order: method differs", "POST", "GET");
    expectFailure(
      "9:7",
      "attempt 1 of lookup_order: url differs",
      "https://crm.test/orders/9999",
      "https://crm.test/orders/1001?include=items&caller=%2B15550100",
    );
    expectFailure("10:7", "attempt 1 of lookup_order: header Authorization differs", '"Bearer wrong"', '"Bearer ••••"');
    expectFailure("11:7", "attempt 1 of lookup_order: header X-Missing differs", '"x"', "(not sent)");
    expectFailure("16:5", "path differs", "lookup_order, announce", "lookup_order, check_vip, vip_queue");
    expectFailure("17:5", "the run did not end as expected", "end goodbye", 'route "vip-support" (vip_queue)');
    expectFailure("18:5", "the run did not route as expected", 'route "support"', 'route "vip-support" (vip_queue)');
    expectFailure("19:5", "the run did not fail", "fail", 'route "vip-support" (vip_queue)');
    expectFailure("20:5", "attempts of lookup_order differ", "3", "1");
    expectFailure("21:5", "no message was sent with this text", '"hello"', "(no message sent)");
    expectFailure("22:5", "ship_date differs", '"2027-01-01"', '"2026-12-24"');
    expectFailure("23:5", "customer differs", '{ "vip": false }', '{ "vip": true }');
    expectFailure("24:5", "card_last4 differs", '"9999"', '"••••"');
    expect(out).toContain(" FAIL wrong.flowtest > every expectation wrong  wrong.flowtest:3:6");
    expect(out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
    for (const hidden of ["t-123", "4242"]) expect(out + result.stderr).not.toContain(hidden);
  });

  it("fails a test whose http widget has no mock, naming the widget and its line", () => {
    const file = write(
      "unmocked.flowtest",
      `tests for "order-status.flow"\n\ntest "no mock" {\n  ${INPUTS}\n  expect { route "support" }\n}\n`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("http widget lookup_order (order-status.flow:16) was reached without a mock");
    expect(result.stderr).not.toContain("SOCKET-SPY");
  });

  it("makes a missing global or secret a test error, not a pass", () => {
    const file = write(
      "inputs.flowtest",
      `tests for "order-status.flow"

test "no order id" {
  config { api_base = "https://crm.test" }  globals { caller_id = "+15550100" }
  secrets { CRM_TOKEN = "t-123" }
  mock lookup_order { ${VIP_REPLY} }
  expect { fail }
}

test "no token" {
  config { api_base = "https://crm.test" }  globals { caller_id = "+15550100"  order_id = "1" }
  mock lookup_order { ${VIP_REPLY} }
  expect { fail }
}
`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/test error: .*order_id/);
    expect(result.stdout).toContain("test error: the flow reads secret CRM_TOKEN; give it in secrets { }");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("0 passed, 2 failed");
  });

  it("compares form bodies as pairs and reports a body that differs", () => {
    const file = write(
      "form.flowtest",
      `tests for "appointment-reminder.flow"

test "the reminder form" {
  config { api_base = "https://sched.test" }  globals { appointment_id = "A-1"  patient_phone = "+15550101" }
  secrets { SCHEDULER_KEY = "k-1" }
  mock confirm_slot {
    request {
      header "X-Api-Key" = "k-1"
      body form { channel = "voice"  phone = "+15550101" }
    }
    reply 201 { header "X-Request-Id" = "r-9"  json { "reminderId": "R1", "slot": "9:00" } }
  }
  expect { end done  sent "Your appointment is confirmed for 9:00. Reference R1."  request_id = "r-9"  http_status = 201 }
}

test "a wrong form" {
  config { api_base = "https://sched.test" }  globals { appointment_id = "A-1"  patient_phone = "+15550101" }
  secrets { SCHEDULER_KEY = "k-1" }
  mock confirm_slot {
    request { body form { channel = "sms" } }
    reply 201 { json { "reminderId": "R1", "slot": "9:00" } }
  }
  expect { end done }
}
`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("   ✓ the reminder form");
    expect(result.stdout).toContain(
      "attempt 1 of confirm_slot: body differs\n     - expected: channel=sms\n     + actual:   phone=%2B15550101&channel=voice",
    );
    expect(result.stdout + result.stderr).not.toContain("k-1");
  });
});

describe("callflow test: options and exit codes", () => {
  it("--filter runs the tests whose name contains the text and counts the others as skipped", () => {
    const result = callflow(["test", "--filter", "4040", "examples/order-status.flowtest"], ROOT);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("(1 test, 3 skipped)");
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed, 3 skipped");
  });

  it("exits 2 with code frames and catalogue codes for a test file that does not check", () => {
    const file = write(
      "broken.flowtest",
      `tests for "order-status.flow"

test "broken" {
  config { api_base = 3 }
  mock announce { reply 200 }
  mock lookup_ordr { reply 200 }
  expect {
    shipdate = "x"
    is_vip = "yes"
  }
}
`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(
      "broken.flowtest:4:23 - error CF3010: The value is a number, but 'api_base' is declared as url.",
    );
    expect(result.stdout).toContain("> 4 |   config { api_base = 3 }");
    expect(result.stdout).toContain(
      "broken.flowtest:5:8 - error CF3004: 'announce' is a send widget; mock needs an http widget.",
    );
    expect(result.stdout).toContain("broken.flowtest:6:8 - error CF3003: The flow has no widget 'lookup_ordr'.");
    expect(result.stdout).toContain("broken.flowtest:8:5 - error CF3007: The flow declares no variable 'shipdate'.");
    expect(result.stdout).toContain(
      "broken.flowtest:9:14 - error CF3010: The expected value is a string, but 'is_vip' is declared as boolean.",
    );
    const check = callflow(["check", file]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("error CF3003");
  });

  it("exits 2 for wrong usage", () => {
    expect(callflow(["test", "--reporter", "junit", "examples/order-status.flowtest"], ROOT).status).toBe(2);
    expect(callflow(["test", "no-such-file.flowtest"]).status).toBe(2);
    expect(callflow(["test", "--coverage-format", "lcov", "examples/order-status.flowtest"], ROOT).status).toBe(2);
  });

  it("--format json gives one document with every test and failure", () => {
    const result = callflow(["test", "--format", "json", "wrong.flowtest"]);
    const report = JSON.parse(result.stdout) as {
      passed: number;
      failed: number;
      files: { tests: { name: string; status: string; failures: { message: string; line: number }[] }[] }[];
    };
    expect(report.failed).toBe(1);
    const test = report.files[0]!.tests[0]!;
    expect(test.status).toBe("failed");
    expect(test.failures.map((f) => f.line)).toEqual([8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  it("--reporter junit writes a testsuite per file and a testcase per test, with failures", () => {
    callflow(["test", "--reporter", "junit", "--output", "report.xml", "wrong.flowtest", "unmocked.flowtest"]);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(
      readFileSync(path.join(dir, "report.xml"), "utf8"),
    ) as {
      testsuites: {
        tests: string;
        failures: string;
        testsuite: {
          name: string;
          testcase: { name: string; line: string; failure: { message: string }[] | { message: string } };
        }[];
      };
    };
    expect(parsed.testsuites.tests).toBe("2");
    expect(parsed.testsuites.failures).toBe("2");
    const [unmocked, wrong] = parsed.testsuites.testsuite;
    expect(unmocked!.name).toBe("unmocked.flowtest");
    expect(wrong!.name).toBe("wrong.flowtest");
    expect(wrong!.testcase.name).toBe("every expectation wrong");
    expect(wrong!.testcase.line).toBe("3");
    const failures = wrong!.testcase.failure as { message: string }[];
    expect(failures).toHaveLength(13);
    expect(failures[4]!.message).toBe("path differs");
  });
});

const TRIAGE = `flow triage "Triage" {
  global api_base: string
  global tier: string
  local score: number = 0

  start -> lookup

  http lookup {
    method POST
    url "{{api_base}}/score"
    body json { "tier": tier }
    results {
      "$.score" -> score
    }
    success -> by_score
    fail -> sorry
  }

  condition by_score {
    when score > 80 -> gold
    when score > 40 -> silver
    else -> bronze
  }

  route gold { queue "gold" }

  route silver { queue "silver" }

  route bronze { queue "bronze" }

  send sorry {
    message "Sorry."
    next -> bye
  }

  end bye
}
`;

const triageTest = (tier: string, score: number, queue: string): string => `
test "${tier}" {
  globals { api_base = "https://score.test"  tier = "${tier}" }
  mock lookup {
    request { body json { "tier": "${tier}" } }
    reply 200 { json { "score": ${score} } }
  }
  expect { route "${queue}"  score = ${score} }
}
`;

describe("callflow test: exit coverage", () => {
  beforeAll(() => {
    write("triage.flow", TRIAGE);
    write("triage.flowtest", `tests for "triage.flow"\n${triageTest("a", 90, "gold")}${triageTest("c", 10, "bronze")}`);
  });

  it("counts each exit across the tests of a flow and lists the uncovered ones", () => {
    const result = callflow(["test", "--coverage", "triage.flowtest"]);
    expect(result.status, result.stdout).toBe(0);
    expect(result.stdout).toContain("   triage.flow  3/6 exits (50.0%)");
    expect(result.stdout).toContain("     triage.flow:16:5  lookup  fail -> sorry");
    expect(result.stdout).toContain("     triage.flow:21:5  by_score  when score > 40 -> silver");
    expect(result.stdout).toContain("     triage.flow:33:5  sorry  next -> bye");
    expect(result.stdout).not.toContain("when score > 80 -> gold");
  });

  it("compares JSON request bodies structurally and shows the lines that differ", () => {
    const file = write(
      "json-body.flowtest",
      `tests for "triage.flow"

test "json body" {
  globals { api_base = "https://score.test"  tier = "a" }
  mock lookup {
    request { body json { "tier": "z", "extra": [1, 2] } }
    reply 200 { json { "score": 90 } }
  }
  expect { route "gold" }
}
`,
    );
    const result = callflow(["test", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      [
        "   ✗ json-body.flowtest:6:15  attempt 1 of lookup: body differs",
        '     - expected:   "tier": "z",',
        '     -             "extra": [',
        "     -               1,",
        "     -               2",
        "     -             ]",
        '     + actual:     "tier": "a"',
      ].join("\n"),
    );
  });

  it("--min-coverage exits 1 below the minimum and 0 at it", () => {
    const below = callflow(["test", "--min-coverage", "60", "triage.flowtest"]);
    expect(below.status).toBe(1);
    expect(below.stderr).toContain("triage.flow: exit coverage 50.0% is below --min-coverage 60%");
    expect(callflow(["test", "--min-coverage", "50", "triage.flowtest"]).status).toBe(0);
  });

  it("writes LCOV with a BRDA branch and a DA line per exit on the exit's own line", () => {
    const result = callflow(["test", "--coverage-format", "lcov", "--coverage-out", "flow.lcov", "triage.flowtest"]);
    expect(result.status).toBe(0);
    const records = readFileSync(path.join(dir, "flow.lcov"), "utf8")
      .split("end_of_record\n")
      .filter((r) => r !== "");
    expect(records).toHaveLength(1);
    const lines = records[0]!.trim().split("\n");
    expect(lines[1]).toBe("SF:triage.flow");
    const brda = lines.filter((l) => l.startsWith("BRDA:")).map((l) => l.slice(5).split(","));
    // line, block (widget), branch (exit), times taken
    expect(brda).toEqual([
      ["15", "0", "0", "2"],
      ["16", "0", "1", "0"],
      ["20", "1", "0", "1"],
      ["21", "1", "1", "0"],
      ["22", "1", "2", "1"],
      ["33", "2", "0", "-"],
    ]);
    // Each exit's line is hit as often as it was taken, so an editor marks the missing exit itself; the
    // widget's own line as often as the widget exited.
    const da = lines.filter((l) => l.startsWith("DA:")).map((l) => l.slice(3));
    expect(da).toEqual(["8,2", "15,2", "16,0", "19,2", "20,1", "21,0", "22,1", "31,0", "33,0"]);
    expect(lines).toContain("BRF:6");
    expect(lines).toContain("BRH:3");
  });
});
