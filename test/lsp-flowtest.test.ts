// The language server on `.flowtest` documents, as an editor uses it: the built `callflow lsp
// --stdio` in a child process. The example test file and its flow give the exact positions; the
// flow is read from disk until the editor opens it, then from the editor's text.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompletionRequest,
  DefinitionRequest,
  DidCloseTextDocumentNotification,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  HoverRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  type CompletionItem,
  type DocumentSymbol,
  type Location,
  type Position,
  type ResponseError,
} from "vscode-languageserver-protocol/node";
import { formatFlowTest } from "../grammar/flowtest-printer.js";
import { ROOT } from "./helpers/cli.js";
import { applyEdits, pos, range, startClient, uriOf, type LspClient } from "./helpers/lsp-client.js";

const FLOW = readFileSync(`${ROOT}/examples/order-status.flow`, "utf8");
const TESTS = readFileSync(`${ROOT}/examples/order-status.flowtest`, "utf8");
const FLOW_URI = uriOf("examples/order-status.flow");

/** Every occurrence of `needle` in `text`, as locations in `uri`. */
function all(uri: string, text: string, needle: string): Location[] {
  const found: Location[] = [];
  for (let i = 0; text.indexOf(needle, i) >= 0; i = text.indexOf(needle, i) + 1)
    found.push({ uri, range: range(text, needle, found.length) });
  return found;
}

/** Locations sorted by document, then position, as sets are compared. */
function sorted(locations: readonly Location[] | null): Location[] {
  const key = (l: Location) => `${l.uri} ${String(l.range.start.line).padStart(6)} ${l.range.start.character}`;
  return [...(locations ?? [])].sort((a, b) => key(a).localeCompare(key(b)));
}

let client: LspClient;
let testUri: string;
beforeAll(async () => {
  client = await startClient();
  testUri = await client.open("examples/order-status.flowtest", TESTS);
}, 30_000);
afterAll(async () => {
  await client.close();
});

const definitionAt = (uri: string, position: Position) =>
  client.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
const referencesAt = (uri: string, position: Position) =>
  client.connection.sendRequest(ReferencesRequest.type, {
    textDocument: { uri },
    position,
    context: { includeDeclaration: true },
  });
const renameAt = (uri: string, position: Position, newName: string) =>
  client.connection.sendRequest(RenameRequest.type, { textDocument: { uri }, position, newName });
const completeAt = async (uri: string, position: Position) =>
  (
    (await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position })) as
      CompletionItem[] | null
  )?.map((item) => item.label);
const closeDocument = (uri: string) =>
  client.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });

describe("callflow lsp on .flowtest: diagnostics", () => {
  it("checks the test file against its flow on disk, with the CF3xxx codes and their docs", async () => {
    expect((await client.diagnostics(testUri, 1)).diagnostics).toEqual([]);

    const broken = TESTS.replace("mock lookup_order {\n    request", "mock lookup_ordr {\n    request").replace(
      "attempts lookup_order = 1",
      "attempts check_vip = 1",
    );
    await client.change(testUri, broken);
    const { diagnostics } = await client.diagnostics(testUri, 2);
    expect(diagnostics.map((d) => [d.code, d.range, d.message])).toEqual([
      [
        "CF3003",
        range(broken, "lookup_ordr"),
        "The flow has no widget 'lookup_ordr'.\nhint: the widgets of order_status: lookup_order, check_vip, announce, apologize, vip_queue, agents, goodbye",
      ],
      [
        "CF3004",
        range(broken, "check_vip = 1", 0, "check_vip".length),
        "'check_vip' is a condition widget; attempts needs an http widget.",
      ],
    ]);
    const href = diagnostics[0]?.codeDescription?.href ?? "";
    expect(href).toMatch(/\/docs\/testing\.md#L\d+$/);
    const line = Number(/#L(\d+)$/.exec(href)?.[1]);
    expect(readFileSync(`${ROOT}/docs/testing.md`, "utf8").split("\n")[line - 1]).toMatch(/^\| CF3003 \| error \|/);

    await client.change(testUri, TESTS);
    expect((await client.diagnostics(testUri, 3)).diagnostics).toEqual([]);
  });

  it("follows the flow's open document: CF3002 with the flow's errors as related places", async () => {
    const broken = FLOW.replace("next -> goodbye", "next -> goodbye_x");
    await client.open("examples/order-status.flow", broken);
    await client.diagnostics(FLOW_URI, 1);
    const { diagnostics } = await client.diagnostics(testUri, 3);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      code: "CF3002",
      range: range(TESTS, '"order-status.flow"'),
      message: "The flow order-status.flow has errors; run 'callflow check order-status.flow'.",
      relatedInformation: [
        {
          location: { uri: FLOW_URI, range: range(broken, "goodbye_x") },
          message: "CF2001: Exit 'next' points to unknown widget 'goodbye_x'.",
        },
      ],
    });

    await client.change(FLOW_URI, FLOW);
    await client.diagnostics(FLOW_URI, 2);
    expect((await client.diagnostics(testUri, 3)).diagnostics).toEqual([]);
  });

  it("reports a flow that cannot be read and syntax errors", async () => {
    const missing = 'tests for "missing.flow"\n\ntest "t" {\n  expect { fail }\n}\n';
    const uri = await client.open("examples/missing.flowtest", missing);
    expect((await client.diagnostics(uri, 1)).diagnostics.map((d) => [d.code, d.range, d.message])).toEqual([
      ["CF3001", range(missing, '"missing.flow"'), "Cannot read the flow missing.flow (ENOENT)."],
    ]);
    await client.change(uri, 'tests for "."\n');
    expect((await client.diagnostics(uri, 2)).diagnostics.map((d) => d.message)).toEqual([
      'A test file tests a .flow file; "." is not one.',
    ]);
    // As `callflow check` does (issue 22): outside the project (no callflow.json: the test file's folder), unread.
    const outside = 'tests for "../../../../../../../../etc/hostname.flow"\n';
    await client.change(uri, outside);
    expect((await client.diagnostics(uri, 3)).diagnostics.map((d) => [d.code, d.range, d.message])).toEqual([
      [
        "CF3014",
        range(outside, '"../../../../../../../../etc/hostname.flow"'),
        'The flow "../../../../../../../../etc/hostname.flow" is outside the project.\nhint: a test file names a .flow file below the folder holding the nearest callflow.json, or below its own folder when there is none',
      ],
    ]);
    await client.change(uri, 'tests for "/proc/self/environ"\n');
    expect((await client.diagnostics(uri, 4)).diagnostics.map((d) => d.code)).toEqual(["CF3015"]);
    await client.change(uri, 'tests for "order-status.flow"\ntest "t" {\n  mock { reply 200 }\n}\n');
    const codes = (await client.diagnostics(uri, 5)).diagnostics.map((d) => String(d.code));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((code) => code.startsWith("CF1"))).toBe(true);
    await closeDocument(uri);
  });
});

