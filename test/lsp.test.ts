// The language server as an editor uses it: the built `callflow lsp --stdio` in a child process,
// over JSON-RPC. Positions are found in the example flows by the text at them.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { WIDGETS } from "../grammar/language.js";
import { VAR_TYPES } from "../runtime/contract.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancellationTokenSource,
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DiagnosticSeverity,
  DiagnosticTag,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  LSPErrorCodes,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  SymbolKind,
  type CodeAction,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Position,
  type ResponseError,
} from "vscode-languageserver-protocol/node";
import { CLI, ROOT } from "./helpers/cli.js";
import { applyEdits, pos, range, startClient, type LspClient } from "./helpers/lsp-client.js";

const ORDER = readFileSync(`${ROOT}/examples/order-status.flow`, "utf8");

/** The range of `word` (default: the last word of `context`) inside the `nth` occurrence of `context`. */
function named(text: string, context: string, nth = 0, word = /\w+\W*$/.exec(context)?.[0].replace(/\W+$/, "") ?? "") {
  const start = pos(text, context, nth, context.indexOf(word));
  return { start, end: { line: start.line, character: start.character + word.length } };
}

let client: LspClient;
beforeAll(async () => {
  client = await startClient();
}, 30_000);
afterAll(async () => {
  await client.close();
});

describe("callflow lsp: diagnostics", () => {
  it("publishes the checker's diagnostics on open and again after an edit", async () => {
    const broken = ORDER.replace("next -> goodbye", "next -> goodbye_x");
    const uri = await client.open("examples/broken.flow", broken);
    const first = await client.diagnostics(uri, 1);
    expect(first.diagnostics).toHaveLength(2);
    const [unknown] = first.diagnostics;
    expect(unknown).toMatchObject({
      code: "CF2001",
      severity: DiagnosticSeverity.Error,
      source: "callflow",
      range: range(broken, "goodbye_x"),
      message: "Exit 'next' points to unknown widget 'goodbye_x'.\nhint: did you mean 'goodbye'?",
      relatedInformation: [
        { location: { uri, range: range(broken, "goodbye", 1) }, message: "'goodbye' is declared here" },
      ],
    });
    expect(unknown?.codeDescription?.href).toMatch(/\/docs\/language\.md#L\d+$/);
    const line = Number(/#L(\d+)$/.exec(unknown?.codeDescription?.href ?? "")?.[1]);
    const doc = readFileSync(`${ROOT}/docs/language.md`, "utf8").split("\n");
    expect(doc[line - 1]).toMatch(/^\| CF2001 \| error \|/);
    // goodbye is now unreachable: a warning, faded.
    expect(first.diagnostics[1]).toMatchObject({
      code: "CF2020",
      severity: DiagnosticSeverity.Warning,
      range: range(broken, "goodbye", 1),
      tags: [DiagnosticTag.Unnecessary],
    });

    await client.change(uri, ORDER.replace("local is_vip", "local is_vip_unused: string\n  local is_vip"));
    const second = await client.diagnostics(uri, 2);
    expect(second.diagnostics.map((d) => [d.code, d.tags])).toEqual([["CF2019", [DiagnosticTag.Unnecessary]]]);

    await client.change(uri, ORDER);
    expect((await client.diagnostics(uri, 3)).diagnostics).toEqual([]);
  });

  it("checks a burst of changes once it pauses, not once per change", async () => {
    const uri = await client.open("examples/burst.flow", ORDER);
    await client.diagnostics(uri, 1);
    const before = client.publications.length;
    // Ten keystrokes at once, as a paste or a held-down key sends them: "Sorry" becomes "Sorry!!!!!!!!!!".
    for (let n = 1; n <= 10; n++) await client.change(uri, ORDER.replace("Sorry", `Sorry${"!".repeat(n)}`));
    const last = await client.diagnostics(uri, 11);
    expect(last.diagnostics).toEqual([]);
    const published = client.publications.slice(before).filter((p) => p.uri === uri);
    expect(published.length).toBeLessThan(10);
    expect(published.at(-1)?.version).toBe(11);
  });
});

/** Opens an example flow once per test file and returns its URI and text. */
async function example(name: string): Promise<{ uri: string; text: string }> {
  const text = readFileSync(`${ROOT}/examples/${name}`, "utf8");
  const uri = await client.open(`examples/${name}`, text);
  await client.diagnostics(uri, 1);
  return { uri, text };
}

function hoverText(result: Hover | null): string {
  const contents = result?.contents;
  return typeof contents === "object" && contents !== null && "value" in contents ? contents.value : "";
}

describe("callflow lsp: hover", () => {
  it("describes variables, widgets, settings and secrets, never a masked value", async () => {
    const { uri, text } = await example("order-status.flow");
    const at = (position: Position) =>
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });

    const variable = await at(pos(text, "ship_date", 2, 3));
    expect(hoverText(variable)).toBe('**local** `ship_date`: `string`\n\nDefault: `"unknown"`');
    expect(variable?.range).toEqual(range(text, "ship_date", 2));

    const masked = hoverText(await at(pos(text, "card_last4", 2)));
    expect(masked).toContain("`card_last4`: `string` (masked)");
    expect(masked).toContain("hidden in traces");

    const global = hoverText(await at(pos(text, "caller_id", 1)));
    expect(global).toBe("**global** `caller_id`: `string`\n\nNo default: the caller passes it.");

    // A config shows its value in each environment of the project file (examples/callflow.json).
    const config = hoverText(await at(pos(text, "api_base", 1)));
    expect(config).toBe(
      [
        "**config** `api_base`: `url`",
        "Checked where a value arrives: an absolute http or https URL.",
        "Config: the environment's value (callflow.json), read-only, never run input.",
        'Per environment (callflow.json):\n- `local`: `"http://127.0.0.1:4310"`\n- `staging`: `"https://api.staging.example"`\n- `prod`: `"https://api.example"`',
      ].join("\n\n"),
    );

    const routing = await example("order-routing.flow");
    const dated = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: routing.uri },
      position: pos(routing.text, "promised_by", 0),
    });
    expect(hoverText(dated)).toBe(
      "**local** `promised_by`: `date_time`\n\n" +
        "Checked where a value arrives: an ISO 8601 date and time with an offset (2026-12-24T09:30:00Z).\n\n" +
        'Default: `"2026-12-31T18:00:00+01:00"`',
    );

    const widget = hoverText(await at(pos(text, "check_vip", 0)));
    expect(widget).toBe(
      [
        '**condition** `check_vip` "VIP?"',
        "Tries its `when` branches in order and takes the first that holds, else `else`.",
        "Exits: `when -> vip_queue`, `else -> announce`",
        "Worst time to reach it: 35 s  \nWorst case of a path through it: 35 s",
      ].join("\n\n"),
    );

    const retry = await at(pos(text, "retry 2", 0, 1));
    expect(hoverText(retry)).toContain("Attempts after a failed one");
    expect(hoverText(retry)).toContain("From 1 to 3; left out: 0.");
    expect(retry?.range).toEqual(range(text, "retry"));
    expect(hoverText(await at(pos(text, "timeout 5s")))).toContain("From 1 ms to 600000 ms");

    const secret = hoverText(await at(pos(text, "CRM_TOKEN", 1)));
    expect(secret).toContain("**secret** `CRM_TOKEN`");
    expect(secret).toContain("comes from the runtime");

    expect(hoverText(await at(pos(text, "start ->")))).toBe("**start**\n\nThe first widget of the flow.");
    expect(hoverText(await at(pos(text, "http lookup_order")))).toContain("**http** widget\n\nCalls an HTTP API");
    expect(hoverText(await at(pos(text, "fail -> apologize")))).toContain("**fail** exit");
    expect(await at(pos(text, "# Order status"))).toBeNull();
  });

  it("shows a masked variable's default as masked", async () => {
    const text = 'flow f {\n  local pin: string = "1234" masked\n  start -> e\n  end e\n}\n';
    const uri = await client.open("hover-masked.flow", text);
    const result = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri },
      position: pos(text, "pin"),
    });
    expect(hoverText(result)).toContain("Default: (masked)");
    expect(hoverText(result)).not.toContain("1234");
  });
});

