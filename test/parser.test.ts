import { readFileSync, writeFileSync } from "node:fs";
import { generateCstDts } from "chevrotain";
import { describe, expect, it } from "vitest";
import type {
  BinaryExpr,
  ConditionWidget,
  Expr,
  Flow,
  RouteWidget,
  SendWidget,
  SetWidget,
  Span,
  StringLiteral,
  Value,
  VarDecl,
} from "../grammar/ast.js";
import { messages } from "../grammar/diagnostics.js";
import { parse } from "../grammar/parse.js";
import { validatedFlowTestParser } from "../grammar/flowtest-parser.js";
import { flowParser, validatedFlowParser } from "../grammar/parser.js";
import { SourcePositions } from "../grammar/spans.js";
import { createLexer, tokenize } from "../grammar/tokens.js";

const contractPath = new URL("./fixtures/contract.flow", import.meta.url);
const contract = readFileSync(contractPath, "utf8");

/** `line:column` of a span. */
function at(span: Span): string {
  return `${span.line}:${span.column}`;
}

/** The source text a span covers. */
function text(source: string, span: Span): string {
  return source.slice(span.offset, span.offset + span.length);
}

/** Each diagnostic as `CODE@line:column`, in order. */
function problems(source: string): string[] {
  return parse(source, "test.flow").diagnostics.map((d) => `${d.code}@${at(d.span)}`);
}

function parseOk(source: string): Flow {
  const result = parse(source, "test.flow");
  expect(result.diagnostics).toEqual([]);
  expect(result.flow).toBeDefined();
  return result.flow as Flow;
}

/** Source for a flow whose body is `body`. */
function flowWith(body: string): string {
  return `flow f {\n${body}\n}\n`;
}

function widget<K extends Flow["widgets"][number]["kind"]>(flow: Flow, kind: K, index = 0) {
  const found = flow.widgets.filter((w) => w.kind === kind)[index];
  expect(found, `${kind} #${index}`).toBeDefined();
  return found as Extract<Flow["widgets"][number], { kind: K }>;
}

/** An expression tree as a compact string: `(and (== is_vip true) (> item_count 0))`. */
function show(expr: Expr | Value): string {
  switch (expr.kind) {
    case "Binary":
      return `(${expr.op} ${show(expr.left)} ${show(expr.right)})`;
    case "Not":
      return `(not ${show(expr.operand)})`;
    case "VarRef":
      return expr.name;
    case "Length":
      return `${expr.target.name}.length`;
    case "SecretRef":
      return `secret.${expr.name}`;
    case "String":
      return JSON.stringify(expr.value);
    case "Number":
      return expr.raw;
    case "Boolean":
      return String(expr.value);
    case "Null":
      return "null";
    case "Object":
      return `{${expr.entries.map((e) => `${JSON.stringify(e.key.value)}: ${show(e.value)}`).join(", ")}}`;
    case "Array":
      return `[${expr.items.map(show).join(", ")}]`;
  }
}

