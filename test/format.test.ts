// The canonical printer: layout, comments, strings, numbers, expressions and safety.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { format, formatSource, printExpr, withoutSpans } from "../grammar/printer.js";
import type { ConditionWidget } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";

/** Formats `source`, failing the test on syntax errors. */
function fmt(source: string): string {
  const result = formatSource(source, "test.flow");
  expect(result.diagnostics).toEqual([]);
  if (result.text === undefined) throw new Error("no text");
  return result.text;
}

/** A flow around `body`, for cases that only care about a few lines. */
const wrap = (body: string): string => `flow f {\n${body}\n}\n`;

function expectStable(source: string): string {
  const once = fmt(source);
  expect(fmt(once)).toBe(once);
  const before = parse(source, "a.flow");
  const after = parse(once, "b.flow");
  expect(withoutSpans(after.flow)).toEqual(withoutSpans(before.flow));
  expect(after.comments.map((c) => c.text).sort()).toEqual(before.comments.map((c) => c.text).sort());
  return once;
}

describe("canonical layout", () => {
  it("lays out a messy flow: indentation, one setting per line, fixed http order, aligned results", () => {
    const source = `flow  demo "Demo"{global caller:string
local n : number=0 secret TOKEN
  start->fetch
http fetch "Fetch"{success->done fail -> done results{status->n "$.name"->caller}
 timeout 5s retry 2 body json {"a":1,} content_type "application/json" headers{"Idempotency-Key"="k"}
   authorization "Bearer {{secret.TOKEN}}" query{page=1 "caller id"=caller} url "https://x.example.com" method POST}
end done}`;
    expect(fmt(source)).toBe(`flow demo "Demo" {
  global caller: string
  local n: number = 0
  secret TOKEN

  start -> fetch

  http fetch "Fetch" {
    method POST
    url "https://x.example.com"
    query {
      page = 1
      "caller id" = caller
    }
    authorization "Bearer {{secret.TOKEN}}"
    headers {
      "Idempotency-Key" = "k"
    }
    content_type "application/json"
    body json {
      "a": 1
    }
    retry 2
    timeout 5s
    results {
      status   -> n
      "$.name" -> caller
    }
    success -> done
    fail -> done
  }

  end done
}
`);
  });

  it("puts declarations first, then start, then widgets, one blank line between widgets", () => {
    const source = wrap(`  send a { next -> b message "hi" }
  local x: string
  end b
  start -> a
  secret S`);
    expect(fmt(source)).toBe(`flow f {
  local x: string
  secret S

  start -> a

  send a {
    message "hi"
    next -> b
  }

  end b
}
`);
  });

  it("keeps blank-line groups between declarations, collapsing runs to one blank line", () => {
    const out = fmt(
      wrap(`  global a: string
  global b: string



  local c: number

  start -> e
  end e`),
    );
    expect(out).toContain("  global a: string\n  global b: string\n\n  local c: number\n\n  start -> e\n");
  });

  it("prints terminals compactly: route with its queue on one line, end without braces, empty widgets as {}", () => {
    const out = fmt(
      wrap(`  start -> r
  route r "R" {
    queue "q"
  }
  end e { }
  send s { }
  condition c`),
    );
    expect(out).toContain(`  route r "R" { queue "q" }\n`);
    expect(out).toContain("  end e\n");
    expect(out).toContain("  send s {}\n");
    expect(out).toContain("  condition c {}\n");
  });

  it("keeps the order of when branches, assignments and declarations", () => {
    const out = fmt(
      wrap(`  local a: number
  local b: number
  start -> s
  set s { b = 2 a = 1 next -> c }
  condition c { else -> s when a > 1 -> s when b > 1 -> s }`),
    );
    expect(out).toContain("    b = 2\n    a = 1\n    next -> c\n");
    expect(out).toContain("    when a > 1 -> s\n    when b > 1 -> s\n    else -> s\n");
  });

  it("prints JSON bodies one entry per line, scalar arrays inline, without trailing commas", () => {
    const out = fmt(wrap(`  http h { body json {"a": [1, 2,], "b": {"c": [{"d": true}]}, "e": {}, "f": [],} }`));
    expect(out).toContain(`    body json {
      "a": [1, 2],
      "b": {
        "c": [
          {
            "d": true
          }
        ]
      },
      "e": {},
      "f": []
    }
`);
  });

  it("formats the contract example and every example idempotently and faithfully", () => {
    const files = [
      "test/fixtures/contract.flow",
      ...readdirSync("examples")
        .filter((f) => f.endsWith(".flow"))
        .map((f) => `examples/${f}`),
    ];
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) expectStable(readFileSync(file, "utf8"));
  });

  it("leaves the contract example's layout as written, apart from the fixed orders", () => {
    const out = fmt(readFileSync("test/fixtures/contract.flow", "utf8"));
    expect(out).toContain(`    results {
      "$.shipDate"      -> ship_date
      "$.items.length"  -> item_count
`);
    // content_type comes after headers in the canonical order.
    expect(out.indexOf(`"X-Hook-Key"`)).toBeLessThan(out.indexOf("content_type"));
    expect(out).toContain(
      `  route vip_queue "VIP agents" { queue "vip-support" }\n\n  route agents { queue "support" }\n`,
    );
  });
});

