// The `array` type: a JSON array, with `contains` for membership and `items.length` in
// conditions; checked by the checker, at run time and, in generated modules, by tsc.
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { check, compile, format } from "../api/index.js";
import { matchesType } from "../runtime/types.js";
import { tempDir, typeCheck } from "./compile-helpers.js";
import { servedFlow, stepEnds } from "./helpers/served-flow.js";

const FLOW = `flow basket {
  config base: url
  global tags: array = ["new"]
  local items: array = []
  start -> call
  http call {
    method GET
    url "{{base}}/items"
    results {
      "$.items" -> items
    }
    success -> big
    fail -> failed
  }
  condition big {
    when items.length > 2 and tags contains "vip" -> vip
    when items.length > 2 -> many
    else -> few
  }
  end vip
  end many
  end few
  end failed
}
`;

const errors = (source: string): string[] =>
  check(source, "b.flow")
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.code);

describe("array at check time", () => {
  it("accepts an array literal, membership and length", () => {
    expect(check(FLOW, "b.flow").diagnostics).toEqual([]);
    const text = format(FLOW, "b.flow").text ?? "";
    expect(text).toContain('    when items.length > 2 and tags contains "vip" -> vip\n');
    expect(format(text, "b.flow").text).toBe(text);
  });

  it("rejects a default that is not an array, and the length of a variable that is not one", () => {
    expect(errors(FLOW.replace('array = ["new"]', 'array = "new"'))).toEqual(["CF2010"]);
    expect(errors(FLOW.replace('array = ["new"]', 'array = {"a": 1}'))).toEqual(["CF2010"]);
    const notArray = check(FLOW.replace("local items: array = []", "local items: json"), "b.flow").diagnostics;
    expect(notArray.map((d) => d.code)).toEqual(["CF2044", "CF2044"]);
    expect(notArray[0]?.message).toBe("'items' is a json value: only an array has a length.");
  });
});

describe("array at run time", () => {
  const flow = servedFlow("types-array", FLOW);

  it("is a JSON array, nothing else", () => {
    expect(matchesType([], "array")).toBe(true);
    expect(matchesType([1, "a"], "array")).toBe(true);
    expect(matchesType({ length: 1 }, "array")).toBe(false);
    expect(matchesType("[]", "array")).toBe(false);
  });

  it("maps an array result and branches on its length and membership", async () => {
    flow.server.route("/items", { json: { items: [1, 2, 3] } });
    const [call, big] = stepEnds((await flow.run('tags=["vip"]')).stdout);
    expect(call?.changes).toEqual([{ name: "items", value: [1, 2, 3] }]);
    expect(big).toMatchObject({ exit: "when", next: "vip" });
    expect(stepEnds((await flow.run()).stdout)[1]).toMatchObject({ next: "many" });
  });

  it("fails the step when the result is not an array, and refuses a global that is not one", async () => {
    flow.server.route("/items", { json: { items: { a: 1 } } });
    const [call] = stepEnds((await flow.run()).stdout);
    expect(call?.error?.message).toBe("result $.items -> items: expected array, got object");
    const refused = await flow.run("tags=vip");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("a JSON array");
  });
});

describe("array in generated modules", () => {
  const temp = tempDir("types-array-tsc");
  afterAll(() => temp.remove());

  it("is unknown[]: a host passing a string does not compile", () => {
    const text = compile(FLOW, "b.flow").files[0]?.text ?? "";
    const host = `import { runBasket } from "./b.flow.js";
await runBasket({ tags: ["vip"] }, { config: { base: "https://example.com" } });
await runBasket({ tags: "vip" }, { config: { base: "https://example.com" } });
`;
    const found = typeCheck(temp.dir, { "b.flow.ts": text, "host.ts": host });
    expect(found.map((e) => `${path.basename(e.file)}:${e.line} ${e.code}`)).toEqual(["host.ts:3 TS2322"]);
  });
});