describe("the contract flow (issue 2)", () => {
  const result = parse(contract, "contract.flow");
  const flow = result.flow as Flow;

  it("parses with no diagnostics", () => {
    expect(result.diagnostics).toEqual([]);
    expect(flow.id.name).toBe("order_status");
    expect(flow.displayName?.value).toBe("Order status");
    expect(flow.span.offset).toBe(contract.indexOf("flow order_status"));
    expect(text(contract, flow.span).endsWith("end goodbye\n}")).toBe(true);
  });

  it("keeps the widgets in source order", () => {
    expect(flow.widgets.map((w) => `${w.kind} ${w.id.name}`)).toEqual([
      "HttpWidget lookup_order",
      "ConditionWidget check_vip",
      "SendWidget announce",
      "HttpWidget notify",
      "SetWidget remember",
      "SendWidget apologize",
      "RouteWidget vip_queue",
      "RouteWidget agents",
      "EndWidget goodbye",
    ]);
    expect(flow.widgets.map((w) => w.displayName?.value ?? null)).toEqual([
      "Look up order",
      "VIP?",
      null,
      "Notify CRM",
      "Remember the tier",
      null,
      "VIP agents",
      null,
      null,
    ]);
  });

  it("reads declarations with types, defaults and masked flags", () => {
    const summary = flow.declarations.map((d) =>
      d.kind === "SecretDecl"
        ? `secret ${d.name.name}`
        : `${d.scope} ${d.name.name}: ${d.type.name}${d.default ? ` = ${show(d.default)}` : ""}${d.masked ? " masked" : ""}`,
    );
    expect(summary).toEqual([
      "global caller_id: string",
      "global order_id: string",
      "local ship_date: string",
      "local item_count: number = 0",
      "local is_vip: boolean = false",
      "local customer: json",
      "local card_last4: string masked",
      "secret CRM_TOKEN",
      "secret HOOK_KEY",
    ]);
    const masked = flow.declarations[6] as VarDecl;
    expect(text(contract, masked.span)).toBe("local card_last4: string masked");
    expect(at(masked.type.span)).toBe("9:21");
  });

  it("reads the start exit", () => {
    expect(flow.start?.label).toBe("start");
    expect(flow.start?.target.name).toBe("lookup_order");
    expect(text(contract, flow.start?.span as Span)).toBe("start -> lookup_order");
  });

  it("reads every http setting of lookup_order, each spanning its line", () => {
    const http = widget(flow, "HttpWidget");
    expect(http.settings.method?.value.name).toBe("GET");
    expect(text(contract, http.settings.method?.span as Span)).toBe("method GET");
    expect(show(http.settings.url?.value as Value)).toBe('"https://crm.example.com/orders/{{order_id}}"');
    expect(
      http.settings.query?.value.entries.map(
        (e) => `${e.key.name}${e.key.quoted ? " (quoted)" : ""} = ${show(e.value)}`,
      ),
    ).toEqual(['include = "items"', "caller = caller_id"]);
    expect(text(contract, http.settings.query?.span as Span)).toMatch(/^query \{\n[^]*\n {4}\}$/);
    expect(
      http.settings.headers?.value.entries.map(
        (e) => `${e.key.name}${e.key.quoted ? " (quoted)" : ""} = ${show(e.value)}`,
      ),
    ).toEqual(['X-Request-Source (quoted) = "ivr"']);
    expect(http.settings.retry?.value.value).toBe(2);
    expect(text(contract, http.settings.retry?.span as Span)).toBe("retry 2");
    expect(http.settings.timeout?.value).toMatchObject({ kind: "Duration", ms: 5000, raw: "5s" });
    expect(text(contract, http.settings.timeout?.span as Span)).toBe("timeout 5s");
    expect(
      http.settings.results?.value.mappings.map(
        (m) => `${m.source.kind === "JsonPathSource" ? m.source.path.value : m.source.kind} -> ${m.target.name}`,
      ),
    ).toEqual([
      "$.shipDate -> ship_date",
      "$.items.length -> item_count",
      "$.customer -> customer",
      "$.customer.vip -> is_vip",
      "$.payment.last4 -> card_last4",
    ]);
    expect(http.exits.success).toMatchObject({ kind: "Exit", label: "success", target: { name: "check_vip" } });
    expect(http.exits.fail).toMatchObject({ kind: "Exit", label: "fail", target: { name: "apologize" } });
    expect(text(contract, http.exits.fail?.span as Span)).toBe("fail -> apologize");
    expect(http.settings.body).toBeUndefined();
    expect(http.settings.content_type).toBeUndefined();
  });

  it("splits interpolated strings into parts with exact source spans", () => {
    const http = widget(flow, "HttpWidget");
    const url = http.settings.url?.value as StringLiteral;
    expect(url.parts.map((p) => p.kind)).toEqual(["Text", "Interpolation"]);
    const [textPart, interpolation] = url.parts;
    expect(textPart?.kind === "Text" && textPart.value).toBe("https://crm.example.com/orders/");
    expect(text(contract, textPart?.span as Span)).toBe("https://crm.example.com/orders/");
    expect(text(contract, interpolation?.span as Span)).toBe("{{order_id}}");
    expect(at(interpolation?.span as Span)).toBe("17:41");
    if (interpolation?.kind !== "Interpolation") throw new Error("expected an interpolation");
    expect(interpolation.ref).toMatchObject({ kind: "VarRef", name: "order_id" });
    expect(text(contract, interpolation.ref.span)).toBe("order_id");

    const auth = http.settings.authorization?.value as StringLiteral;
    const secret = auth.parts[1];
    if (secret?.kind !== "Interpolation") throw new Error("expected an interpolation");
    expect(secret.ref).toMatchObject({ kind: "SecretRef", name: "CRM_TOKEN" });
    expect(text(contract, secret.ref.span)).toBe("secret.CRM_TOKEN");
    expect(auth.value).toBe("Bearer {{secret.CRM_TOKEN}}");
  });

  it("builds the condition expression tree with and over comparisons", () => {
    const condition = widget(flow, "ConditionWidget");
    expect(condition.branches).toHaveLength(1);
    const branch = condition.branches[0];
    expect(show(branch?.condition as Expr)).toBe("(and (== is_vip true) (> item_count 0))");
    expect(branch?.target.name).toBe("vip_queue");
    expect(text(contract, branch?.span as Span)).toBe("when is_vip == true and item_count > 0 -> vip_queue");
    expect(text(contract, (branch?.condition as BinaryExpr | undefined)?.span as Span)).toBe(
      "is_vip == true and item_count > 0",
    );
    expect(condition.exits.else?.target.name).toBe("announce");
  });

  it("reads the json body, set, send, route and end widgets", () => {
    const notify = widget(flow, "HttpWidget", 1);
    expect(notify.settings.method?.value.name).toBe("POST");
    expect(notify.settings.content_type?.value.value).toBe("application/json");
    expect(notify.settings.body?.value.kind).toBe("JsonBody");
    expect(show((notify.settings.body?.value as { value: Value } | undefined)?.value as Value)).toBe(
      '{"order": order_id, "items": item_count, "vip": is_vip, "event": "status-played", "tags": ["ivr", "status"]}',
    );
    const headerValue = notify.settings.headers?.value.entries[0]?.value as StringLiteral;
    expect(headerValue.parts).toMatchObject([{ kind: "Interpolation", ref: { kind: "SecretRef", name: "HOOK_KEY" } }]);

    const set = widget(flow, "SetWidget") as SetWidget;
    expect(set.assignments.map((a) => `${a.target.name} = ${show(a.value)}`)).toEqual([
      "is_vip = false",
      'ship_date = "unknown"',
    ]);
    expect(set.exits.next?.target.name).toBe("goodbye");

    const announce = widget(flow, "SendWidget") as SendWidget;
    expect(announce.settings.message?.value.value).toBe("Your order ships on {{ship_date}}.");
    expect(announce.exits.next).toMatchObject({ label: "next", target: { name: "notify" } });

    const vip = widget(flow, "RouteWidget") as RouteWidget;
    expect(vip.settings.queue?.value.value).toBe("vip-support");
    expect(text(contract, vip.span)).toBe('route vip_queue "VIP agents" { queue "vip-support" }');

    const end = widget(flow, "EndWidget");
    expect(text(contract, end.span)).toBe("end goodbye");
  });

  it("keeps comments with their spans", () => {
    expect(result.comments).toEqual([
      {
        kind: "Comment",
        text: "# Order status lookup for the voice IVR.",
        span: { file: "contract.flow", line: 1, column: 1, offset: 0, length: 40 },
      },
    ]);
  });
});