describe("comments", () => {
  const source = `# file header

// second header
flow f { # on the flow line
  # leads the declaration
  local x: number # trails the declaration
  # closes the declarations
  start -> a
  http a { # on the widget line
    # leads success
    success -> a # trails success
    method GET
    url "https://x.example.com"
    fail -> a
    # end of the widget
  }
  condition c {
    when x > 1 and # inside an expression
      x < 3 -> a
    else -> a
  } # after the widget
}
# end of file
`;

  it("keeps every comment next to the node it was written beside", () => {
    expect(fmt(source)).toBe(`# file header

// second header
flow f { # on the flow line
  # leads the declaration
  local x: number # trails the declaration

  # closes the declarations
  start -> a

  http a { # on the widget line
    method GET
    url "https://x.example.com"
    # leads success
    success -> a # trails success
    fail -> a
    # end of the widget
  }

  condition c {
    # inside an expression
    when x > 1 and x < 3 -> a
    else -> a
  } # after the widget
}
# end of file
`);
  });

  it("is stable with comments", () => {
    expectStable(source);
  });

  it("keeps comments inside values, moving an inline array onto several lines to hold one", () => {
    const out = expectStable(
      wrap(`  local j: json = [1, # one
    2]
  local o: json = { # open
    "a": 1, # a
    # before b
    "b": 2
    # last
  }`),
    );
    expect(out).toContain(`  local j: json = [
    1, # one
    2
  ]
  local o: json = { # open
    "a": 1, # a
    # before b
    "b": 2
    # last
  }
`);
  });

  it("keeps a route on several lines when a comment is inside its braces", () => {
    const out = expectStable(
      wrap(`  route r { # why
    queue "q" }`),
    );
    expect(out).toContain(`  route r { # why\n    queue "q"\n  }\n`);
  });
});

describe("strings, numbers and durations", () => {
  it("re-prints strings with canonical JSON escapes and keeps interpolations", () => {
    const out = fmt(
      wrap(`  local s: string = "\\u0041\\/b\\u000a\\t\\"{{s}}\\\\"
  local u: string = "é😀\u0001"`),
    );
    expect(out).toContain(`  local s: string = "A/b\\n\\t\\"{{s}}\\\\"\n`);
    expect(out).toContain(`  local u: string = "é😀\\u0001"\n`);
  });

  it("prints numbers and durations exactly as written", () => {
    const out = fmt(
      wrap(`  local a: number = 1.50
  local b: number = 2E-2
  local c: number = -0.5
  http h { retry 2.0 timeout 5000ms }`),
    );
    expect(out).toContain("= 1.50\n");
    expect(out).toContain("= 2E-2\n");
    expect(out).toContain("= -0.5\n");
    expect(out).toContain("    retry 2.0\n    timeout 5000ms\n");
  });

  it("keeps quoted and bare keys as written", () => {
    const out = fmt(wrap(`  http h { query { "page" = 1 size = 2 } }`));
    expect(out).toContain(`      "page" = 1\n      size = 2\n`);
  });
});

describe("expressions", () => {
  const cases: [string, string][] = [
    ["((a and b)) or c", "a and b or c"],
    ["a and (b or c)", "a and (b or c)"],
    ["(a or b) or c", "a or b or c"],
    ["a or (b or c)", "a or (b or c)"],
    ["a and (b and c)", "a and (b and c)"],
    ["not (a and b)", "not (a and b)"],
    ["not (x == 1)", "not x == 1"],
    ["not not a", "not not a"],
    ["(not a) == b", "(not a) == b"],
    ["(a == b) != c", "(a == b) != c"],
    ['(a) contains ("x")', 'a contains "x"'],
    ["not a and not b or c", "not a and not b or c"],
  ];
  it.each(cases)("prints %s as %s", (written, printed) => {
    const parsed = parse(wrap(`  condition c { when ${written} -> c }`), "e.flow");
    expect(parsed.diagnostics).toEqual([]);
    const widget = parsed.flow?.widgets[0] as ConditionWidget;
    const condition = widget.branches[0]?.condition;
    if (condition === undefined) throw new Error("no condition");
    expect(printExpr(condition)).toBe(printed);
  });
});

describe("formatSource", () => {
  it("refuses a file with syntax errors and returns its diagnostics", () => {
    const result = formatSource("flow f {\n  local x number\n}\n", "bad.flow");
    expect(result.text).toBeUndefined();
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics[0]?.span.line).toBe(2);
  });

  it("formats a parsed tree directly with format()", () => {
    const source = "flow f{start->e end e}";
    const parsed = parse(source, "f.flow");
    if (parsed.flow === undefined) throw new Error("no flow");
    expect(format(parsed.flow, parsed.comments, source)).toBe("flow f {\n  start -> e\n\n  end e\n}\n");
  });
});