describe("callflow lsp: definition and references", () => {
  it("goes from an exit and from `start` to the widget, and lists every use", async () => {
    const { uri, text } = await example("order-status.flow");
    const definition = await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: pos(text, "fail -> apologize", 0, 9),
    });
    expect(definition).toEqual({ uri, range: range(text, "apologize", 1) });
    const fromStart = await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: pos(text, "start -> lookup_order", 0, 10),
    });
    expect(fromStart).toEqual({ uri, range: range(text, "lookup_order", 1) });

    const refs = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: pos(text, "apologize", 1),
      context: { includeDeclaration: true },
    });
    expect(refs).toEqual([range(text, "apologize", 0), range(text, "apologize", 1)].map((r) => ({ uri, range: r })));
  });

  it("finds a variable's declaration, interpolations, conditions and results", async () => {
    const { uri, text } = await example("order-status.flow");
    const definition = await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri },
      position: pos(text, "{{item_count}}", 0, 3),
    });
    expect(definition).toEqual({ uri, range: range(text, "item_count", 0) });
    const refs = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: pos(text, "item_count", 0),
      context: { includeDeclaration: false },
    });
    // The result target, the condition and the interpolation; not the JSONPath "$.items.length".
    expect(refs).toEqual([1, 2, 3].map((n) => ({ uri, range: range(text, "item_count", n) })));
    const secretRefs = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: pos(text, "CRM_TOKEN", 0),
      context: { includeDeclaration: true },
    });
    expect(secretRefs).toEqual([0, 1].map((n) => ({ uri, range: range(text, "CRM_TOKEN", n) })));
  });

  it("finds `set` targets and values", async () => {
    const { uri, text } = await example("payment-status.flow");
    const refs = await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri },
      position: pos(text, "balance = 0", 0),
      context: { includeDeclaration: true },
    });
    // Not the JSONPath "$.balance" nor the plain text "Your balance is".
    expect(refs).toEqual(
      [
        named(text, "local balance"),
        named(text, "-> balance"),
        named(text, "when balance"),
        named(text, "{{balance}}", 0),
        named(text, "{{balance}}", 1),
        named(text, "balance = 0", 0, "balance"),
      ].map((r) => ({ uri, range: r })),
    );
  });
});

