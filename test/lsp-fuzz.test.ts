// Any text the editor holds, any position: every request gets an answer and no handler fails
// (a failure would be logged by the server and answered empty). Edits are cuts, insertions and
// deletions of the example flows and test file, as a half-typed or mangled file looks; the server is the built
// `callflow lsp --stdio` in a child process.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CodeActionRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  PrepareRenameRequest,
  ReferencesRequest,
  RenameRequest,
  SemanticTokensRequest,
  type Position,
} from "vscode-languageserver-protocol/node";
import { ROOT } from "./helpers/cli.js";
import { startClient, type LspClient } from "./helpers/lsp-client.js";

const read = (name: string) => readFileSync(`${ROOT}/examples/${name}`, "utf8");
const EXAMPLES = ["order-status.flow", "payment-status.flow", "appointment-reminder.flow"].map(read);
/** Its flow, examples/order-status.flow, is read from disk. */
const TEST_FILE = read("order-status.flowtest");
const FLOW_PIECES = [
  "{",
  "}",
  "{{",
  '"',
  "->",
  "secret.",
  "when ",
  "\n",
  "  retry ",
  "# ",
  "method ",
  ".",
  "=",
  "é",
  "😀",
];
const TEST_PIECES = ["mock ", "path ", ", ", "end ", "attempts ", "expect {", "reply "];
const PIECES = [...FLOW_PIECES, ...TEST_PIECES];

/** An example with one edit: a cut, a piece of syntax inserted, or a slice deleted. */
const mangled = (examples: readonly string[]) =>
  fc
    .record({
      example: fc.constantFrom(...examples),
      at: fc.nat(),
      length: fc.nat({ max: 60 }),
      edit: fc.constantFrom("cut", "insert", "delete"),
      piece: fc.constantFrom(...PIECES),
      cursor: fc.nat(),
    })
    .map(({ example, at, length, edit, piece, cursor }) => {
      const offset = at % (example.length + 1);
      const text =
        edit === "cut"
          ? example.slice(0, offset)
          : edit === "insert"
            ? example.slice(0, offset) + piece + example.slice(offset)
            : example.slice(0, offset) + example.slice(offset + length);
      const before = text.slice(0, cursor % (text.length + 1));
      const line = before.split("\n").length - 1;
      const position: Position = { line, character: before.length - (before.lastIndexOf("\n") + 1) };
      return { text, position };
    });

let client: LspClient;
beforeAll(async () => {
  client = await startClient();
}, 30_000);
afterAll(async () => {
  await client.close();
});

describe.each([
  { name: "fuzz.flow", examples: EXAMPLES, numRuns: 60 },
  { name: "fuzz.flowtest", examples: [TEST_FILE], numRuns: 40 },
])("callflow lsp on mangled $name", ({ name, examples, numRuns }) => {
  it("answers every request at any position without a handler failing", async () => {
    const uri = await client.open(`examples/${name}`, examples[0] ?? "");
    await client.diagnostics(uri, 1);
    let version = 1;
    await fc.assert(
      fc.asyncProperty(mangled(examples), async ({ text, position }) => {
        await client.change(uri, text);
        version++;
        const textDocument = { uri };
        const range = { start: position, end: position };
        const { diagnostics } = await client.diagnostics(uri, version);
        const c = client.connection;
        await Promise.all([
          c.sendRequest(HoverRequest.type, { textDocument, position }),
          c.sendRequest(CompletionRequest.type, { textDocument, position }),
          c.sendRequest(DefinitionRequest.type, { textDocument, position }),
          c.sendRequest(ReferencesRequest.type, { textDocument, position, context: { includeDeclaration: true } }),
          c.sendRequest(PrepareRenameRequest.type, { textDocument, position }),
          c.sendRequest(RenameRequest.type, { textDocument, position, newName: "renamed_name" }).catch(() => null),
          c.sendRequest(DocumentSymbolRequest.type, { textDocument }),
          c.sendRequest(FoldingRangeRequest.type, { textDocument }),
          c.sendRequest(DocumentFormattingRequest.type, { textDocument, options: { tabSize: 2, insertSpaces: true } }),
          c.sendRequest(SemanticTokensRequest.type, { textDocument }),
          c.sendRequest(CodeActionRequest.type, { textDocument, range, context: { diagnostics } }),
        ]);
        expect(client.log.filter((line) => / failed: |uncaught|unhandled/.test(line))).toEqual([]);
      }),
      { numRuns, seed: 15 },
    );
    expect(client.process.exitCode).toBeNull();
  }, 120_000);
});
