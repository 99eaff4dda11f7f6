// The TextMate grammars of editors/vscode, run by the same engine as VS Code (vscode-textmate on the
// Oniguruma WASM): representative tokens of every example get the intended scopes, no example line is
// marked invalid, and each kind of lexer error is.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";
import type { IGrammar } from "vscode-textmate";
import { ITEM_KEYWORDS, START_EXIT, WIDGET_SPECS } from "../grammar/language.js";
import { VAR_TYPES } from "../runtime/contract.js";

const root = path.resolve(import.meta.dirname, "..");
const extensionDir = path.join(root, "editors/vscode");
const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
  contributes: { grammars: { language: string; scopeName: string; path: string }[] };
};

interface Token {
  readonly text: string;
  readonly scopes: readonly string[];
}

// Grammars are found through the extension's manifest, so a wrong path or scope name there fails here too.
async function loadGrammars(): Promise<Record<"flow" | "flowtest", IGrammar>> {
  const wasm = readFileSync(createRequire(import.meta.url).resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      const entry = manifest.contributes.grammars.find((g) => g.scopeName === scopeName);
      if (entry === undefined) return null;
      const file = path.join(extensionDir, entry.path);
      return vsctm.parseRawGrammar(readFileSync(file, "utf8"), file);
    },
  });
  const load = async (language: string): Promise<IGrammar> => {
    const entry = manifest.contributes.grammars.find((g) => g.language === language);
    const grammar = entry === undefined ? null : await registry.loadGrammar(entry.scopeName);
    if (grammar === null) throw new Error(`no grammar for ${language}`);
    return grammar;
  };
  return { flow: await load("flow"), flowtest: await load("flowtest") };
}

let grammars: Record<"flow" | "flowtest", IGrammar>;
beforeAll(async () => {
  grammars = await loadGrammars();
});

