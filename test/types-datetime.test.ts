// The `date_time` type: ISO 8601 with an offset or Unix seconds in, toISOString()'s UTC form
// stored. Literals checked by the checker and compiled in canonical form, values normalised at
// run time (results, --global, .flowtest), and a generated type that rejects a host's mistakes under tsc.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { check, compile } from "../api/index.js";
import { toDateTime } from "../runtime/contract.js";
import { checkInput, dateTime } from "../runtime/index.js";
import { matchesType, toStored } from "../runtime/types.js";
import { tempDir, typeCheck } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";
import { httpFlow, v } from "./helpers/flows.js";
import { servedFlow, stepEnds } from "./helpers/served-flow.js";

const exec = promisify(execFile);

describe("date_time values", () => {
  it("normalise ISO 8601 with an offset to toISOString()'s UTC form", () => {
    const cases: [string, string][] = [
      ["2026-12-24T09:30:00Z", "2026-12-24T09:30:00.000Z"],
      ["2026-12-24T10:30:00+01:00", "2026-12-24T09:30:00.000Z"],
      ["2026-12-24T04:00:00-05:30", "2026-12-24T09:30:00.000Z"],
      ["2026-12-24T10:30+0100", "2026-12-24T09:30:00.000Z"],
      ["2026-12-24T09:30:00.5Z", "2026-12-24T09:30:00.500Z"],
      ["2026-12-24T09:30:00.123999Z", "2026-12-24T09:30:00.123Z"],
      ["2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00.000Z"],
      ["0099-01-01T00:00:00Z", "0099-01-01T00:00:00.000Z"],
      ["0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"],
      ["9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"],
    ];
    for (const [text, stored] of cases) expect(toDateTime(text), text).toBe(stored);
  });

  it("normalise Unix seconds, fractions rounded to the millisecond, within years 0000 to 9999", () => {
    expect(toDateTime(1798104600)).toBe("2026-12-24T09:30:00.000Z");
    expect(toDateTime(1798104600.1234)).toBe("2026-12-24T09:30:00.123Z");
    expect(toDateTime(0.29)).toBe("1970-01-01T00:00:00.290Z");
    expect(toDateTime(-1)).toBe("1969-12-31T23:59:59.000Z");
    expect(toDateTime(-62167219200)).toBe("0000-01-01T00:00:00.000Z");
    expect(toDateTime(253402300799)).toBe("9999-12-31T23:59:59.000Z");
    for (const n of [-62167219201, 253402300800, 1798104600000, Number.NaN, Infinity])
      expect(toDateTime(n), String(n)).toBeUndefined();
  });

  it("refuse a time without an offset, a date that does not exist and anything that is not ISO 8601", () => {
    const rejected = [
      "2026-12-24T09:30:00",
      "2026-12-24",
      "2026-02-30T09:30:00Z",
      "2023-02-29T00:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-12-24T24:00:00Z",
      "2026-12-24T09:60:00Z",
      "2026-12-24T09:30:60Z",
      "2026-12-24T09:30:00+24:00",
      "2026-12-24 09:30:00Z",
      " 2026-12-24T09:30:00Z",
      "Thu, 24 Dec 2026 09:30:00 GMT",
      "0000-01-01T00:00:00+01:00",
      "9999-12-31T23:59:59-01:00",
      "",
    ];
    for (const text of rejected) expect(toDateTime(text), text).toBeUndefined();
    expect(toDateTime(true)).toBeUndefined();
    expect(toDateTime(null)).toBeUndefined();
  });

  it("are stored only in canonical form: run-time checks and host input accept nothing else", () => {
    expect(matchesType("2026-12-24T09:30:00.000Z", "date_time")).toBe(true);
    expect(matchesType("2026-12-24T09:30:00Z", "date_time")).toBe(false);
    expect(matchesType(1798104600, "date_time")).toBe(false);
    expect(toStored("2026-12-24T10:30:00+01:00", "date_time")).toBe("2026-12-24T09:30:00.000Z");
    expect(toStored("x", "date_time")).toBeUndefined();
    expect(dateTime("2026-12-24T10:30:00+01:00")).toBe("2026-12-24T09:30:00.000Z");
    expect(dateTime(new Date(Date.UTC(2026, 11, 24, 9, 30)))).toBe("2026-12-24T09:30:00.000Z");
    expect(() => dateTime("2026-12-24")).toThrow(RangeError);
    const flow = httpFlow("http://127.0.0.1:1", {}, { due: v.global("date_time") });
    expect(checkInput(flow, { due: "2026-12-24T09:30:00.000Z" })).toEqual([]);
    expect(checkInput(flow, { due: "2026-12-24T09:30:00Z" })).toEqual(["global due must be a date_time, got string"]);
  });
});

