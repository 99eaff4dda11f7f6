// The checked types: strings `email`, `url` and `phone`, numbers `currency` and `percentage`.
// Literals checked by the checker, values checked at run time (globals, result mappings), and
// generated types that reject a host's mistakes under the real tsc.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { check, compile } from "../api/index.js";
import { fitsFormat } from "../runtime/contract.js";
import { checkInput } from "../runtime/index.js";
import type { StepEndEvent } from "../runtime/trace.js";
import { matchesType } from "../runtime/types.js";
import { tempDir, typeCheck } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";
import { httpFlow, v } from "./helpers/flows.js";
import { servedFlow, stepEnds } from "./helpers/served-flow.js";

const exec = promisify(execFile);

const ACCEPTED = {
  email: ["ops@example.com", "a.b+tag@mail.example.co.uk"],
  url: ["https://example.com", "http://127.0.0.1:8080/a?b=c"],
  phone: ["+15550100", "+442071838750", "+123456789012345"],
} as const;
const REJECTED = {
  email: ["ops", "ops@example", "a b@example.com", "@example.com", "a@@example.com"],
  url: ["example.com", "ftp://example.com", "/relative", "mailto:a@b.c", ""],
  phone: ["5550100", "+0123456789", "+1555", "+1234567890123456", "+1 555 0100"],
} as const;

describe.each(["email", "url", "phone"] as const)("%s", (type) => {
  it("accepts and rejects values by their form, at run time", () => {
    for (const text of ACCEPTED[type]) expect(matchesType(text, type), text).toBe(true);
    for (const text of REJECTED[type]) expect(matchesType(text, type), text).toBe(false);
    expect(matchesType(5, type)).toBe(false);
    expect(fitsFormat(type, ACCEPTED[type][0])).toBe(true);
  });

  it("checks a literal default and a set value at check time", () => {
    const flow = (value: string): string => `flow f {
  local x: ${type} = ${JSON.stringify(value)}
  start -> s
  set s {
    x = ${JSON.stringify(value)}
    next -> done
  }
  condition c {
    when x == "a" -> done
    else -> done
  }
  end done
}
`;
    const codes = (value: string): string[] =>
      check(flow(value), "f.flow")
        .diagnostics.filter((d) => d.severity === "error")
        .map((d) => d.code);
    expect(codes(ACCEPTED[type][0])).toEqual([]);
    const rejected = check(flow(REJECTED[type][0]), "f.flow").diagnostics.filter((d) => d.severity === "error");
    expect(rejected.map((d) => [d.code, d.span.line])).toEqual([
      ["CF2043", 2],
      ["CF2043", 5],
    ]);
    expect(rejected[0]?.message).toMatch(new RegExp(`^'x' is an? [a-z ]+: "${REJECTED[type][0]}" is not `));
  });
});

const NUMBERS = {
  currency: { accepted: [0, 42.5, 0.29, 19.99, -3.1, 1e6], rejected: [0.001, 19.999, Number.NaN, Infinity] },
  percentage: { accepted: [0, 12.5, 100], rejected: [-1, 100.5, Number.NaN] },
} as const;