/** Tokenizes a whole text line by line, as an editor does. */
function tokenize(grammar: IGrammar, source: string): Token[][] {
  let stack = vsctm.INITIAL;
  return source.split("\n").map((line) => {
    const result = grammar.tokenizeLine(line, stack);
    stack = result.ruleStack;
    return result.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** A tokenized file, queried by line. */
class Tokenized {
  readonly lines: Token[][];
  constructor(
    readonly source: string,
    grammar: IGrammar,
  ) {
    this.lines = tokenize(grammar, source);
  }

  /** The tokens of the first line containing `text`. */
  line(text: string): Token[] {
    const index = this.source.split("\n").findIndex((l) => l.includes(text));
    const tokens = this.lines[index];
    if (tokens === undefined) throw new Error(`no line contains ${JSON.stringify(text)}`);
    return tokens;
  }

  /** The text of that line's tokens carrying a scope that starts with `scope`, joined with "|" between runs. */
  scoped(lineText: string, scope: string): string {
    return runs(this.line(lineText), scope).join("|");
  }
}

function hasScope(token: Token, scope: string): boolean {
  return token.scopes.some((s) => s === scope || s.startsWith(`${scope}.`));
}

/** Texts of the maximal runs of adjacent tokens that carry `scope`. */
function runs(tokens: readonly Token[], scope: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const token of tokens) {
    if (hasScope(token, scope)) current = (current ?? "") + token.text;
    else if (current !== undefined) {
      out.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

function example(name: string): Tokenized {
  return new Tokenized(readFileSync(path.join(root, "examples", name), "utf8"), grammars.flow);
}

const exampleFiles = readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".flow"));

describe("flow.tmLanguage.json on the examples", () => {
  it("finds the example flows", () => {
    expect(exampleFiles).toEqual(expect.arrayContaining(["order-status.flow", "appointment-reminder.flow"]));
  });

  it.each(exampleFiles)("marks no token of %s invalid", (file) => {
    const tokenized = example(file);
    const invalid = tokenized.lines.flatMap((tokens, i) =>
      tokens.filter((t) => hasScope(t, "invalid")).map((t) => `${file}:${i + 1}: ${JSON.stringify(t.text)}`),
    );
    expect(invalid).toEqual([]);
  });

  it("scopes order-status.flow", () => {
    const flow = example("order-status.flow");
    expect(flow.scoped("# Order status lookup", "comment.line.number-sign.flow")).toBe(
      "# Order status lookup for the voice IVR.",
    );
    expect(flow.scoped("# Order status lookup", "punctuation.definition.comment.flow")).toBe("#");
    expect(flow.scoped("flow order_status", "storage.type.flow")).toBe("flow");
    expect(flow.scoped("flow order_status", "entity.name.type.flow")).toBe("order_status");
    expect(flow.scoped("config api_base", "storage.type.config.flow")).toBe("config");
    expect(flow.scoped("config api_base", "variable.other.declaration.flow")).toBe("api_base");
    expect(flow.scoped("config api_base", "support.type.primitive.flow")).toBe("url");
    expect(flow.scoped("local is_vip", "support.type.primitive.flow")).toBe("boolean");
    expect(flow.scoped("local is_vip", "constant.language.boolean.flow")).toBe("false");
    expect(flow.scoped("local card_last4", "storage.modifier.masked.flow")).toBe("masked");
    expect(flow.scoped("secret CRM_TOKEN", "storage.type.secret.flow")).toBe("secret");
    expect(flow.scoped("secret CRM_TOKEN", "variable.other.constant.secret.flow")).toBe("CRM_TOKEN");
    expect(flow.scoped("start ->", "keyword.control.start.flow")).toBe("start");
    expect(flow.scoped("start ->", "keyword.operator.arrow.flow")).toBe("->");
    expect(flow.scoped("start ->", "entity.name.function.widget.flow")).toBe("lookup_order");

    expect(flow.scoped("http lookup_order", "storage.type.widget.flow")).toBe("http");
    expect(flow.scoped("http lookup_order", "entity.name.function.widget.flow")).toBe("lookup_order");
    expect(flow.scoped("http lookup_order", "string.quoted.double.flow")).toBe('"Look up order"');
    expect(flow.scoped("method GET", "keyword.other.setting.flow")).toBe("method");
    expect(flow.scoped("method GET", "constant.language.http-method.flow")).toBe("GET");

    // Interpolations: a variable and a secret get distinct scopes, both inside the string.
    expect(flow.scoped("url ", "meta.interpolation.variable.flow")).toBe("{{api_base}}|{{order_id}}");
    expect(flow.scoped("url ", "variable.other.flow")).toBe("api_base|order_id");
    expect(flow.scoped("url ", "string.quoted.double.flow")).toBe('"{{api_base}}/orders/{{order_id}}"');
    const authorization = flow.line("authorization");
    expect(runs(authorization, "meta.interpolation.secret.flow")).toEqual(["{{secret.CRM_TOKEN}}"]);
    expect(runs(authorization, "variable.other.constant.secret.flow")).toEqual(["CRM_TOKEN"]);
    expect(runs(authorization, "variable.other.flow")).toEqual([]);
    expect(runs(authorization, "meta.interpolation.variable")).toEqual([]);
    const secretName = authorization.find((t) => t.text === "CRM_TOKEN");
    expect(secretName?.scopes).toContain("string.quoted.double.flow");

    expect(flow.scoped("include = ", "variable.other.property.flow")).toBe("include");
    expect(flow.scoped("caller = ", "variable.other.flow")).toBe("caller_id");
    expect(flow.scoped("timeout 5s", "constant.numeric.duration.flow")).toBe("5s");
    expect(flow.scoped("timeout 5s", "keyword.other.unit.flow")).toBe("s");
    expect(flow.scoped("retry 2", "constant.numeric.flow")).toBe("2");
    expect(flow.scoped("retry 2", "constant.numeric.duration")).toBe("");

    // In results an arrow leads to a variable; elsewhere to a widget.
    expect(flow.scoped('"$.shipDate"', "variable.other.flow")).toBe("ship_date");
    expect(flow.scoped('"$.shipDate"', "entity.name.function")).toBe("");
    expect(flow.scoped("success -> check_vip", "keyword.control.exit.flow")).toBe("success");
    expect(flow.scoped("success -> check_vip", "entity.name.function.widget.flow")).toBe("check_vip");
    expect(flow.scoped("fail -> apologize", "entity.name.function.widget.flow")).toBe("apologize");

    const when = "when is_vip == true";
    expect(flow.scoped(when, "keyword.control.conditional.flow")).toBe("when");
    expect(flow.scoped(when, "keyword.operator.comparison.flow")).toBe("==|>");
    expect(flow.scoped(when, "keyword.operator.logical.flow")).toBe("and");
    expect(flow.scoped(when, "variable.other.flow")).toBe("is_vip|item_count");
    expect(flow.scoped(when, "constant.numeric.flow")).toBe("0");
    expect(flow.scoped(when, "entity.name.function.widget.flow")).toBe("vip_queue");
    expect(flow.scoped("else -> announce", "keyword.control.exit.flow")).toBe("else");

    expect(flow.scoped('message "Your order', "meta.interpolation.variable.flow")).toBe(
      "{{item_count}}|{{ship_date}}|{{card_last4}}",
    );
    expect(flow.scoped("route vip_queue", "storage.type.widget.flow")).toBe("route");
    expect(flow.scoped("route vip_queue", "keyword.other.setting.flow")).toBe("queue");
    expect(flow.scoped("end goodbye", "entity.name.function.widget.flow")).toBe("goodbye");
  });

  it("scopes appointment-reminder.flow", () => {
    const flow = example("appointment-reminder.flow");
    expect(flow.scoped("# Outbound", "comment.line.number-sign.flow")).toBe(
      "# Outbound appointment reminder: confirm the slot with the scheduling API,",
    );
    expect(flow.scoped("method POST", "constant.language.http-method.flow")).toBe("POST");
    // secret.NAME as a header value, outside any string: the same secret scope as in an interpolation.
    const apiKey = '"X-Api-Key"';
    expect(flow.scoped(apiKey, "variable.language.secret.flow")).toBe("secret");
    expect(flow.scoped(apiKey, "variable.other.constant.secret.flow")).toBe("SCHEDULER_KEY");
    expect(flow.scoped(apiKey, "string.quoted.double.flow")).toBe('"X-Api-Key"');
    expect(flow.scoped("body form", "support.type.body.flow")).toBe("form");
    expect(flow.scoped("phone = ", "variable.other.property.flow")).toBe("phone");
    expect(flow.scoped("phone = ", "variable.other.flow")).toBe("patient_phone");
    expect(flow.scoped("timeout 2s", "constant.numeric.duration.flow")).toBe("2s");
    expect(flow.scoped("status ", "keyword.other.setting.flow")).toBe("status");
    expect(flow.scoped("status ", "variable.other.flow")).toBe("http_status");
    expect(flow.scoped('header "X-Request-Id"', "keyword.other.setting.flow")).toBe("header");
    expect(flow.scoped("send not_confirmed", "entity.name.function.widget.flow")).toBe("not_confirmed");
    expect(flow.scoped("route schedulers", "entity.name.function.widget.flow")).toBe("schedulers");
    expect(flow.scoped("end done", "storage.type.widget.flow")).toBe("end");
    expect(flow.scoped("end done", "entity.name.function.widget.flow")).toBe("done");
  });

  it("scopes payment-status.flow", () => {
    const flow = example("payment-status.flow");
    const triage = "when payment_state";
    expect(flow.scoped(triage, "keyword.operator.logical.flow")).toBe("and|not");
    expect(flow.scoped(triage, "variable.other.flow")).toBe("payment_state|autopay");
    // A JSONPath filter is string text: its == and ' are not operators or strings of their own.
    const filter = '"$.invoices';
    expect(flow.scoped(filter, "string.quoted.double.flow")).toBe(`"$.invoices[?(@.status == 'open')].id"`);
    expect(flow.scoped(filter, "keyword.operator.comparison")).toBe("");
    expect(flow.scoped("set all_clear", "storage.type.widget.flow")).toBe("set");
    expect(flow.scoped("set all_clear", "entity.name.function.widget.flow")).toBe("all_clear");
    expect(flow.scoped("balance = 0", "variable.other.flow")).toBe("balance");
    expect(flow.scoped("balance = 0", "keyword.operator.assignment.flow")).toBe("=");
  });
});

// The grammar's word lists are its own copy of the language description: a new widget kind, setting or
// exit fails here until the grammar knows it.
describe("flow.tmLanguage.json and the language description (grammar/language.ts)", () => {
  const inWidget = (line: string): Tokenized =>
    new Tokenized(`flow x {\n  http w {\n    ${line}\n  }\n}`, grammars.flow);

  it.each(WIDGET_SPECS.map((w) => w.keyword))("scopes the widget kind %s and the id after it", (kind) => {
    const flow = new Tokenized(`flow x {\n  ${kind} some_widget "Shown" {\n  }\n}`, grammars.flow);
    expect(flow.scoped(kind, "storage.type.widget.flow")).toBe(kind);
    expect(flow.scoped(kind, "entity.name.function.widget.flow")).toBe("some_widget");
  });

  const settings = WIDGET_SPECS.flatMap((w) => w.settings.map((s) => [s.keyword, s.example] as const));
  it.each(settings)("scopes the setting %s in its example", (keyword, example) => {
    const flow = inWidget(example);
    expect(runs(flow.line(example), "keyword.other.setting.flow")[0]).toBe(keyword);
    expect(flow.scoped(example, "invalid")).toBe("");
  });

  const exits = [START_EXIT, ...WIDGET_SPECS.flatMap((w) => w.exits)].map((e) => e.label);
  it.each(exits)("scopes the exit %s", (label) => {
    const flow = inWidget(`${label} -> target`);
    expect(flow.scoped(label, "keyword.control")).toBe(label);
    expect(flow.scoped(label, "entity.name.function.widget.flow")).toBe("target");
  });

  it("scopes every declaration keyword", () => {
    const declarations = ITEM_KEYWORDS.filter((k) => !WIDGET_SPECS.some((w) => w.keyword === k) && k !== "start");
    expect(declarations).toEqual(["global", "local", "config", "secret"]);
    for (const keyword of declarations) {
      const flow = new Tokenized(`flow x {\n  ${keyword} some_name\n}`, grammars.flow);
      expect(flow.scoped(`${keyword} some_name`, `storage.type.${keyword}.flow`)).toBe(keyword);
    }
  });
});

describe("flow.tmLanguage.json on other text", () => {
  const source = [
    "flow x { // a comment",
    "  local n: number = -1.5e3",
    '  local s: string = "tab\\t quote\\" \\u00e9 {{ spaced }}"',
    '  http h { timeout 250ms retry 1 body json { "a": [1, null, { "b": true }] } success -> w fail -> w }',
    "  http h2 { timeout 2m }",
    '  condition c { when not (a != b) and s contains "x" or n <= 1 -> w else -> w }',
    "}",
  ].join("\n");

  it("scopes // comments, numbers, escapes, durations and nested JSON", () => {
    const flow = new Tokenized(source, grammars.flow);
    expect(flow.scoped("flow x", "comment.line.double-slash.flow")).toBe("// a comment");
    expect(flow.scoped("local n", "constant.numeric.flow")).toBe("-1.5e3");
    expect(flow.scoped("local s", "constant.character.escape.flow")).toBe('\\t|\\"|\\u00e9');
    expect(flow.scoped("local s", "meta.interpolation.variable.flow")).toBe("{{ spaced }}");
    expect(flow.scoped("timeout 250ms", "constant.numeric.duration.flow")).toBe("250ms");
    expect(flow.scoped("timeout 250ms", "constant.language.null.flow")).toBe("null");
    expect(flow.scoped("timeout 250ms", "support.type.body.flow")).toBe("json");
    // The } of the JSON object does not end the widget: its exits are still exits.
    expect(flow.scoped("timeout 250ms", "keyword.control.exit.flow")).toBe("success|fail");
    expect(flow.scoped("timeout 2m", "constant.numeric.duration.flow")).toBe("2m");
    const condition = "condition c";
    expect(flow.scoped(condition, "keyword.operator.logical.flow")).toBe("not|and|or");
    expect(flow.scoped(condition, "keyword.operator.comparison.flow")).toBe("!=|contains|<=");
    expect(flow.scoped(condition, "punctuation.section.parens")).toBe("(|)");
    expect(flow.lines.flat().filter((t) => hasScope(t, "invalid"))).toEqual([]);
  });

  it("scopes every type of the runtime's contract as a type", () => {
    for (const type of VAR_TYPES) {
      const line = `  local a: ${type}`;
      expect(new Tokenized(`flow x {\n${line}\n}`, grammars.flow).scoped(line, "support.type.primitive.flow")).toBe(
        type,
      );
    }
  });

  // Each lexer or parser error that a grammar can see marks exactly the offending text.
  it.each([
    ["unknown type (CF1009)", "  local a: strng", "strng"],
    ["unknown method (CF1008)", "  http h { method FETCH }", "FETCH"],
    ["bad escape (CF1003)", '  send s { message "a\\qb" }', "\\q"],
    ["bad interpolation (CF1006)", '  send s { message "{{ x.y }} {{v}}" }', "{{ x.y }}"],
    ["bad number (CF1010)", "  http h { retry 12abc }", "12abc"],
    ["unexpected character (CF1001)", "  condition c { when a @ b -> w }", "@"],
    ["unterminated string (CF1002)", '  send s { message "open', "n"],
  ])("marks %s invalid", (_name, line, invalid) => {
    const flow = new Tokenized(`flow x {\n${line}\n}`, grammars.flow);
    expect(flow.scoped(line, "invalid")).toBe(invalid);
  });

  it("ends an unterminated string at the end of its line", () => {
    const flow = new Tokenized('flow x {\n  send s { message "open\n  next -> e }\n}', grammars.flow);
    expect(flow.scoped("next -> e", "string")).toBe("");
    expect(flow.scoped("next -> e", "entity.name.function.widget.flow")).toBe("e");
  });
});

describe("flowtest.tmLanguage.json", () => {
  const source = [
    "# the order flow's tests",
    'tests for "order-status.flow"',
    "",
    'test "a VIP goes to the VIP queue" {',
    '  globals { api_base = "http://x"  order_id = "1001" }',
    '  secrets { CRM_TOKEN = "t" }',
    "  mock lookup_order {",
    '    request { method GET  url "http://x/orders/1001"  authorization "Bearer {{secret.CRM_TOKEN}}" }',
    '    reply 200 { header "X-Request-Id" = "r1"  json { "customer": { "vip": true }, "items": [1] } }',
    "    reply timeout",
    "  }",
    "  expect {",
    "    path lookup_order, check_vip,",
    "      vip_queue",
    '    route "vip-support"',
    "    end goodbye",
    "    attempts lookup_order = 2",
    '    sent "Your order ships"',
    "    is_vip = true  // a variable's final value",
    "  }",
    "}",
  ].join("\n");

  it("scopes the test words and reuses the flow grammar for the rest", () => {
    const test = new Tokenized(source, grammars.flowtest);
    expect(test.lines.flat().filter((t) => hasScope(t, "invalid"))).toEqual([]);
    expect(test.scoped("# the order", "comment.line.number-sign.flow")).toBe("# the order flow's tests");
    expect(test.scoped("tests for", "keyword.other.tests.flowtest")).toBe("tests");
    expect(test.scoped("tests for", "keyword.other.for.flowtest")).toBe("for");
    expect(test.scoped("tests for", "string.quoted.double.flow")).toBe('"order-status.flow"');
    expect(test.scoped('test "a VIP', "keyword.other.test.flowtest")).toBe("test");
    expect(test.scoped("globals", "keyword.other.globals.flowtest")).toBe("globals");
    expect(test.scoped("globals", "variable.other.flow")).toBe("api_base|order_id");
    expect(test.scoped("secrets", "variable.other.constant.secret")).toBe("CRM_TOKEN");
    expect(test.scoped("mock lookup_order", "keyword.other.mock.flowtest")).toBe("mock");
    expect(test.scoped("mock lookup_order", "entity.name.function.widget")).toBe("lookup_order");
    expect(test.scoped("request {", "keyword.other.request.flowtest")).toBe("request");
    expect(test.scoped("request {", "constant.language.http-method.flow")).toBe("GET");
    expect(test.scoped("request {", "meta.interpolation.secret.flow")).toBe("{{secret.CRM_TOKEN}}");
    expect(test.scoped("reply 200", "keyword.other.reply.flowtest")).toBe("reply");
    expect(test.scoped("reply 200", "constant.numeric.flow")).toBe("200|1");
    expect(test.scoped("reply 200", "keyword.other.header.flowtest")).toBe("header");
    expect(test.scoped("reply 200", "keyword.other.json.flowtest")).toBe("json");
    expect(test.scoped("reply timeout", "constant.language.timeout.flowtest")).toBe("timeout");
    expect(test.scoped("expect {", "keyword.other.expect.flowtest")).toBe("expect");
    // A path may go on over the next line after a comma.
    expect(test.scoped("path lookup_order", "entity.name.function.widget")).toBe("lookup_order|check_vip");
    expect(test.scoped("vip_queue", "entity.name.function.widget")).toBe("vip_queue");
    expect(test.scoped('route "vip-support"', "keyword.other.route.flowtest")).toBe("route");
    expect(test.scoped("end goodbye", "entity.name.function.widget")).toBe("goodbye");
    expect(test.scoped("attempts", "entity.name.function.widget")).toBe("lookup_order");
    expect(test.scoped("attempts", "constant.numeric.flow")).toBe("2");
    expect(test.scoped("sent", "keyword.other.sent.flowtest")).toBe("sent");
    expect(test.scoped("is_vip = true", "variable.other.flow")).toBe("is_vip");
    expect(test.scoped("is_vip = true", "comment.line.double-slash.flow")).toBe("// a variable's final value");
  });
});
