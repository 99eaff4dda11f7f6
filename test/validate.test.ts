import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../grammar/diagnostics.js";
import { jsonPathError } from "../compiler/rules/jsonpath.js";
import { isLiteralCredential, isSensitiveHeader } from "../compiler/rules/security.js";
import { suggest } from "../compiler/scope.js";
import { rules, validate } from "../compiler/validate.js";
import type { Rule } from "../compiler/rules/context.js";
import { parse } from "../grammar/parse.js";
import type { StringLiteral } from "../grammar/ast.js";
import { BASE, cases, unmark, variant } from "./semantic-cases.js";

/** Parses a source that must be free of syntax errors and validates it. */
function check(source: string): Diagnostic[] {
  const parsed = parse(source, "test.flow");
  expect(parsed.diagnostics, "the test input must parse cleanly").toEqual([]);
  if (parsed.flow === undefined) throw new Error("no flow parsed");
  return validate(parsed.flow);
}

const codes = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => d.code).sort();
const at = (d: Diagnostic): string => `${d.code} ${d.severity} ${d.span.line}:${d.span.column}`;

describe("validate", () => {
  it("turns a rule that throws into one CF2999 naming it, and still runs the others", () => {
    const parsed = parse(BASE.replace("start ->", "start -> nowhere\n  # was:"), "test.flow");
    if (parsed.flow === undefined) throw new Error("no flow parsed");
    let widgetCalls = 0;
    const throwsOnEveryWidget: Rule = () => ({
      widget: () => {
        widgetCalls += 1;
        throw new TypeError("a secret-free message that is not shown");
      },
    });
    const throwsAtOnce: Rule = () => {
      throw new RangeError("boom");
    };
    const found = validate(parsed.flow, [throwsOnEveryWidget, ...rules, throwsAtOnce]);
    const failures = found.filter((d) => d.code === "CF2999");
    expect(failures.map((d) => d.message)).toEqual([
      "The check 'throwsAtOnce' failed on this flow (RangeError); the other checks ran. Please report this with the file.",
      "The check 'throwsOnEveryWidget' failed on this flow (TypeError); the other checks ran. Please report this with the file.",
    ]);
    expect(widgetCalls, "a rule that threw is called no more").toBe(1);
    // The real rules still report: the start line points at an unknown widget.
    expect(found.some((d) => d.code === "CF2001")).toBe(true);
    expect(failures.every((d) => d.severity === "error" && !d.message.includes("secret-free"))).toBe(true);
  });

  it("accepts the base flow used by the cases without any diagnostic", () => {
    expect(check(BASE)).toEqual([]);
  });

  it("accepts the issue-2 contract with one warning: remember is unreachable", () => {
    const source = readFileSync(new URL("fixtures/contract.flow", import.meta.url), "utf8");
    const found = check(source);
    expect(found.map(at)).toEqual(["CF2020 warning 67:7"]);
    expect(found[0]?.message).toBe("Widget 'remember' is unreachable from start.");
  });

  describe.each(cases)("$code: $name", (c) => {
    it("reports the code, severity and position", () => {
      const { source, line, column } = unmark(c.source);
      const found = check(source);
      expect(codes(found)).toEqual([c.code, ...(c.also ?? [])].sort());
      expect(found.filter((d) => d.code === c.code).map(at)).toContain(`${c.code} ${c.severity} ${line}:${column}`);
    });
  });

  it("reports every semantic error of a file in one run, sorted by position", () => {
    const source = `flow broken {
  local n: number = "zero"
  local n: string
  secret KEY
  start -> first
  http first {
    method POST
    url "crm.example.com/x"
    authorization "Token abc"
    retry 5
    results { "items" -> missing }
    success -> secnd
  }
  send first { message "hi {{secret.KEY}}" }
}
`;
    expect(check(source).map(at)).toEqual([
      "CF2019 warning 2:9",
      "CF2010 error 2:21",
      "CF2007 error 3:9",
      "CF2004 error 6:8",
      "CF2014 error 8:9",
      "CF2021 error 9:19",
      "CF2023 warning 10:5",
      "CF2013 error 10:11",
      "CF2015 error 11:15",
      "CF2008 error 11:26",
      "CF2001 error 12:16",
      "CF2006 error 14:8",
      "CF2026 error 14:8",
      "CF2030 error 14:30",
    ]);
  });

  it("never throws on mutated versions of the contract", () => {
    const contract = readFileSync(new URL("fixtures/contract.flow", import.meta.url), "utf8");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: contract.length }),
        fc.integer({ min: 0, max: 40 }),
        fc.string(),
        (start, length, insert) => {
          const { flow } = parse(contract.slice(0, start) + insert + contract.slice(start + length), "fuzz.flow");
          if (flow !== undefined) expect(() => validate(flow)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("hints", () => {
  it("suggests a close widget name for an unknown exit target", () => {
    const found = check(variant(["else -> agents", "else -> agnets"]));
    expect(found[0]?.hint).toBe("did you mean 'agents'?");
  });

  it("suggests secret.NAME when a secret is used as a variable", () => {
    const found = check(
      variant(["from = caller", "from = TOKEN"], ['"Accept" = "application/json"', '"Accept" = caller']),
    );
    expect(found.map((d) => [d.code, d.hint])).toEqual([
      ["CF2008", "'TOKEN' is a secret: write secret.TOKEN or {{secret.TOKEN}}"],
    ]);
  });

  it("explains how to declare an unknown secret", () => {
    const found = check(variant(['"Accept" = "application/json"', '"X-Auth" = secret.OTHER']));
    expect(found[0]?.hint).toBe("declare it with `secret OTHER`");
  });

  it("suggests dropping the quotes from a numeric default", () => {
    const found = check(variant(["count: number = 0", 'count: number = "0"']));
    expect(found[0]?.hint).toBe("write 0 without quotes");
  });

  it("suggests https:// for a url without a scheme", () => {
    const found = check(
      variant(['url "https://api.example.com/items/{{name}}"', 'url "api.example.com/items/{{name}}"']),
    );
    expect(found[0]?.hint).toBe('did you mean "https://api.example.com/items/{{name}}"?');
  });
});

describe("rule details", () => {
  const only = (source: string): string[] => codes(check(source));

  it("allows a dynamic url prefix and rejects a literal one that cannot become http(s)", () => {
    const url = (u: string): string[] => only(variant(['"https://api.example.com/items/{{name}}"', u]));
    // A prefix a variable decides is a valid URL, but where it goes is then not the author's (CF2062).
    expect(url('"{{name}}/orders"')).toEqual(["CF2062"]);
    expect(url('"https://{{name}}/orders"')).toEqual(["CF2062"]);
    expect(url("name")).toEqual(["CF2062"]);
    expect(url('"http://localhost:8080/{{name}}"')).toEqual([]);
    expect(url('"ftp://x/{{name}}"')).toEqual(["CF2014"]);
    expect(url('"https://"')).toEqual(["CF2014"]);
    expect(url("42")).toEqual(["CF2014"]);
  });

  it("takes variables and secrets as one namespace", () => {
    expect(only(variant(["  secret TOKEN\n", "  secret TOKEN\n  local TOKEN: string\n"]))).toEqual(["CF2007"]);
  });

  it("reports a global that is never referenced", () => {
    expect(only(variant(["  global caller: string\n", "  global caller: string\n  global ani: string\n"]))).toEqual([
      "CF2019",
    ]);
  });

  it("counts a result or set target as a use", () => {
    const source = variant(
      ["  secret TOKEN\n", "  secret TOKEN\n  local last: string\n"],
      ["    ok = false\n", '    ok = false\n    last = "x"\n'],
    );
    expect(only(source)).toEqual([]);
  });

  it("checks comparison operand types", () => {
    const when = (expr: string): string[] => only(variant(["ok == true and count > 0", expr]));
    expect(when('data == "x" and data contains 1')).toEqual([]);
    expect(when('name contains "x"')).toEqual([]);
    expect(when("name contains 1")).toEqual(["CF2012"]);
    expect(when("count contains 1")).toEqual(["CF2012"]);
    expect(when('count < "3"')).toEqual(["CF2012"]);
    expect(when("ok < true")).toEqual(["CF2012"]);
    expect(when('name >= "m" and not (count != 2)')).toEqual([]);
    expect(when("not count")).toEqual(["CF2033"]);
    expect(when('name == "x" or data')).toEqual([]);
  });

  it("types defaults and set values; json takes anything, null only fits json", () => {
    expect(only(variant(["local data: json", 'local data: json = { "a": [1, null] }']))).toEqual([]);
    expect(only(variant(["local data: json", "local data: json = null"]))).toEqual([]);
    expect(only(variant(['local name: string = "x"', "local name: string = null"]))).toEqual(["CF2010"]);
    expect(only(variant(["ok = false", "ok = data"]))).toEqual(["CF2011"]);
    expect(only(variant(["ok = false", "data = ok"]))).toEqual([]);
  });

  it("types status and header results", () => {
    const result = (line: string): string[] => only(variant(['"$.data" -> data', `"$.data" -> data\n      ${line}`]));
    expect(result("status -> count")).toEqual([]);
    expect(result("status -> name")).toEqual([]);
    expect(result('header "X-Id" -> name')).toEqual([]);
    expect(result('header "X-Id" -> count')).toEqual(["CF2029"]);
  });

  it("checks retry and timeout bounds", () => {
    expect(only(variant(["retry 2", "retry 1.5"]))).toEqual(["CF2013"]);
    expect(only(variant(["retry 2", "retry 0"]))).toEqual(["CF2013"]);
    expect(only(variant(["retry 2", "retry 3"]))).toEqual([]);
    expect(only(variant(["timeout 5s", "timeout 10m"]))).toEqual([]);
    expect(only(variant(["timeout 5s", "timeout 1ms"]))).toEqual([]);
    expect(only(variant(["timeout 5s", "timeout 0ms"]))).toEqual(["CF2031"]);
  });

  it("matches content_type against the body kind", () => {
    const put = (contentType: string, body: string): string[] =>
      only(
        variant(
          ["method GET", "method PUT"],
          ["    success -> check\n", `    content_type "${contentType}"\n    ${body}\n    success -> check\n`],
        ),
      );
    expect(put("application/vnd.api+json", 'body json { "a": 1 }')).toEqual([]);
    expect(put("application/json; charset=utf-8", 'body json { "a": 1 }')).toEqual([]);
    expect(put("application/json", "body form { a = 1 }")).toEqual(["CF2017"]);
    expect(put("application/x-www-form-urlencoded", "body form { a = 1 }")).toEqual([]);
    expect(put("application/json", 'body text "{}"')).toEqual([]);
  });

  it("asks for Idempotency-Key on retried POST and PATCH, in any case", () => {
    const retried = (method: string, header: string): string[] =>
      only(variant(["method GET", `method ${method}`], ['"Accept" = "application/json"', header]));
    expect(retried("PATCH", '"Accept" = "application/json"')).toEqual(["CF2023"]);
    expect(retried("POST", '"idempotency-key" = "{{name}}"')).toEqual([]);
    expect(retried("PUT", '"Accept" = "application/json"')).toEqual([]);
  });

  it("finds duplicate keys in headers (any case), json objects and forms", () => {
    expect(
      only(variant(['"Accept" = "application/json"', '"Accept" = "application/json"\n      "accept" = "text/plain"'])),
    ).toEqual(["CF2032"]);
    expect(only(variant(['"Accept" = "application/json"', '"Authorization" = "Bearer {{secret.TOKEN}}"']))).toEqual([
      "CF2032",
    ]);
    const put = (body: string): string[] =>
      only(variant(["method GET", "method PUT"], ["    success -> check\n", `    ${body}\n    success -> check\n`]));
    expect(put('body json { "a": 1, "b": { "c": 1, "c": 2 } }')).toEqual(["CF2032"]);
    expect(put("body form { a = 1\n a = 2 }")).toEqual(["CF2032"]);
  });

  it("keeps secrets out of places where values leave the flow", () => {
    expect(only(variant(["ok = false", 'ok = false\n    name = "{{secret.TOKEN}}"']))).toEqual(["CF2030"]);
    expect(only(variant(['queue "support"', 'queue "q-{{secret.TOKEN}}"']))).toEqual(["CF2030", "CF2034"]);
    expect(only(variant(["ok == true", 'name == "{{secret.TOKEN}}"']))).toEqual(["CF2030"]);
    expect(only(variant(['local name: string = "x"', "local name: string = secret.TOKEN"]))).toEqual(["CF2030"]);
    expect(only(variant(["from = caller", "from = secret.TOKEN"]))).toEqual(["CF2019", "CF2022"]);
  });

  it("interpolates masked variables freely", () => {
    expect(only(variant(['local name: string = "x"', 'local name: string = "x" masked']))).toEqual([]);
  });
});

describe("helpers", () => {
  it("checks JSONPath syntax", () => {
    for (const good of [
      "$",
      "$.a",
      "$..b",
      "$.items.length",
      "$.a[0]",
      "$.a[-1]",
      "$.a[0:2]",
      "$.a[*]",
      "$.*",
      "$['x y']",
      "$[0,1]",
      "$..[0]",
      "$.a[?(@.price < 10)]",
      "$.a[(@.length-1)]",
      '$[?(@.n == ")")]',
    ]) {
      expect(jsonPathError(good), good).toBeUndefined();
    }
    for (const bad of ["", "a.b", "$.a[", "$.a]", "$.", "$.a..", "$.a b", "$['x'", "$$", "$[]", "$[a]", "$[?(@.x]"]) {
      expect(jsonPathError(bad), bad).toBeTypeOf("string");
    }
  });

  it("classifies header names", () => {
    for (const name of [
      "Authorization",
      "Proxy-Authorization",
      "Cookie",
      "X-Api-Key",
      "api-key",
      "X-Auth-Token",
      "X-Client-Secret",
      "X-Password",
      "X-Hook-Key",
    ]) {
      expect(isSensitiveHeader(name), name).toBe(true);
    }
    for (const name of ["Idempotency-Key", "X-Idempotency-Key", "Accept", "X-Request-Source", "Content-Type"]) {
      expect(isSensitiveHeader(name), name).toBe(false);
    }
  });

  it("tells labels from literal credentials", () => {
    const str = (text: string): StringLiteral => {
      const { flow } = parse(`flow f { local v: string = ${JSON.stringify(text)} }`, "s.flow");
      const decl = flow?.declarations[0];
      if (decl?.kind !== "VarDecl" || decl.default?.kind !== "String") throw new Error("expected a string default");
      return decl.default;
    };
    for (const ok of [
      "Bearer {{secret.T}}",
      "{{secret.T}}",
      "Basic {{secret.U}}:{{secret.P}}",
      "sid={{secret.S}}; theme={{v}}",
      "sk-{{secret.K}}",
      "",
    ]) {
      expect(isLiteralCredential(str(ok)), ok).toBe(false);
    }
    for (const bad of ["Bearer abc123", "k-123", "Bearer abc {{secret.T}}", "{{secret.T}} extra"]) {
      expect(isLiteralCredential(str(bad)), bad).toBe(true);
    }
  });

  it("suggests only close names", () => {
    expect(suggest("lookup_ordr", ["lookup_order", "notify"])).toBe("lookup_order");
    expect(suggest("x", ["lookup_order"])).toBeUndefined();
  });

  it("suggests the closest name, the first of equally close ones", () => {
    expect(suggest("ship_dat_2", ["ship_date_1", "ship_date_2", "ship_dat_3"])).toBe("ship_date_2");
    expect(suggest("Order_Id", ["orderid", "order_id"])).toBe("order_id");
    expect(suggest("abcd", ["abce", "abcf"])).toBe("abce");
  });

  it("stops suggesting once the comparisons of one validation are spent", () => {
    const budget = { remaining: 3 };
    expect(suggest("lookup_ordr", ["notify", "lookup_order"], budget)).toBe("lookup_order");
    expect(suggest("lookup_ordr", ["notify", "lookup_order"], budget)).toBeUndefined();
    expect(budget.remaining).toBe(0);
  });
});