describe("callflow lsp: rename", () => {
  const renameAt = (uri: string, position: Position, newName: string) =>
    client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });

  it("renames a variable everywhere it is a name, and nowhere in plain text", async () => {
    const { uri, text } = await example("payment-status.flow");
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, {
      textDocument: { uri },
      position: pos(text, "{{balance}}", 0, 4),
    });
    expect(prepared).toEqual({ range: named(text, "{{balance}}", 0), placeholder: "balance" });
    const edit = await renameAt(uri, pos(text, "{{balance}}", 0, 4), "amount_due");
    const edits = edit?.changes?.[uri];
    expect(edits?.map((e) => e.range)).toEqual([
      named(text, "local balance"),
      named(text, "-> balance"),
      named(text, "when balance"),
      named(text, "{{balance}}", 0),
      named(text, "{{balance}}", 1),
      named(text, "balance = 0", 0, "balance"),
    ]);
    const renamed = applyEdits(text, edits ?? []);
    expect(renamed).toContain('"$.balance"');
    expect(renamed).toContain("Your balance is {{amount_due}} dollars");
    // The result still checks clean.
    await client.change(uri, renamed);
    expect((await client.diagnostics(uri)).diagnostics).toEqual([]);
  });

  it("renames a widget id at its definition, exits and start", async () => {
    const { uri, text } = await example("order-status.flow");
    const edit = await renameAt(uri, pos(text, "lookup_order", 1), "find_order");
    expect(edit?.changes?.[uri]).toEqual([
      { range: named(text, "start -> lookup_order"), newText: "find_order" },
      { range: named(text, "http lookup_order"), newText: "find_order" },
    ]);
  });

  it("refuses invalid and taken names, and places that are not names", async () => {
    const { uri, text } = await example("order-status.flow");
    const refusal = (position: Position, newName: string) =>
      renameAt(uri, position, newName).then(
        () => "accepted",
        (error: ResponseError) => error.message,
      );
    expect(await refusal(pos(text, "announce"), "2nd")).toMatch(/^'2nd' is not a valid name/);
    expect(await refusal(pos(text, "announce"), "and")).toMatch(/^'and' is not a valid name/);
    expect(await refusal(pos(text, "announce"), "goodbye")).toBe("A widget named 'goodbye' already exists.");
    expect(await refusal(pos(text, "ship_date"), "constructor")).toBe(
      "'constructor' is a reserved name: it is a property of every JavaScript object.",
    );
    expect(await refusal(pos(text, "ship_date"), "is_vip")).toBe("A variable or secret named 'is_vip' already exists.");
    expect(await refusal(pos(text, "ship_date"), "CRM_TOKEN")).toBe(
      "A variable or secret named 'CRM_TOKEN' already exists.",
    );
    expect(await refusal(pos(text, '"Look up order"', 0, 2), "x")).toMatch(/^Put the cursor on a widget id/);
    // Soft keywords are names wherever a name goes.
    expect(await renameAt(uri, pos(text, "announce"), "status")).toMatchObject({
      changes: { [uri]: expect.any(Array) },
    });
    const broken = await client.open("examples/rename-broken.flow", ORDER.replace("retry 2", "retry"));
    expect(
      await renameAt(broken, pos(text, "announce"), "read_back").then(
        () => "accepted",
        (error: ResponseError) => error.message,
      ),
    ).toMatch(/^The file has syntax errors/);
    const unknownMethod = await client.open("examples/rename-method.flow", ORDER.replace("method GET", "method FETCH"));
    expect(await renameAt(unknownMethod, pos(text, "announce"), "read_back")).toMatchObject({
      changes: { [unknownMethod]: [expect.anything(), expect.anything()] },
    });
    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, {
      textDocument: { uri },
      position: pos(text, "Look up order"),
    });
    expect(prepared).toBeNull();
  });
});

