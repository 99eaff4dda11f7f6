// The .flowtest front end: parsing (the contract example, soft keywords, syntax errors with the
// catalogue's codes) and the canonical layout of `callflow fmt` (a fixed point on the examples,
// idempotent, comments kept).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import { formatFlowTest } from "../grammar/flowtest-printer.js";
import { ROOT } from "./helpers/cli.js";

const examples = readdirSync(path.join(ROOT, "examples")).filter((f) => f.endsWith(".flowtest"));
const read = (name: string): string => readFileSync(path.join(ROOT, "examples", name), "utf8");

describe("parsing .flowtest files", () => {
  it("reads the contract example with every construct and no diagnostic", () => {
    const { file, diagnostics } = parseFlowTest(read("order-status.flowtest"), "order-status.flowtest");
    expect(diagnostics).toEqual([]);
    expect(file?.target.value).toBe("order-status.flow");
    expect(file?.tests.map((t) => t.name.value)).toHaveLength(4);
    const [first, , , last] = file!.tests;
    const mock = first!.items.find((i) => i.kind === "Mock");
    expect(mock?.kind === "Mock" && mock.request?.items.map((i) => i.kind)).toEqual([
      "MethodAssertion",
      "UrlAssertion",
      "HeaderEntry",
      "HeaderEntry",
    ]);
    expect(
      mock?.kind === "Mock" && mock.replies.map((r) => (r.kind === "StatusReply" ? r.status.value : r.failure)),
    ).toEqual([503, 200]);
    const expectations = first!.items.find((i) => i.kind === "ExpectBlock");
    expect(expectations?.kind === "ExpectBlock" && expectations.items.map((e) => e.kind)).toEqual([
      "PathExpect",
      "RouteExpect",
      "AttemptsExpect",
      "VarExpect",
      "VarExpect",
      "VarExpect",
    ]);
    const failing = last!.items.find((i) => i.kind === "Mock");
    expect(failing?.kind === "Mock" && failing.replies.map((r) => r.kind === "FailureReply" && r.failure)).toEqual([
      "timeout",
      "network_error",
      "timeout",
    ]);
  });

  it("tells an expectation keyword from a variable of that name", () => {
    const { file, diagnostics } = parseFlowTest(
      'tests for "f.flow"\ntest "t" { expect { fail  fail = 1  end = 2  end done  path = "p"  path a, b } }\n',
      "t.flowtest",
    );
    expect(diagnostics).toEqual([]);
    const block = file!.tests[0]!.items[0]!;
    expect(
      block.kind === "ExpectBlock" && block.items.map((e) => (e.kind === "VarExpect" ? `${e.name.name}=` : e.kind)),
    ).toEqual(["FailExpect", "fail=", "end=", "EndExpect", "path=", "PathExpect"]);
  });

  it("reports syntax errors with the flow language's codes and positions", () => {
    const { diagnostics } = parseFlowTest('tests for "f.flow"\ntest "t" {\n  mock w { reply soon }\n}\n', "t.flowtest");
    expect(diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column}`)).toEqual(["CF1005 3:18"]);
    expect(diagnostics[0]!.message).toContain("'soon'");
  });

  it("keeps the flow front end's limits: deep nesting and huge strings are diagnostics, not crashes", () => {
    const deep = parseFlowTest(`tests for "f.flow"\ntest "t" { expect { v = ${"[".repeat(5000)} } }\n`, "t.flowtest");
    expect(deep.file).toBeUndefined();
    expect(deep.diagnostics.map((d) => d.code)).toEqual(["CF1012"]);
    const huge = parseFlowTest(`tests for "${"a".repeat(1_000_001)}"\n`, "t.flowtest");
    expect(huge.diagnostics.map((d) => d.code)).toEqual(["CF1013"]);
  });
});

describe("formatting .flowtest files", () => {
  it.each(examples)("leaves examples/%s as it is", (name) => {
    expect(formatFlowTest(read(name), name).text).toBe(read(name));
  });

  it("lays out a messy file canonically, keeps its comments, and is idempotent", () => {
    const messy = `# header comment
tests   for "f.flow"
test "t" {   globals {a=1   b="x"}
  # before the mock
  mock w {
      reply 200 { json {"a":[1,2]} }   # trailing
      reply timeout
  }
  expect { path w,x  fail }
}
test "u" {
expect {
  v = { "k": null }
}
}
`;
    const once = formatFlowTest(messy, "t.flowtest").text!;
    expect(once).toBe(`# header comment
tests for "f.flow"

test "t" {
  globals { a = 1  b = "x" }
  # before the mock
  mock w {
    reply 200 { json { "a": [1, 2] } } # trailing
    reply timeout
  }
  expect { path w, x  fail }
}

test "u" {
  expect {
    v = { "k": null }
  }
}
`);
    expect(formatFlowTest(once, "t.flowtest").text).toBe(once);
  });

  it("does not format a file with syntax errors", () => {
    const result = formatFlowTest('tests for "f.flow"\ntest "t" {', "t.flowtest");
    expect(result.text).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
  });
});