const FLOW = `flow d {
  global since: date_time = "2026-12-24T10:30:00+01:00"
  local due: date_time
  local shown: string = ""
  start -> s
  set s {
    due = "2026-12-24T09:30:00Z"
    shown = due
    next -> c
  }
  condition c {
    when due < "2026-12-24T10:30:00+01:00" -> early
    when due == since -> same
    else -> late
  }
  end early
  end same
  end late
}
`;

const errors = (source: string): [string, number, number][] =>
  check(source, "d.flow")
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => [d.code, d.span.line, d.span.column]);

describe("date_time at check time", () => {
  it("accepts ISO 8601 literals with an offset as defaults, set values and comparison operands", () => {
    expect(check(FLOW, "d.flow").diagnostics).toEqual([]);
  });

  it("rejects a literal without an offset or on a day that does not exist (CF2043, at the literal)", () => {
    const source = FLOW.replace('= "2026-12-24T10:30:00+01:00"', '= "2026-12-24T10:30:00"')
      .replace('due = "2026-12-24T09:30:00Z"', 'due = "2026-02-30T09:30:00Z"')
      .replace('due < "2026-12-24T10:30:00+01:00"', 'due < "tomorrow"');
    expect(errors(source)).toEqual([
      ["CF2043", 2, 29],
      ["CF2043", 7, 11],
      ["CF2043", 12, 16],
    ]);
    const [first, , third] = check(source, "d.flow").diagnostics;
    expect(first?.message).toBe(
      `'since' is a date_time: "2026-12-24T10:30:00" is not an ISO 8601 date and time with an offset (2026-12-24T09:30:00Z).`,
    );
    expect(third?.message).toMatch(/^'due' is a date_time: "tomorrow" is not /);
  });

  it("rejects a number, a string variable and a date_time into a number; widens to string", () => {
    expect(errors(FLOW.replace('= "2026-12-24T10:30:00+01:00"', "= 1798104600"))).toEqual([["CF2010", 2, 29]]);
    expect(errors(FLOW.replace("due = ", "due = shown\n    shown = "))).toEqual([["CF2011", 7, 11]]);
  });

  it("compares only with a date_time or a date_time literal", () => {
    const when = (condition: string): [string, number, number][] =>
      errors(FLOW.replace('due < "2026-12-24T10:30:00+01:00"', condition));
    expect(when('"2026-12-24T10:30:00+01:00" >= due')).toEqual([]);
    expect(when("due != since")).toEqual([]);
    expect(when("due > 1798104600")).toEqual([["CF2012", 12, 10]]);
    expect(when("due > shown")).toEqual([["CF2012", 12, 10]]);
    expect(when('due contains "2026"')).toEqual([["CF2012", 12, 10]]);
    expect(when('due < "{{shown}}"')).toEqual([["CF2012", 12, 10]]);
    const [mismatch] = check(FLOW.replace('due < "2026-12-24T10:30:00+01:00"', "due > 1"), "d.flow").diagnostics;
    expect(mismatch?.message).toBe("Operator '>' cannot compare a date_time with a number.");
  });

  it("compiles every literal in canonical form", () => {
    const text = compile(FLOW, "d.flow").files[0]?.text ?? "";
    expect(text).toContain(
      'since: { scope: "global", type: "date_time", masked: false, default: "2026-12-24T09:30:00.000Z" }',
    );
    expect(text).toContain('due: "2026-12-24T09:30:00.000Z"');
    expect(text).toContain('v.due < "2026-12-24T09:30:00.000Z"');
    expect(text).not.toContain("+01:00");
  });
});