describe("callflow lsp: completion", () => {
  const uri = "examples/completion.flow";
  let opened: string | undefined;
  /** Completion labels at the `|` in `text`. */
  async function labels(text: string): Promise<string[]> {
    const source = text.replace("|", "");
    if (opened === undefined) opened = await client.open(uri, source);
    else await client.change(opened, source);
    const result = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: opened },
      position: pos(text, "|"),
    });
    const items = Array.isArray(result) ? result : (result?.items ?? []);
    return items.map((item) => item.label);
  }
  const declared = ["api_base", "caller_id", "order_id", "ship_date", "item_count", "is_vip", "customer", "card_last4"];
  const widgets = ["lookup_order", "check_vip", "announce", "apologize", "vip_queue", "agents", "goodbye"];

  it("offers the settings a widget does not have yet", async () => {
    // The http settings of the description that lookup_order does not write, in description order.
    const block = /http lookup_order[^{]*\{\n([\s\S]*?)\n {2}\}/.exec(ORDER)?.[1] ?? "";
    const written = new Set(block.split("\n").map((line) => /^ {4}(\w+)/.exec(line)?.[1]));
    const missing = WIDGETS.http.settings.map((s) => s.keyword).filter((keyword) => !written.has(keyword));
    expect(await labels(ORDER.replace("    timeout 5s\n", "    timeout 5s\n    |\n"))).toEqual(missing);
    expect(await labels(ORDER.replace("  send apologize {\n", "  send apologize {\n    |\n"))).toEqual([]);
    expect(await labels(ORDER.replace("    next -> agents\n", "    |\n"))).toEqual(["next"]);
    expect(await labels(ORDER.replace("    else -> announce\n", "    |\n"))).toEqual(["else", "when"]);
  });

  it("offers variables to assign in a set widget", async () => {
    const payment = readFileSync(`${ROOT}/examples/payment-status.flow`, "utf8");
    // Not api_base: a config is read-only.
    expect(await labels(payment.replace("    balance = 0\n", "    |\n"))).toEqual([
      "account_id",
      "balance",
      "payment_state",
      "card_last4",
      "open_invoice",
      "autopay",
    ]);
  });

  it("offers a flow in an empty file", async () => {
    expect(await labels("|")).toEqual(["flow"]);
  });

  it("offers the flow's items at its top level", async () => {
    expect(await labels(ORDER.replace("  start -> lookup_order\n", "  |\n  start -> lookup_order\n"))).toEqual([
      "global",
      "local",
      "config",
      "secret",
      "start",
      "http",
      "condition",
      "set",
      "send",
      "route",
      "end",
    ]);
  });

  it("offers methods, types, variables, secrets and widget ids where they go", async () => {
    expect(await labels(ORDER.replace("method GET", "method |"))).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE"]);
    expect(await labels(ORDER.replace("  secret CRM_TOKEN\n", "  secret CRM_TOKEN\n  local x: |\n"))).toEqual([
      ...VAR_TYPES,
    ]);
    expect(await labels(ORDER.replace('message "Sorry, we', 'message "{{|}} Sorry, we'))).toEqual([
      ...declared,
      "secret.",
    ]);
    expect(await labels(ORDER.replace('"Bearer {{secret.CRM_TOKEN}}"', '"Bearer {{secret.|'))).toEqual(["CRM_TOKEN"]);
    expect(await labels(ORDER.replace("next -> goodbye", "next -> |"))).toEqual(widgets);
    expect(
      await labels(ORDER.replace('authorization "Bearer {{secret.CRM_TOKEN}}"', "authorization secret.|")),
    ).toEqual(["CRM_TOKEN"]);
    // A config is read-only: not a result target.
    expect(await labels(ORDER.replace('"$.customer"      -> customer', '"$.customer" -> |'))).toEqual(
      declared.filter((name) => name !== "api_base"),
    );
    expect(await labels(ORDER.replace("  secret CRM_TOKEN\n", "  secret CRM_TOKEN\n  config y: |\n"))).toEqual([
      ...VAR_TYPES,
    ]);
    expect(await labels(ORDER.replace("when is_vip == true", "when |"))).toEqual([
      ...declared,
      "not",
      "true",
      "false",
      "null",
    ]);
    expect(await labels(ORDER.replace("# Order status", "# Order |status"))).toEqual([]);
  });
});

