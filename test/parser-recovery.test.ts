// Error recovery: one run reports every mistake in a file, each at its own place, and
// a mistake inside a block does not swallow the rest of the file.
import { describe, expect, it } from "vitest";
import type { Flow, HttpWidget, Span } from "../grammar/ast.js";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import { parse } from "../grammar/parse.js";

function at(span: Span): string {
  return `${span.line}:${span.column}`;
}

function check(source: string): { problems: string[]; flow: Flow | undefined; messages: string[] } {
  const result = parse(source, "broken.flow");
  return {
    problems: result.diagnostics.map((d) => `${d.code}@${at(d.span)}`),
    messages: result.diagnostics.map((d) => d.message),
    flow: result.flow,
  };
}

function widgetIds(flow: Flow | undefined): string[] {
  return (flow?.widgets ?? []).map((w) => w.id.name);
}

describe("error recovery", () => {
  it("reports six separate syntax mistakes in one file, each where it is (the unknown type is the checker's)", () => {
    const source = `flow broken "Broken" {
  local count: numbr = 0
  secret TOKEN

  start lookup

  http lookup {
    method GET
    url "https://x.example.com/{{id.x}}"
    bogus setting here
    retry 2
    body json { "a": 1 "b": 2 }
    success -> done
    fail -> done
  }

  condition check {
    when count > 1 -> done
    else done
  }

  send hello { message "unterminated
    next -> done
  }

  end done
}
`;
    const { problems, messages, flow } = check(source);
    expect(problems).toEqual([
      "CF1004@5:9", // start lookup: missing ->
      "CF1006@9:32", // {{id.x}}
      "CF1004@10:5", // bogus setting
      "CF1004@12:24", // missing comma in the JSON body
      "CF1004@19:10", // else done: missing ->
      "CF1002@22:24", // unterminated string
    ]);
    expect(messages[2]).toBe("Expected an http setting or '}' but found 'bogus'.");
    expect(messages[3]).toBe(`Expected ',' or '}' but found "b".`);
    // Everything around the mistakes is still read.
    expect(widgetIds(flow)).toEqual(["lookup", "check", "hello", "done"]);
    const http = flow?.widgets[0] as HttpWidget;
    expect(http.settings.retry?.value.value).toBe(2);
    expect(http.settings.body?.value.kind).toBe("JsonBody");
    expect(http.exits.success?.target.name).toBe("done");
    expect(http.exits.fail?.target.name).toBe("done");
    expect(flow?.declarations.map((d) => d.name.name)).toEqual(["count", "TOKEN"]);
  });

  it("takes a missing closing brace as closed where the next widget starts", () => {
    const { problems, messages, flow } = check(`flow f {
  http a {
    method GET
  http b { method POST }
  route r { queue "q" }
}
`);
    expect(problems).toEqual(["CF1004@4:3"]);
    expect(messages[0]).toBe("Expected an http setting or '}' but found 'http'.");
    expect(widgetIds(flow)).toEqual(["a", "b", "r"]);
  });

  it("skips junk holding its own braces without closing the block early", () => {
    const { problems, flow } = check(`flow f {
  http h { bogus { x } url "https://a.example" fail -> e }
  end e
}`);
    expect(problems).toEqual(["CF1004@2:12"]);
    const http = flow?.widgets[0] as HttpWidget;
    expect(http.settings.url).toBeDefined();
    expect(http.exits.fail?.target.name).toBe("e");
    expect(widgetIds(flow)).toEqual(["h", "e"]);
  });

  it("recovers from a bad value inside nested JSON without losing the rest of the file", () => {
    const { problems, flow } = check(`flow f {
  http h {
    body json { "a": [1, { "b": = }], "c": 2 }
    success -> e
  }
  end e
}`);
    expect(problems).toEqual(["CF1005@3:33"]);
    expect((flow?.widgets[0] as HttpWidget | undefined)?.exits.success?.target.name).toBe("e");
    expect(widgetIds(flow)).toEqual(["h", "e"]);
  });

  it("reads a closer of the wrong kind as the right one when the file's brackets balance", () => {
    const { problems, flow } = check(`flow f {
  local x: json = { "a": [1, 2 }, "b": 3 }
  condition c { when (a == 1] -> x else -> y }
  local y: string = "ok"
}`);
    expect(problems).toEqual(["CF1004@2:32", "CF1004@3:29"]);
    expect(flow?.declarations.map((d) => d.name.name)).toEqual(["x", "y"]);
    expect(widgetIds(flow)).toEqual(["c"]);
  });

  it("inserts a missing closer when the file has one closer too few", () => {
    const { problems, flow } = check(`flow f {
  set s { x = [1, 2 }
  end e
}`);
    expect(problems).toEqual(["CF1004@2:21"]);
    expect(widgetIds(flow)).toEqual(["s", "e"]);
  });

  it("reports a missing parenthesis once and keeps the next branches", () => {
    const { problems, flow } = check(`flow f {
  condition c {
    when (a == 1 -> x
    when b == 2 -> y
    else -> z
  }
}`);
    expect(problems).toEqual(["CF1004@3:18"]);
    const condition = flow?.widgets[0];
    expect(condition?.kind === "ConditionWidget" && condition.branches.map((b) => b.target.name)).toEqual(["x", "y"]);
  });

  it("keeps lexer, string, builder and parser errors apart, one per place", () => {
    const { problems } = check(`flow f {
  local a: text = 1 ~
  http h { method get timeout 5sec url "\\x" }
  set s { a = 1 b = next -> q }
}`);
    expect(problems).toEqual([
      "CF1001@2:21", // ~
      "CF1010@3:31", // 5sec: no second "expected a duration" here
      "CF1003@3:41", // \x
      "CF1004@4:26", // -> after `b = next`
      "CF1005@4:29", // q without `=`
    ]);
  });

  it("reports content after the flow once", () => {
    expect(check("flow a { end e }\nflow b { end e }\n").problems).toEqual(["CF1011@2:1"]);
    expect(check("flow a { end e } } }").problems).toEqual(["CF1011@1:18"]);
  });

  it("reports a flow that never closes at the end of the file", () => {
    const { problems, flow } = check('flow f {\n  end e\n  route r { queue "q" }\n');
    expect(problems).toEqual(["CF1004@4:1"]);
    expect(widgetIds(flow)).toEqual(["e", "r"]);
  });

  // Both parsers extend one value grammar (grammar/value-parser.ts), so a value is reported
  // and recovered from alike in both languages.
  it("reports a missing comma in a .flowtest value exactly as in a .flow", () => {
    const value = '{ "a": 1 "b": 2 }';
    const flow = parse(`flow f {\n  local x: json = ${value}\n  end e\n}\n`, "broken.flow");
    const test = parseFlowTest(
      `tests for "f.flow"\ntest "t" {\n  globals { x = ${value} }\n  expect { end e }\n}\n`,
      "broken.flowtest",
    );
    const shown = (diagnostics: readonly { code: string; message: string }[]) =>
      diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(shown(flow.diagnostics)).toEqual(["CF1004 Expected ',' or '}' but found \"b\"."]);
    expect(shown(test.diagnostics)).toEqual(shown(flow.diagnostics));
    expect(test.diagnostics.map((d) => at(d.span))).toEqual(["3:26"]);
    expect(test.file?.tests[0]?.items.map((item) => item.kind)).toEqual(["InputBlock", "ExpectBlock"]);
  });
});