describe.each(["currency", "percentage"] as const)("%s", (type) => {
  it("accepts and rejects numbers by their range, at run time", () => {
    for (const n of NUMBERS[type].accepted) expect(matchesType(n, type), String(n)).toBe(true);
    for (const n of NUMBERS[type].rejected) expect(matchesType(n, type), String(n)).toBe(false);
    expect(matchesType("12", type)).toBe(false);
  });

  it("checks a literal default and a set value at check time, and compares as a number", () => {
    const flow = (value: string): string => `flow f {
  local x: ${type} = ${value}
  local n: number = 0
  start -> s
  set s {
    x = ${value}
    n = x
    next -> c
  }
  condition c {
    when x > 10 and x <= n -> done
    else -> done
  }
  end done
}
`;
    expect(check(flow("12.50"), "f.flow").diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const bad = type === "currency" ? "19.999" : "120";
    const rejected = check(flow(bad), "f.flow").diagnostics.filter((d) => d.severity === "error");
    expect(rejected.map((d) => [d.code, d.span.line])).toEqual([
      ["CF2043", 2],
      ["CF2043", 6],
    ]);
    expect(rejected[0]?.message).toMatch(new RegExp(`^'x' is a [a-z ]+: ${bad} is not `));
    expect(check(flow("12").replace("n = x", "x = n"), "f.flow").diagnostics.map((d) => d.code)).toContain("CF2011");
  });
});

describe("in .flowtest files", () => {
  const temp = tempDir("types-formats-flowtest");
  afterAll(() => temp.remove());

  it("a test value must fit its checked type (CF3010)", async () => {
    const flow =
      'flow f {\n  global caller: phone\n  start -> done\n  send done { message "{{caller}}"  next -> stop }\n  end stop\n}\n';
    writeFileSync(path.join(temp.dir, "f.flow"), flow);
    const test = (caller: string): string =>
      `tests for "f.flow"\n\ntest "t" {\n  globals { caller = "${caller}" }\n  expect {\n    end stop\n  }\n}\n`;
    const checkTest = async (caller: string): Promise<string> => {
      writeFileSync(path.join(temp.dir, "f.flowtest"), test(caller));
      return exec(process.execPath, [CLI, "check", path.join(temp.dir, "f.flowtest")]).then(
        ({ stdout }) => stdout,
        (error: { stdout: string }) => error.stdout,
      );
    };
    expect(await checkTest("+15550100")).not.toContain("CF3010");
    expect(await checkTest("555")).toContain("CF3010: The value is a string, but 'caller' is declared as phone.");
  });
});

describe("checked strings in the checker's type rules", () => {
  it("widen to string, and a string variable does not narrow to one", () => {
    const flow = `flow f {
  global contact: email
  local name: string = ""
  start -> s
  set s {
    name = contact
    contact = name
    next -> done
  }
  end done
}
`;
    expect(check(flow, "f.flow").diagnostics.map((d) => [d.code, d.span.line])).toEqual([["CF2011", 7]]);
  });
});

describe("generated types", () => {
  const temp = tempDir("types-formats");
  afterAll(() => temp.remove());

  it("are template literal types: a host's wrong value is a compile error", () => {
    const source = `flow contact_card {
  global site: url
  global contact: email
  global caller: phone
  global amount: currency
  start -> done
  end done
}
`;
    const text = compile(source, "c.flow").files[0]?.text ?? "";
    const host = `import { runContactCard, type ContactCardInput } from "./c.flow.js";
const good: ContactCardInput = { site: "https://example.com", contact: "ops@example.com", caller: "+15550100", amount: 12.5 };
const badSite: ContactCardInput = { ...good, site: "example.com" };
const badContact: ContactCardInput = { ...good, contact: "ops" };
const badCaller: ContactCardInput = { ...good, caller: "555-0100" };
const badAmount: ContactCardInput = { ...good, amount: "12.50" };
await runContactCard(good);
void [badSite, badContact, badCaller, badAmount];
`;
    const errors = typeCheck(temp.dir, { "c.flow.ts": text, "host.ts": host });
    expect(errors.map((e) => `${path.basename(e.file)}:${e.line} ${e.code}`)).toEqual([
      "host.ts:3 TS2322",
      "host.ts:4 TS2322",
      "host.ts:5 TS2322",
      "host.ts:6 TS2322",
    ]);
  });
});

describe("at run time", () => {
  const flow = servedFlow(
    "types-formats-run",
    `flow r {
  config base: url
  local contact: email = "nobody@example.com"
  local callback: phone = "+15550100"
  local balance: currency = 0
  start -> call
  http call {
    method GET
    url "{{base}}/contact"
    results {
      "$.email" -> contact
      "$.phone" -> callback
      "$.balance" -> balance
    }
    success -> ok
    fail -> bad
  }
  end ok
  end bad
}
`,
  );
  const callEnd = (stdout: string): StepEndEvent<string> | undefined =>
    stepEnds(stdout).find((e) => e.widget === "call");

  it("maps results that fit", async () => {
    flow.server.route("/contact", { json: { email: "ada@example.com", phone: "+442071838750", balance: 42.5 } });
    const { stdout } = await flow.run();
    expect(callEnd(stdout)).toMatchObject({
      exit: "success",
      changes: [
        { name: "contact", value: "ada@example.com" },
        { name: "callback", value: "+442071838750" },
        { name: "balance", value: 42.5 },
      ],
    });
  });

  it("fails the step on a result that does not fit, naming variable and type but not the value", async () => {
    flow.server.route("/contact", { json: { email: "ada@example.com", phone: "call me maybe" } });
    const { stdout } = await flow.run();
    const end = callEnd(stdout);
    expect(end).toMatchObject({ exit: "fail", error: { code: "result-type" } });
    expect(end?.error?.message).toBe("result $.phone -> callback: expected phone, got string");
  });

  it("fails the step on an amount finer than a cent", async () => {
    flow.server.route("/contact", { json: { email: "ada@example.com", phone: "+442071838750", balance: 42.505 } });
    const end = callEnd((await flow.run()).stdout);
    expect(end?.error?.message).toBe("result $.balance -> balance: expected currency, got number");
  });

  it("refuses a global that does not fit, before anything is sent", async () => {
    const { code, stderr } = await flow.runWith(["base=example.com"]);
    expect(code).toBe(2);
    expect(stderr).toContain("an absolute http or https URL");
    const definition = httpFlow(flow.server.url, {}, { site: v.global("url"), who: v.global("email") });
    expect(checkInput(definition, { site: "https://a.example", who: "ops" })).toEqual([
      "global who must be an email, got string",
    ]);
  });
});
