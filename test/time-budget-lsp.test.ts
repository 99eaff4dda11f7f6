// Time budgets in the language server, through `callflow lsp --stdio`: the warnings against the
// project's deadline (test/fixtures/time-budget/callflow.json) and a widget's figures on hover.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiagnosticSeverity, HoverRequest, type Hover, type MarkupContent } from "vscode-languageserver-protocol/node";
import { ROOT } from "./helpers/cli.js";
import { pos, range, startClient, type LspClient } from "./helpers/lsp-client.js";

const NAME = "test/fixtures/time-budget/checkout.flow";
const TEXT = readFileSync(`${ROOT}/${NAME}`, "utf8");

let client: LspClient;
beforeAll(async () => {
  client = await startClient();
}, 30_000);
afterAll(async () => {
  await client.close();
});

/** A diagnostic's message: the server sends plain strings. */
const text = (message: string | MarkupContent): string => (typeof message === "string" ? message : message.value);

function hoverText(result: Hover | null): string {
  const contents = result?.contents;
  return typeof contents === "object" && contents !== null && "value" in contents ? contents.value : "";
}

describe("callflow lsp: time budgets", () => {
  it("warns of each path over the project's deadline, on the slowest widget, as check does", async () => {
    const uri = await client.open(NAME, TEXT);
    const { diagnostics } = await client.diagnostics(uri, 1);
    expect(diagnostics.map((d) => [d.code, d.severity, text(d.message).split(" can take")[0]])).toEqual([
      ["CF2046", DiagnosticSeverity.Warning, "Path start → lookup → pay → sorry → goodbye"],
      ["CF2046", DiagnosticSeverity.Warning, "Path start → lookup → pay → goodbye"],
      ["CF2046", DiagnosticSeverity.Warning, "Path start → lookup → sorry → goodbye"],
    ]);
    expect(diagnostics[0]!.range).toEqual(range(TEXT, "lookup", 2));
    expect(text(diagnostics[0]!.message)).toContain("over the 8 s deadline (environment connect in ");
    expect(diagnostics[0]!.relatedInformation?.map((r) => [r.location.uri, r.location.range, r.message])).toEqual([
      [uri, range(TEXT, "pay", 2), "'pay' can take 3 s"],
    ]);

    // A shorter timeout brings every path under 8 s: the warnings go.
    await client.change(uri, TEXT.replace("retry 1\n", ""));
    expect((await client.diagnostics(uri, 2)).diagnostics).toEqual([]);
  });

  it("shows a widget's worst case, the worst time to reach it and the worst path through it", async () => {
    const uri = await client.open("test/fixtures/time-budget/hover.flow", TEXT);
    await client.diagnostics(uri, 1);
    const at = (text: string, nth: number) =>
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos(TEXT, text, nth) });
    expect(hoverText(await at("pay", 2))).toBe(
      [
        "**http** `pay`",
        "Calls an HTTP API, maps the response into variables, and exits through success or fail.",
        "Exits: `on -> sorry`, `success -> goodbye`, `fail -> sorry`",
        "Worst case of this widget: 3 s (1 × 3 s)  \nWorst time to reach it: 14 s  \nWorst case of a path through it: 17 s",
      ].join("\n\n"),
    );
    expect(hoverText(await at("lookup", 2))).toContain("Worst case of this widget: 14 s (2 × 2 s + waits 10 s)");
    expect(hoverText(await at("sorry", 3))).toContain(
      "Worst time to reach it: 17 s  \nWorst case of a path through it: 17 s",
    );
  });
});