describe("callflow lsp: completion contexts from the parser", () => {
  const uri = "examples/contexts.flow";
  let opened: string | undefined;
  async function labels(text: string): Promise<string[]> {
    const source = text.replace("|", "");
    if (opened === undefined) opened = await client.open(uri, source);
    else await client.change(opened, source);
    const result = await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: opened },
      position: pos(text, "|"),
    });
    return (Array.isArray(result) ? result : (result?.items ?? [])).map((item) => item.label);
  }
  const declared = ["api_base", "caller_id", "order_id", "ship_date", "item_count", "is_vip", "customer", "card_last4"];

  it("offers what the grammar takes after a setting keyword and after an operator", async () => {
    expect(await labels(ORDER.replace("    timeout 5s\n", "    timeout 5s\n    body |\n"))).toEqual([
      "json",
      "form",
      "text",
    ]);
    // An operand after a comparison is a value: `not` goes only before a comparison.
    expect(await labels(ORDER.replace("when is_vip == true", "when is_vip == |"))).toEqual([
      ...declared,
      "true",
      "false",
      "null",
    ]);
  });

  it("reads the widget block from the tree, around a half-typed line and a line that does not parse", async () => {
    const block = /http lookup_order[^{]*\{\n([\s\S]*?)\n {2}\}/.exec(ORDER)?.[1] ?? "";
    const written = new Set(block.split("\n").map((line) => /^ {4}(\w+)/.exec(line)?.[1]));
    const missing = WIDGETS.http.settings.map((s) => s.keyword).filter((keyword) => !written.has(keyword));
    expect(await labels(ORDER.replace("    timeout 5s\n", "    timeout 5s\n    ret|\n    == 5\n"))).toEqual(missing);
    // In a results block: its keywords; after its `->`, the variables a result may write.
    expect(await labels(ORDER.replace('      "$.customer"      -> customer\n', "      |\n"))).toEqual([
      "status",
      "header",
    ]);
    // In a comment inside a widget, and on the widget's header line: nothing.
    expect(await labels(ORDER.replace("    timeout 5s\n", "    timeout 5s\n    # method |\n"))).toEqual([]);
    expect(await labels(ORDER.replace("http lookup_order", "http lookup_|order"))).toEqual([]);
  });
});

describe("callflow lsp: outline, folding, formatting, semantic tokens", () => {
  it("lists the flow, its declarations and its widgets by kind", async () => {
    const { uri, text } = await example("order-status.flow");
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri },
    })) as DocumentSymbol[];
    expect(symbols.map((s) => [s.name, s.detail, s.kind])).toEqual([
      ["order_status", 'flow "Order status"', SymbolKind.Module],
    ]);
    const children = symbols[0]?.children ?? [];
    expect(children.map((s) => [s.name, s.detail, s.kind])).toEqual([
      ["api_base", "config url", SymbolKind.Variable],
      ["caller_id", "global string", SymbolKind.Variable],
      ["order_id", "global string", SymbolKind.Variable],
      ["ship_date", "local string", SymbolKind.Variable],
      ["item_count", "local number", SymbolKind.Variable],
      ["is_vip", "local boolean", SymbolKind.Variable],
      ["customer", "local json", SymbolKind.Variable],
      ["card_last4", "local string masked", SymbolKind.Variable],
      ["CRM_TOKEN", "secret", SymbolKind.Key],
      ["lookup_order", 'http "Look up order"', SymbolKind.Function],
      ["check_vip", 'condition "VIP?"', SymbolKind.Boolean],
      ["announce", 'send "Read back the ship date"', SymbolKind.Event],
      ["apologize", "send", SymbolKind.Event],
      ["vip_queue", 'route "VIP agents"', SymbolKind.Interface],
      ["agents", 'route "Support agents"', SymbolKind.Interface],
      ["goodbye", "end", SymbolKind.Null],
    ]);
    expect(children[9]?.selectionRange).toEqual(named(text, "http lookup_order"));
    expect(children[9]?.range.start).toEqual(pos(text, "http lookup_order"));
  });

  it("folds blocks up to their closing line, and runs of comments", async () => {
    const { uri, text } = await example("order-status.flow");
    const folds = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
    const line = (needle: string, nth = 0) => pos(text, needle, nth).line;
    const lastLine = text.trimEnd().split("\n").length - 1;
    expect(folds?.map((f) => [f.startLine, f.endLine, f.kind])).toEqual([
      [0, 1, "comment"],
      [line("flow order_status"), lastLine - 1, undefined],
      [line("http lookup_order"), line("success -> check_vip") + 1, undefined],
      [line("query {"), line("caller = caller_id"), undefined],
      [line("headers {"), line('"X-Request-Source"'), undefined],
      [line("results {"), line('"$.payment.last4"'), undefined],
      [line("condition check_vip"), line("else -> announce"), undefined],
      [line("send announce"), line("next -> goodbye"), undefined],
      [line("send apologize"), line("next -> agents"), undefined],
    ]);
  });

  it("formats as `callflow fmt` does", async () => {
    const messy = ORDER.replace("  start -> lookup_order", "start->lookup_order").replace("retry 2", "retry    2");
    const dir = mkdtempSync(path.join(tmpdir(), "callflow-lsp-"));
    const file = path.join(dir, "messy.flow");
    writeFileSync(file, messy);
    execFileSync(process.execPath, [CLI, "fmt", file]);
    const expected = readFileSync(file, "utf8");
    rmSync(dir, { recursive: true });

    const uri = await client.open("examples/messy.flow", messy);
    const edits = await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(edits).toHaveLength(1);
    expect(applyEdits(messy, edits ?? [])).toBe(expected);
    expect(expected).toBe(ORDER);

    const { uri: formatted } = await example("payment-status.flow");
    expect(
      await client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri: formatted },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
    // A file with syntax errors is left alone.
    const broken = await client.open("examples/broken-syntax.flow", "flow f { start -> }");
    expect(
      await client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri: broken },
        options: { tabSize: 2, insertSpaces: true },
      }),
    ).toEqual([]);
  });

  it("sends semantic tokens for widget ids, variables and secrets", async () => {
    const text =
      'flow f {\n  secret K\n  local v: string\n  start -> s\n  send s { message "{{v}} {{secret.K}}" next -> e }\n  end e\n}\n';
    const uri = await client.open("tokens.flow", text);
    const result = await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
    const legend = client.initialized.capabilities.semanticTokensProvider?.legend;
    // Decode the relative encoding: [line, start, length, type, modifiers].
    const tokens: string[] = [];
    let line = 0;
    let char = 0;
    const data = result?.data ?? [];
    for (let i = 0; i < data.length; i += 5) {
      const [dl = 0, dc = 0, length = 0, type = 0, mods = 0] = data.slice(i, i + 5);
      line += dl;
      char = dl === 0 ? char + dc : dc;
      const modifiers = legend?.tokenModifiers.filter((_, bit) => (mods & (1 << bit)) !== 0) ?? [];
      tokens.push(`${line}:${char}:${length} ${legend?.tokenTypes[type]} ${modifiers.join(",")}`.trim());
    }
    expect(tokens).toEqual([
      "1:9:1 variable declaration,readonly",
      "2:8:1 variable declaration",
      "3:11:1 function",
      "4:7:1 function declaration",
      "4:22:1 variable",
      "4:35:1 variable readonly",
      "4:48:1 function",
      "5:6:1 function declaration",
    ]);
  });
});