describe("callflow lsp on .flowtest: navigation and rename", () => {
  it("goes from widget ids and variables in a test file to their declarations in the flow", async () => {
    const at = (needle: string, nth = 0) => definitionAt(testUri, pos(TESTS, needle, nth));
    expect(await at("lookup_order")).toEqual({ uri: FLOW_URI, range: range(FLOW, "lookup_order", 1) });
    expect(await at("check_vip")).toEqual({ uri: FLOW_URI, range: range(FLOW, "check_vip", 1) });
    expect(await at("goodbye", 1)).toEqual({ uri: FLOW_URI, range: range(FLOW, "goodbye", 1) });
    expect(await at("attempts lookup_order", 0)).toBeNull();
    expect(await definitionAt(testUri, pos(TESTS, "attempts lookup_order", 0, 9))).toEqual({
      uri: FLOW_URI,
      range: range(FLOW, "lookup_order", 1),
    });
    expect(await at("ship_date")).toEqual({ uri: FLOW_URI, range: range(FLOW, "ship_date") });
    expect(await at("api_base")).toEqual({ uri: FLOW_URI, range: range(FLOW, "api_base") });
    expect(await at("CRM_TOKEN")).toEqual({ uri: FLOW_URI, range: range(FLOW, "CRM_TOKEN") });
  });

  it("describes a name in a test file as its declaration in the flow does", async () => {
    const hoverAt = (uri: string, position: Position) =>
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
    for (const [name, nth] of [
      ["ship_date", 0],
      ["check_vip", 0],
      ["CRM_TOKEN", 0],
      ["lookup_order", 1],
    ] as const) {
      const inFlow = await hoverAt(FLOW_URI, pos(FLOW, name));
      expect(inFlow?.contents).toBeDefined();
      expect(await hoverAt(testUri, pos(TESTS, name, nth, 1))).toEqual({
        contents: inFlow?.contents,
        range: range(TESTS, name, nth),
      });
    }
    expect(await hoverAt(testUri, pos(TESTS, "route"))).toBeNull();
  });

  it("finds references across the flow and the open test files that name it", async () => {
    const expected = sorted([...all(FLOW_URI, FLOW, "lookup_order"), ...all(testUri, TESTS, "lookup_order")]);
    expect(expected).toHaveLength(12);
    expect(sorted(await referencesAt(FLOW_URI, pos(FLOW, "lookup_order")))).toEqual(expected);
    expect(sorted(await referencesAt(testUri, pos(TESTS, "lookup_order", 5)))).toEqual(expected);
    expect(sorted(await referencesAt(testUri, pos(TESTS, "item_count")))).toEqual(
      sorted([...all(FLOW_URI, FLOW, "item_count"), ...all(testUri, TESTS, "item_count")]),
    );
  });

  it("renames in the flow and in its open test files, with the same refusals", async () => {
    const fromFlow = await renameAt(FLOW_URI, pos(FLOW, "is_vip"), "vip");
    expect(Object.keys(fromFlow?.changes ?? {}).sort()).toEqual([FLOW_URI, testUri]);
    expect(applyEdits(TESTS, fromFlow?.changes?.[testUri] ?? [])).toBe(TESTS.replace("is_vip = true", "vip = true"));
    expect(applyEdits(FLOW, fromFlow?.changes?.[FLOW_URI] ?? [])).toBe(FLOW.replaceAll("is_vip", "vip"));

    expect(
      await client.connection.sendRequest(PrepareRenameRequest.type, {
        textDocument: { uri: testUri },
        position: pos(TESTS, "check_vip"),
      }),
    ).toEqual({ range: range(TESTS, "check_vip"), placeholder: "check_vip" });
    const fromTest = await renameAt(testUri, pos(TESTS, "check_vip"), "vip_check");
    expect(applyEdits(TESTS, fromTest?.changes?.[testUri] ?? [])).toBe(TESTS.replaceAll("check_vip", "vip_check"));
    expect(applyEdits(FLOW, fromTest?.changes?.[FLOW_URI] ?? [])).toBe(FLOW.replaceAll("check_vip", "vip_check"));

    await expect(renameAt(FLOW_URI, pos(FLOW, "lookup_order"), "goodbye")).rejects.toMatchObject({
      message: "A widget named 'goodbye' already exists.",
    } satisfies Partial<ResponseError>);
    const broken = await client.open("examples/broken.flowtest", 'tests for "order-status.flow"\ntest "t" {\n  mock\n');
    await client.diagnostics(broken, 1);
    await expect(renameAt(FLOW_URI, pos(FLOW, "lookup_order"), "lookup")).rejects.toMatchObject({
      message:
        "The test file broken.flowtest has syntax errors: fix them first, so that every use of the name is found.",
    });
    await closeDocument(broken);
  });
});