describe("date_time at run time", () => {
  const flow = servedFlow(
    "types-datetime-run",
    `flow r {
  config base: url
  global cutoff: date_time = "2026-12-24T12:00:00+02:00"
  local due: date_time
  start -> call
  http call {
    method GET
    url "{{base}}/due"
    results {
      "$.due" -> due
    }
    success -> when_due
    fail -> failed
  }
  condition when_due {
    when due < cutoff -> before
    when due == "2026-12-24T11:00:00+01:00" -> exactly
    else -> after
  }
  end before
  end exactly
  end after
  end failed
}
`,
  );

  it("maps an ISO 8601 result with an offset, stores it in UTC and compares it chronologically", async () => {
    flow.server.route("/due", { json: { due: "2026-12-24T08:00:00-01:00" } });
    const [call, branch] = stepEnds((await flow.run()).stdout);
    expect(call?.changes).toEqual([{ name: "due", value: "2026-12-24T09:00:00.000Z" }]);
    expect(branch).toMatchObject({ exit: "when", next: "before" });
  });

  it("maps Unix seconds, and == compares the instant against a literal written with an offset", async () => {
    flow.server.route("/due", { json: { due: 1798106400 } });
    const [call, branch] = stepEnds((await flow.run()).stdout);
    expect(call?.changes).toEqual([{ name: "due", value: "2026-12-24T10:00:00.000Z" }]);
    expect(branch).toMatchObject({ exit: "when", next: "exactly", condition: 'due == "2026-12-24T10:00:00.000Z"' });
  });

  it("takes --global as ISO 8601 with an offset or Unix seconds, normalised", async () => {
    flow.server.route("/due", { json: { due: "2026-12-24T09:00:00Z" } });
    // As text, "10:30:00+02:00" sorts after "09:00:00.000Z"; as instants it is 08:30 UTC, before.
    const [, early] = stepEnds((await flow.run("cutoff=2026-12-24T10:30:00+02:00")).stdout);
    expect(early).toMatchObject({ next: "after" });
    const [, later] = stepEnds((await flow.run("cutoff=1798107000")).stdout);
    expect(later).toMatchObject({ next: "before" });
    const refused = await flow.run("cutoff=2026-12-24T09:00:00");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '"2026-12-24T09:00:00" is not an ISO 8601 date and time with an offset (2026-12-24T09:30:00Z)',
    );
  });

  it("fails the step on a result that does not fit, naming variable and type but not the value", async () => {
    for (const due of ["2026-12-24T09:00:00", "2026-02-30T09:00:00Z", 1798104600000, true]) {
      flow.server.route("/due", { json: { due } });
      const [call] = stepEnds((await flow.run()).stdout);
      expect(call).toMatchObject({ exit: "fail", next: "failed", error: { code: "result-type" } });
      expect(call?.error?.message).toBe(`result $.due -> due: expected date_time, got ${typeof due}`);
      expect(call?.error?.message).not.toContain(String(due));
    }
  });

  it("prints the canonical value in the timeline", async () => {
    flow.server.route("/due", { json: { due: "2026-12-24T10:00:00+01:00" } });
    const { stdout } = await flow.runWith([`base=${flow.server.url}`], false);
    expect(stdout).toContain('due = "2026-12-24T09:00:00.000Z"');
  });
});

describe("date_time in .flowtest files", () => {
  const temp = tempDir("types-datetime-flowtest");
  afterAll(() => temp.remove());
  const flow = `flow f {
  global due: date_time
  start -> c
  condition c {
    when due < "2026-12-24T10:30:00+01:00" -> early
    else -> late
  }
  end early
  end late
}
`;
  const callflow = (...args: string[]): Promise<{ code: number; stdout: string }> =>
    exec(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: "1" } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => error,
    );
  const write = (tests: string): string => {
    writeFileSync(path.join(temp.dir, "f.flow"), flow);
    const file = path.join(temp.dir, "f.flowtest");
    writeFileSync(file, `tests for "f.flow"\n\n${tests}`);
    return file;
  };

  it("take a global with an offset or as Unix seconds, compare expectations by instant and cover the branch", async () => {
    const file = write(`test "early" {
  globals { due = "2026-12-24T04:00:00-05:00" }
  expect {
    end early
    due = "2026-12-24T09:00:00Z"
  }
}

test "late" {
  globals { due = 1798104600 }
  expect {
    end late
    due = "2026-12-24T10:30:00+01:00"
  }
}
`);
    const result = await callflow("test", "--coverage", file);
    expect(result.stdout).toContain("2 passed");
    // The branch's condition is traced as compiled, with its literal in canonical form, and still counted.
    expect(result.stdout).toContain("f.flow  2/2 exits (100.0%)");
    expect(result.code).toBe(0);
  });

  it("refuse a value that is not a date_time (CF3010)", async () => {
    const file = write(`test "t" {\n  globals { due = "2026-12-24" }\n  expect {\n    end late\n  }\n}\n`);
    const { stdout } = await callflow("check", file);
    expect(stdout).toContain("CF3010: The value is a string, but 'due' is declared as date_time.");
  });
});

describe("date_time in generated modules", () => {
  const temp = tempDir("types-datetime-tsc");
  afterAll(() => temp.remove());

  it("is the runtime's DateTime: a plain string, a number or a time with an offset does not compile", () => {
    const text = compile(FLOW, "d.flow").files[0]?.text ?? "";
    const host = `import { dateTime, type DateTime } from "callflow/runtime";
import { runD, type DInput } from "./d.flow.js";
const made: DateTime = dateTime(new Date());
const good: DInput = { since: made };
const literal: DInput = { since: "2026-12-24T09:30:00.000Z" };
const text: string = made;
const fromString: DInput = { since: text };
const fromNumber: DInput = { since: 1798104600 };
const withOffset: DInput = { since: "2026-12-24T10:30:00+01:00" };
await runD(good);
void [literal, fromString, fromNumber, withOffset];
`;
    const found = typeCheck(temp.dir, { "d.flow.ts": text, "host.ts": host });
    expect(found.map((e) => `${path.basename(e.file)}:${e.line} ${e.code}`)).toEqual([
      "host.ts:7 TS2322",
      "host.ts:8 TS2322",
      "host.ts:9 TS2322",
    ]);
  });
});