describe("callflow lsp: code actions", () => {
  /** The code actions at a position for the diagnostics on its line (waiting for them once per document). */
  const seen = new Map<string, Diagnostic[]>();
  async function fixes(uri: string, position: Position, version?: number) {
    const diagnostics = seen.get(uri) ?? (await client.diagnostics(uri, version)).diagnostics;
    seen.set(uri, diagnostics);
    const here = diagnostics.filter((d) => d.range.start.line === position.line);
    return client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: position, end: position },
      context: { diagnostics: here },
    }) as Promise<CodeAction[]>;
  }

  it("replaces a name with the did-you-mean suggestion", async () => {
    const text = ORDER.replace("next -> goodbye", "next -> goodbey");
    const uri = await client.open("examples/typo.flow", text);
    const actions = await fixes(uri, pos(text, "goodbey"), 1);
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred])).toEqual([["Change to 'goodbye'", "quickfix", true]]);
    expect(actions[0]?.edit?.changes?.[uri]).toEqual([{ range: range(text, "goodbey"), newText: "goodbye" }]);
  });

  it("replaces a misspelled secret, keeping `secret.`", async () => {
    const text = ORDER.replace("{{secret.CRM_TOKEN}}", "{{secret.CRM_TOKN}}");
    const uri = await client.open("examples/secret-typo.flow", text);
    const actions = await fixes(uri, pos(text, "CRM_TOKN"), 1);
    expect(actions.map((a) => a.title)).toEqual(["Change to 'CRM_TOKEN'"]);
    expect(actions[0]?.edit?.changes?.[uri]).toEqual([
      { range: range(text, "secret.CRM_TOKN"), newText: "secret.CRM_TOKEN" },
    ]);
  });

  it("marks the variable a masked value is copied into as masked", async () => {
    const text = ORDER.replace("  local customer: json\n", '  local customer: json\n  local card_copy: string = "x"\n')
      .replace(
        "  send apologize {",
        "  set copy_card {\n    card_copy = card_last4\n    next -> apologize\n  }\n\n  send apologize {",
      )
      .replace("fail -> apologize", "fail -> copy_card");
    const uri = await client.open("examples/masked-copy.flow", text);
    const actions = await fixes(uri, pos(text, "= card_last4", 0, 2), 1);
    expect(actions.map((a) => [a.title, a.kind, a.diagnostics?.[0]?.code])).toEqual([
      ["Mark 'card_copy' as masked", "quickfix", "CF2037"],
    ]);
    const after = applyEdits(text, actions[0]?.edit?.changes?.[uri] ?? []);
    expect(after).toContain('local card_copy: string = "x" masked\n');
    await client.change(uri, after);
    expect((await client.diagnostics(uri, 2)).diagnostics).toEqual([]);
  });

  it("declares an undeclared variable", async () => {
    const text = ORDER.replace("find order {{order_id}}", "find order {{order_ref}}");
    const uri = await client.open("examples/undeclared.flow", text);
    const actions = await fixes(uri, pos(text, "order_ref"), 1);
    expect(actions.map((a) => a.title)).toEqual([
      "Change to 'order_id'",
      "Declare 'local order_ref: string'",
      "Declare 'global order_ref: string'",
    ]);
    const after = applyEdits(text, actions[1]?.edit?.changes?.[uri] ?? []);
    expect(after).toContain("  secret CRM_TOKEN\n  local order_ref: string\n\n  start -> lookup_order");
  });

  it("declares a new variable with the type its uses need", async () => {
    const text = ORDER.replace("when is_vip == true", "when is_premium").replace(
      '"$.items.length"  -> item_count',
      "status -> http_code",
    );
    const uri = await client.open("examples/undeclared-types.flow", text);
    const titles = async (needle: string) => (await fixes(uri, pos(text, needle), 1)).map((a) => a.title);
    expect(await titles("is_premium")).toEqual([
      "Declare 'local is_premium: boolean'",
      "Declare 'global is_premium: boolean'",
    ]);
    expect(await titles("http_code")).toEqual([
      "Declare 'local http_code: number'",
      "Declare 'global http_code: number'",
    ]);
  });

  it("adds a missing else, fail or next exit pointing at an end or route widget", async () => {
    const text = ORDER.replace("    else -> announce\n", "");
    const uri = await client.open("examples/no-else.flow", text);
    const actions = await fixes(uri, pos(text, "check_vip", 1), 1);
    expect(actions.map((a) => a.title)).toEqual([
      "Add 'else -> vip_queue'",
      "Add 'else -> agents'",
      "Add 'else -> goodbye'",
    ]);
    const after = applyEdits(text, actions[2]?.edit?.changes?.[uri] ?? []);
    expect(after).toContain("-> vip_queue\n    else -> goodbye\n  }");
    await client.change(uri, after);
    // announce is now unreachable; the missing exit is gone.
    expect((await client.diagnostics(uri, 2)).diagnostics.map((d) => d.code)).toEqual(["CF2020"]);

    const oneLine = 'flow f {\n  start -> s\n  send s { message "hi" }\n  end e\n}\n';
    const uri2 = await client.open("examples/no-next.flow", oneLine);
    const actions2 = await fixes(uri2, pos(oneLine, "s {"), 1);
    expect(actions2.map((a) => a.title)).toEqual(["Add 'next -> e'"]);
    expect(applyEdits(oneLine, actions2[0]?.edit?.changes?.[uri2] ?? [])).toContain(
      'send s { message "hi" next -> e }',
    );
  });

  it("marks a variable masked", async () => {
    const { uri, text } = await example("order-status.flow");
    const at = (position: Position) =>
      client.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: { start: position, end: position },
        context: { diagnostics: [] },
      }) as Promise<CodeAction[]>;
    const actions = await at(pos(text, "{{ship_date}}", 0, 2));
    expect(actions.map((a) => [a.title, a.kind])).toEqual([["Mark 'ship_date' as masked", "refactor.rewrite"]]);
    expect(applyEdits(text, actions[0]?.edit?.changes?.[uri] ?? [])).toContain(
      'local ship_date: string = "unknown" masked\n',
    );
    expect(await at(pos(text, "card_last4"))).toEqual([]);
  });
});