describe("callflow lsp on .flowtest: outline, formatting, completion", () => {
  it("lists the tests with their blocks", async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: testUri },
    })) as DocumentSymbol[];
    expect(symbols.map((s) => [s.name, s.selectionRange, s.children?.map((c) => c.name)])).toEqual([
      [
        "a VIP order: one 503, then Success, to the VIP queue",
        range(TESTS, '"a VIP order: one 503, then Success, to the VIP queue"'),
        ["config", "globals", "secrets", "mock lookup_order", "expect"],
      ],
      [
        "a regular order: the ship date is read back",
        range(TESTS, '"a regular order: the ship date is read back"'),
        ["config", "globals", "secrets", "mock lookup_order", "expect"],
      ],
      [
        "order 4040 is unknown: Fail exit to the apology",
        range(TESTS, '"order 4040 is unknown: Fail exit to the apology"'),
        ["config", "globals", "secrets", "mock lookup_order", "expect"],
      ],
      [
        "the CRM never answers: three attempts, then Fail",
        range(TESTS, '"the CRM never answers: three attempts, then Fail"'),
        ["config", "globals", "secrets", "mock lookup_order", "expect"],
      ],
    ]);
  });

  it("formats as callflow fmt does, and leaves a file with syntax errors alone", async () => {
    const format = (uri: string) =>
      client.connection.sendRequest(DocumentFormattingRequest.type, {
        textDocument: { uri },
        options: { tabSize: 2, insertSpaces: true },
      });
    expect(await format(testUri)).toEqual([]);
    const messy = 'tests for   "order-status.flow"\ntest "t" {expect {   fail }\n  mock lookup_order {reply 200}}\n';
    const uri = await client.open("examples/messy.flowtest", messy);
    const edits = await format(uri);
    expect(applyEdits(messy, edits ?? [])).toBe(formatFlowTest(messy, "messy.flowtest").text);
    await client.change(uri, `${messy}test {`);
    expect(await format(uri)).toEqual([]);
    await closeDocument(uri);
  });

  it("completes widget ids after mock, attempts and end and in a path list", async () => {
    const text = TESTS.replace("  mock lookup_order { reply timeout", "  mock  { reply timeout").replace(
      "path lookup_order, apologize, agents",
      "path lookup_order, ",
    );
    await client.change(testUri, text);
    await client.diagnostics(testUri, 4);
    expect(await completeAt(testUri, pos(text, "mock  {", 0, 5))).toEqual(["lookup_order"]);
    expect(await completeAt(testUri, pos(text, "path lookup_order, \n", 0, 19))).toEqual([
      "lookup_order",
      "check_vip",
      "announce",
      "apologize",
      "vip_queue",
      "agents",
      "goodbye",
    ]);
    expect(await completeAt(testUri, pos(text, "end goodbye", 0, 4))).toHaveLength(7);
    expect(await completeAt(testUri, pos(text, "attempts lookup_order = 2", 0, 9))).toEqual(["lookup_order"]);
    expect(await completeAt(testUri, pos(text, "route ", 0, 6))).toEqual([]);
    await client.change(testUri, TESTS);
  });

  it("completes variables and expectation keywords in expect, globals in globals, configs in config, secrets in secrets", async () => {
    const vars = ["api_base", "caller_id", "order_id", "ship_date", "item_count", "is_vip", "customer", "card_last4"];
    const keywords = ["path", "end", "route", "attempts", "sent", "fail"];
    expect(await completeAt(testUri, pos(TESTS, "ship_date = "))).toEqual([...vars, ...keywords]);
    expect(await completeAt(testUri, pos(TESTS, "globals { caller_id", 0, 10))).toEqual(vars.slice(1, 3));
    expect(await completeAt(testUri, pos(TESTS, "config { api_base", 0, 9))).toEqual(["api_base"]);
    expect(await completeAt(testUri, pos(TESTS, "secrets { CRM", 0, 10))).toEqual(["CRM_TOKEN"]);
    // Contexts from the tokens and the tree, not the line: a path list that goes on over lines, a
    // comment, a half-typed expectation.
    const other = "examples/contexts.flowtest";
    const multiline = TESTS.replace("path lookup_order, apologize, agents", "path lookup_order,\n      apologize, ");
    const uri = await client.open(other, multiline);
    expect(await completeAt(uri, pos(multiline, "apologize, \n", 0, 11))).toHaveLength(7);
    const commented = TESTS.replace("path lookup_order, apologize, agents", "# mock \n    att");
    await client.change(uri, commented);
    expect(await completeAt(uri, pos(commented, "# mock ", 0, 7))).toEqual([]);
    expect(await completeAt(uri, pos(commented, "    att", 0, 7))).toEqual([...vars, ...keywords]);
    await closeDocument(uri);
    // In a request block, a string and a JSON value: nothing.
    expect(await completeAt(testUri, pos(TESTS, "method GET"))).toEqual([]);
    expect(await completeAt(testUri, pos(TESTS, '"vip-support"', 0, 1))).toEqual([]);
    expect(await completeAt(testUri, pos(TESTS, '{ "vip": false }', 0, 2))).toEqual([]);
  });
});
