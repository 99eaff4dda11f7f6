// The language server as an editor uses it: the built `callflow lsp --stdio` in a child process,
// over JSON-RPC. Positions are found in the example flows by the text at them.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiagnosticSeverity, DiagnosticTag, type Position } from "vscode-languageserver-protocol/node";
import { ROOT } from "./helpers/cli.js";
import { startClient, type LspClient } from "./helpers/lsp-client.js";

const ORDER = readFileSync(`${ROOT}/examples/order-status.flow`, "utf8");

/** The position of the `nth` (0-based) occurrence of `needle`, plus `shift` characters. */
function pos(text: string, needle: string, nth = 0, shift = 0): Position {
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`'${needle}' #${nth} not found`);
  }
  offset += shift;
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

/** The range of the `nth` occurrence of `needle`. */
function range(text: string, needle: string, nth = 0) {
  const start = pos(text, needle, nth);
  return { start, end: { line: start.line, character: start.character + needle.length } };
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
});