describe("the rest of the language", () => {
  it("decodes JSON escapes and keeps spans on the raw text", () => {
    const source = flowWith(String.raw`  send s { message "tab\there \"q\" \u00e9 \\ {{ name }}!" }`);
    const message = (widget(parseOk(source), "SendWidget") as SendWidget).settings.message?.value as StringLiteral;
    expect(message.value).toBe('tab\there "q" é \\ {{ name }}!');
    expect(message.parts.map((p) => [p.kind, text(source, p.span)])).toEqual([
      ["Text", String.raw`tab\there \"q\" \u00e9 \\ `],
      ["Interpolation", "{{ name }}"],
      ["Text", "!"],
    ]);
    expect(message.parts[0]).toMatchObject({ value: 'tab\there "q" é \\ ' });
  });

  it("gives an empty string no parts", () => {
    const flow = parseOk(flowWith('  send s { message "" }'));
    expect((widget(flow, "SendWidget") as SendWidget).settings.message?.value).toMatchObject({ value: "", parts: [] });
  });

  it("reads numbers and durations", () => {
    const flow = parseOk(
      flowWith("  local a: number = -1.5e3\n  http h { retry 3 timeout 250ms }\n  http i { timeout 2m }"),
    );
    expect((flow.declarations[0] as VarDecl).default).toMatchObject({ kind: "Number", value: -1500, raw: "-1.5e3" });
    expect(widget(flow, "HttpWidget").settings.timeout?.value).toMatchObject({ ms: 250, raw: "250ms" });
    expect(widget(flow, "HttpWidget", 1).settings.timeout?.value).toMatchObject({ ms: 120_000, raw: "2m" });
  });

  it("reads secret references, null, nested arrays and objects, with or without a trailing comma", () => {
    const source = flowWith(
      '  http h {\n    authorization secret.TOKEN\n    body json { "a": [1, [true, null],], "b": {}, "c": [], }\n  }',
    );
    const http = widget(parseOk(source), "HttpWidget");
    expect(show(http.settings.authorization?.value as Value)).toBe("secret.TOKEN");
    expect(text(source, http.settings.authorization?.value.span as Span)).toBe("secret.TOKEN");
    expect(show((http.settings.body?.value as { value: Value } | undefined)?.value as Value)).toBe(
      '{"a": [1, [true, null]], "b": {}, "c": []}',
    );
  });

  it("reads form and text bodies and status and header result sources", () => {
    const source = flowWith(
      '  http a {\n    body form { name = "x" "full name" = y }\n    results { status -> code header "X-Request-Id" -> rid }\n  }\n  http b { body text "hi {{x}}" }',
    );
    const flow = parseOk(source);
    const a = widget(flow, "HttpWidget");
    expect(a.settings.body?.value).toMatchObject({
      kind: "FormBody",
      entries: [{ key: { name: "name", quoted: false } }, { key: { name: "full name", quoted: true } }],
    });
    expect(a.settings.results?.value.mappings.map((m) => m.source.kind)).toEqual(["StatusSource", "HeaderSource"]);
    const header = a.settings.results?.value.mappings[1];
    expect(header?.source.kind === "HeaderSource" && header.source.name.value).toBe("X-Request-Id");
    expect(text(source, header?.span as Span)).toBe('header "X-Request-Id" -> rid');
    expect(widget(flow, "HttpWidget", 1).settings.body?.value).toMatchObject({
      kind: "TextBody",
      value: { value: "hi {{x}}" },
    });
  });

  it("applies expression precedence: or < and < not < comparison", () => {
    const conditions = [
      "a or b and c",
      "not a == b",
      "not not a",
      "(a or b) and c",
      'x contains "y" or n >= 2 and n != 3',
      "a < 1 or a <= 2 or a > 3",
    ];
    const source = flowWith(
      `  condition c {\n${conditions.map((c, i) => `    when ${c} -> t${i}`).join("\n")}\n    else -> e\n  }`,
    );
    const branches = (widget(parseOk(source), "ConditionWidget") as ConditionWidget).branches;
    expect(branches.map((b) => show(b.condition))).toEqual([
      "(or a (and b c))",
      "(not (== a b))",
      "(not (not a))",
      "(and (or a b) c)",
      '(or (contains x "y") (and (>= n 2) (!= n 3)))',
      "(or (or (< a 1) (<= a 2)) (> a 3))",
    ]);
    // Parentheses are dropped: the inner node spans only what they enclose.
    const grouped = branches[3]?.condition as BinaryExpr;
    expect(text(source, grouped.left.span)).toBe("a or b");
  });

  it("lets soft keywords be names of variables, widgets, keys and exits", () => {
    const source = flowWith(
      [
        "  local status: string",
        "  local next: number",
        "  local secret: string",
        "  global message: string",
        "  start -> end",
        "  http notify { method GET url status query { status = secret url = next } success -> send fail -> end }",
        "  set send { next = 1 message = status next -> end }",
        "  condition when { when status == message -> end else -> end }",
        "  end end",
      ].join("\n"),
    );
    const flow = parseOk(source);
    expect(flow.declarations.map((d) => d.name.name)).toEqual(["status", "next", "secret", "message"]);
    expect(flow.widgets.map((w) => w.id.name)).toEqual(["notify", "send", "when", "end"]);
    const http = widget(flow, "HttpWidget");
    expect(show(http.settings.url?.value as Value)).toBe("status");
    expect(http.settings.query?.value.entries.map((e) => `${e.key.name} = ${show(e.value)}`)).toEqual([
      "status = secret",
      "url = next",
    ]);
    const set = widget(flow, "SetWidget") as SetWidget;
    expect(set.assignments.map((a) => `${a.target.name} = ${show(a.value)}`)).toEqual(["next = 1", "message = status"]);
    expect(set.exits.next?.target.name).toBe("end");
  });

  it("ignores newlines: a whole flow fits on one line", () => {
    const flow = parseOk('flow f "F" { local x: string start -> r route r "R" { queue "q" } end e }');
    expect(flow.widgets.map((w) => w.id.name)).toEqual(["r", "e"]);
    expect(flow.start?.target.name).toBe("r");
  });

  it("accepts // comments, CRLF line ends and a byte-order mark", () => {
    const source = "\uFEFF// head\r\nflow f { // trailing\r\n  end e # last\r\n}\r\n";
    const result = parse(source, "crlf.flow");
    expect(result.diagnostics).toEqual([]);
    expect(result.comments.map((c) => `${c.text}@${at(c.span)}`)).toEqual([
      "// head@1:2",
      "// trailing@2:10",
      "# last@3:9",
    ]);
    expect(at(result.flow?.widgets[0]?.span as Span)).toBe("3:3");
  });

  it("counts lone CR line ends as CRLF and LF, and finds lines in any order", () => {
    const positions = new SourcePositions("p.flow", "a\rb\r\nc\nd\n\ne");
    const lineColumn = (offset: number): string => at(positions.span(offset, 1));
    expect([10, 0, 2, 5, 7, 9, 10, 2].map(lineColumn)).toEqual([
      "6:1",
      "1:1",
      "2:1",
      "3:1",
      "4:1",
      "5:1",
      "6:1",
      "2:1",
    ]);
    expect(at(positions.end())).toBe("6:2");
    const result = parse("flow f {\r  end e\r}\r", "cr.flow");
    expect(result.diagnostics).toEqual([]);
    expect(at(result.flow?.widgets[0]?.span as Span)).toBe("2:3");
  });

  it("exposes the token stream, with keywords retyped and comments grouped", () => {
    const lexed = tokenize("flow status { # c\n}");
    expect(lexed.tokens.map((t) => t.tokenType.name)).toEqual(["Kw_flow", "Kw_status", "LCurly", "RCurly"]);
    expect(lexed.groups["comments"]?.map((c) => c.image)).toEqual(["# c"]);
  });
});