describe("callflow lsp: any input", () => {
  it("answers on a .flowtest document that does not parse", async () => {
    const text = 'tests for order_status {\n  test "vip" {\n    path lookup_order check_vip vip_queue\n  }\n}\n';
    const uri = await client.open("examples/unparsed.flowtest", text);
    const { diagnostics } = await client.diagnostics(uri, 1);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => typeof d.code === "string" && d.code.startsWith("CF1"))).toBe(true);
    expect(
      await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: pos(text, "check_vip"),
      }),
    ).toBeNull();
    expect(
      await client.connection.sendRequest(CompletionRequest.type, {
        textDocument: { uri },
        position: pos(text, "path"),
      }),
    ).toEqual([]);
  });

  it("answers on half-typed files at every position", async () => {
    const half = ORDER.slice(0, ORDER.indexOf("    results {") + 20);
    const uri = await client.open("examples/half.flow", half);
    const { diagnostics } = await client.diagnostics(uri, 1);
    expect(diagnostics[0]?.code).toMatch(/^CF1/);
    const lines = half.split("\n");
    for (let line = 0; line < lines.length; line++) {
      const position = { line, character: Math.floor((lines[line]?.length ?? 0) / 2) };
      await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
      await client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
    }
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri },
    })) as DocumentSymbol[];
    // The recovered tree keeps the declarations; the widget cut in half is dropped.
    expect(symbols[0]?.children?.map((s) => s.name)).toContain("card_last4");
    expect(client.log.filter((l) => / failed: /.test(l))).toEqual([]);
  });

  it("answers on 5 MB of random bytes and on a 5 MB flow, and stays up", async () => {
    const random = randomBytes(5_000_000).toString("latin1");
    const uri = await client.open("examples/random.flow", random);
    const { diagnostics } = await client.diagnostics(uri, 1);
    expect(diagnostics.length).toBe(1000);
    expect(client.log.some((l) => /random\.flow: \d{6} diagnostics, the first 1000 are shown$/.test(l))).toBe(true);
    expect(
      await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri },
        position: { line: 3, character: 3 },
      }),
    ).toBeDefined();

    const widgetsText = ORDER.slice(ORDER.indexOf("  http lookup_order"), ORDER.lastIndexOf("}"));
    const copies = Math.ceil(5_000_000 / widgetsText.length);
    const big = `flow big {\n  start -> w0_lookup_order\n${Array.from({ length: copies }, (_, i) =>
      widgetsText.replace(/\b(lookup_order|check_vip|announce|apologize|vip_queue|agents|goodbye)\b/g, `w${i}_$1`),
    ).join("")}}\n`;
    const bigUri = await client.open("examples/big.flow", big);
    expect((await client.diagnostics(bigUri, 1)).diagnostics.length).toBeGreaterThan(0);
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: bigUri },
    })) as DocumentSymbol[];
    expect(symbols[0]?.children).toHaveLength(copies * 7);

    const { uri: small, text } = await example("order-status.flow");
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: small },
      position: pos(text, "check_vip"),
    });
    expect(hoverText(hover)).toContain("**condition** `check_vip`");
    expect(client.process.exitCode).toBeNull();
  }, 120_000);
});