describe("syntax diagnostics", () => {
  // Each case: one mistake, the code it must produce and where (line:column).
  const cases: readonly { name: string; source: string; expected: string[]; message?: RegExp }[] = [
    { name: "an unexpected character", source: flowWith("  end e @"), expected: ["CF1001@2:9"], message: /'@'/ },
    { name: "an unterminated string", source: flowWith('  send s { message "hi\n  }'), expected: ["CF1002@2:20"] },
    {
      name: "an invalid escape",
      source: flowWith(String.raw`  send s { message "a\qb" }`),
      expected: ["CF1003@2:22"],
      message: /'\\q'/,
    },
    {
      name: "a short unicode escape",
      source: flowWith(String.raw`  send s { message "\u12x" }`),
      expected: ["CF1003@2:21"],
      message: /'\\u12'/,
    },
    {
      name: "a missing arrow",
      source: flowWith("  start lookup"),
      expected: ["CF1004@2:9"],
      message: /Expected '->' but found 'lookup'/,
    },
    {
      name: "a missing closing brace at end of file",
      source: "flow f {\n  end e\n",
      expected: ["CF1004@3:1"],
      message: /end of file/,
    },
    {
      name: "a wrong value",
      source: flowWith('  http h { url = "x" }'),
      expected: ["CF1005@2:16"],
      message: /Unexpected '=': expected a value/,
    },
    {
      name: "a bad body kind",
      source: flowWith('  http h { body xml "x" }'),
      expected: ["CF1005@2:17"],
      message: /'json', 'form' or 'text'/,
    },
    {
      name: "a malformed interpolation",
      source: flowWith('  send s { message "a {{foo.bar}} b" }'),
      expected: ["CF1006@2:23"],
      message: /'\{\{foo\.bar\}\}'/,
    },
    {
      name: "an unclosed interpolation",
      source: flowWith('  send s { message "a {{name" }'),
      expected: ["CF1006@2:23"],
    },
    { name: "an empty interpolation", source: flowWith('  send s { message "{{}}" }'), expected: ["CF1006@2:21"] },
    {
      name: "a duplicate setting",
      source: flowWith("  http h {\n    retry 1\n    retry 2\n  }"),
      expected: ["CF1007@4:5"],
      message: /'retry' in widget 'h'/,
    },
    { name: "a duplicate next", source: flowWith("  send s { next -> a next -> b }"), expected: ["CF1007@2:22"] },
    {
      name: "a string of more than 1,000,000 characters",
      source: flowWith(`  send s { message "${"x".repeat(1_000_001)}" }`),
      expected: ["CF1013@2:20"],
    },
    {
      name: "a condition of more than 500 terms",
      source: flowWith(`  condition c { when ${Array.from({ length: 501 }, () => "a").join(" or ")} -> e else -> e }`),
      expected: ["CF1014@2:22"],
    },
    { name: "a duplicate else", source: flowWith("  condition c { else -> a else -> b }"), expected: ["CF1007@2:27"] },
    {
      name: "a number glued to letters",
      source: flowWith("  local x: number = 12abc"),
      expected: ["CF1010@2:21"],
      message: /'12abc'/,
    },
    { name: "a number out of range", source: flowWith("  local x: number = 1e999"), expected: ["CF1010@2:21"] },
    {
      name: "a length read in a set value",
      source: flowWith("  set s { n = items.length  next -> e }"),
      expected: ["CF1016@2:15"],
      message: /^'items\.length' can only be read in a condition/,
    },
    {
      name: "a length read in a default",
      source: flowWith("  local n: number = items.length"),
      expected: ["CF1016@2:21"],
    },
    {
      name: "a length read in a json body",
      source: flowWith('  http h { url "https://a.example" body json { "n": items.length } }'),
      expected: ["CF1016@2:53"],
    },
    {
      name: "a bad duration unit",
      source: flowWith("  http h { timeout 5sec }"),
      expected: ["CF1010@2:20"],
      message: /Invalid number '5sec'/,
    },
    {
      name: "a second flow",
      source: "flow a {}\nflow b {}\n",
      expected: ["CF1011@2:1"],
      message: /found 'flow' after the flow/,
    },
    { name: "an empty file", source: "", expected: ["CF1004@1:1"], message: /Expected 'flow' but found end of file/ },
  ];

  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      const { diagnostics } = parse(c.source, "test.flow");
      expect(diagnostics.map((d) => `${d.code}@${at(d.span)}`)).toEqual(c.expected);
      if (c.message) expect(diagnostics[0]?.message).toMatch(c.message);
      for (const d of diagnostics) expect(d.severity).toBe("error");
    });
  }

  it("reports nesting too deep for the parser instead of overflowing the stack", () => {
    const source = flowWith(`  local x: json = ${"[".repeat(5000)}`);
    const { flow, diagnostics } = parse(source, "deep.flow");
    expect(flow).toBeUndefined();
    expect(diagnostics.map((d) => `${d.code}@${at(d.span)}`)).toEqual(["CF1012@2:118"]);
    const nots = parse(flowWith(`  condition c { when ${"not ".repeat(5000)}a -> x }`), "deep.flow");
    expect(nots.diagnostics.map((d) => d.code)).toEqual(["CF1012"]);
  });

  it("produces every syntax code in the catalogue from the cases above", () => {
    const produced = new Set(cases.flatMap((c) => c.expected.map((e) => e.split("@")[0])));
    produced.add("CF1012");
    // The runtime's contract knows methods and types: the checker reports these (semantic-cases.ts).
    // CF1015 (a file that is not UTF-8) is the CLI's: parse() takes text that is already decoded.
    const checkerCodes = new Set(["CF1008", "CF1009", "CF1015"]);
    const syntax = Object.values(messages)
      .map((m) => m.code)
      .filter((code) => code.startsWith("CF1") && !checkerCodes.has(code));
    expect(syntax.filter((code) => !produced.has(code))).toEqual([]);
  });

  it("points an unexpected-character diagnostic at the exact character, even after astral characters", () => {
    const source = flowWith('  send s { message "😀" } ¤');
    expect(problems(source)).toEqual(["CF1001@2:27"]);
    expect(text(source, parse(source, "t.flow").diagnostics[0]?.span as Span)).toBe("¤");
  });
});

describe("Chevrotain's grammar validations (the lexer and parsers in use skip them)", () => {
  it("pass for the lexer and both parsers: each would throw on a grammar or pattern error", () => {
    expect(createLexer(true).lexerDefinitionErrors).toEqual([]);
    expect(() => validatedFlowParser()).not.toThrow();
    expect(() => validatedFlowTestParser()).not.toThrow();
  });
});

describe("grammar/cst.d.ts", () => {
  it("matches the grammar (UPDATE_CST=1 regenerates it)", () => {
    const header =
      "// Generated from the grammar by chevrotain's generateCstDts: do not edit. Regenerate with\n" +
      "// UPDATE_CST=1 npx vitest run test/parser.test.ts (a test fails when this file is stale).\n";
    const expected = header + generateCstDts(flowParser().getGAstProductions()) + "\n";
    const path = new URL("../grammar/cst.d.ts", import.meta.url);
    if (process.env["UPDATE_CST"] === "1") writeFileSync(path, expected);
    expect(readFileSync(path, "utf8")).toBe(expected);
  });
});