describe("callflow lsp: environments", () => {
  it("reports a config an environment of callflow.json lacks at its declaration, related to the environment", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "callflow-lsp-env-"));
    try {
      writeFileSync(
        path.join(dir, "callflow.json"),
        '{\n  "environments": {\n    "prod": { "config": { "api_base": "https://crm.example" } },\n    "qa": { "config": {} }\n  }\n}\n',
      );
      const text = `flow f {
  config api_base: url masked
  start -> call
  http call {
    method GET
    url "{{api_base}}/x"
    success -> done
    fail -> done
  }
  end done
}
`;
      const file = path.join(dir, "f.flow");
      writeFileSync(file, text);
      const uri = await client.open(path.relative(ROOT, file), text);
      const published = await client.diagnostics(uri, 1);
      expect(published.diagnostics.map((d) => [d.code, d.range.start, d.relatedInformation?.[0]?.location])).toEqual([
        [
          "CF4005",
          pos(text, "api_base"),
          {
            uri: pathToFileURL(path.join(dir, "callflow.json")).href,
            range: { start: { line: 3, character: 12 }, end: { line: 3, character: 20 } },
          },
        ],
      ]);
      // A masked config's values are not shown.
      const shown = hoverText(
        await client.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri },
          position: pos(text, "api_base"),
        }),
      );
      expect(shown).toContain("Per environment (callflow.json):\n- `prod`: ••••\n- `qa`: (missing)");
      expect(shown).not.toContain("crm.example");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("callflow lsp: cancellation", () => {
  it("answers a request cancelled while it waits with RequestCancelled, and still answers the others", async () => {
    const { uri: small, text } = await example("order-status.flow");
    // A flow big enough that checking it keeps the server busy while the next requests arrive.
    const widgetsText = ORDER.slice(ORDER.indexOf("  http lookup_order"), ORDER.lastIndexOf("}"));
    const big = `flow big {\n  start -> w0_lookup_order\n${Array.from({ length: 400 }, (_, i) =>
      widgetsText.replace(/\b(lookup_order|check_vip|announce|apologize|vip_queue|agents|goodbye)\b/g, `w${i}_$1`),
    ).join("")}}\n`;
    const bigUri = await client.open("examples/cancel.flow", big);
    await client.diagnostics(bigUri, 1);
    // A new version: the outline request below checks it anew before the server reads the next messages.
    await client.change(bigUri, `${big}\n`);
    const busy = client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: bigUri } });
    const params = { textDocument: { uri: small }, position: pos(text, "check_vip") };
    const source = new CancellationTokenSource();
    const cancelled = client.connection.sendRequest(HoverRequest.type, params, source.token);
    source.cancel();
    const kept = client.connection.sendRequest(HoverRequest.type, params);
    expect(((await busy) as DocumentSymbol[])[0]?.children).toHaveLength(400 * 7);
    await expect(cancelled).rejects.toMatchObject({ code: LSPErrorCodes.RequestCancelled });
    expect(hoverText(await kept)).toContain("**condition** `check_vip`");
  }, 60_000);
});
