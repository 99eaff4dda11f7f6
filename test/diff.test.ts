// `callflow diff`: semantic changes between two versions of a flow, and how they print.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffFlows, MASK, renderDiff, type FileDiff, type FlowChange } from "../review/diff.js";
import { formatSource } from "../grammar/printer.js";
import type { Flow } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { validFlow } from "./arbitraries/flow.js";

function flowOf(source: string): Flow {
  const parsed = parse(source, "d.flow");
  expect(parsed.diagnostics).toEqual([]);
  if (parsed.flow === undefined) throw new Error("no flow");
  return parsed.flow;
}

const CONTRACT = readFileSync("test/fixtures/contract.flow", "utf8");

/** The changes made by applying text replacements to the contract example. */
function changesAfter(...edits: [string | RegExp, string][]): FlowChange[] {
  let edited = CONTRACT;
  for (const [from, to] of edits) {
    const next = edited.replace(from, to);
    expect(next, `edit ${String(from)} did not apply`).not.toBe(edited);
    edited = next;
  }
  return diffFlows(flowOf(CONTRACT), flowOf(edited));
}

describe("no semantic change", () => {
  it("finds nothing between a flow and itself", () => {
    expect(diffFlows(flowOf(CONTRACT), flowOf(CONTRACT))).toEqual([]);
  });

  it("finds nothing after formatting, re-ordering settings, comments or redundant parentheses", () => {
    const formatted = formatSource(CONTRACT, "c.flow").text ?? "";
    expect(diffFlows(flowOf(CONTRACT), flowOf(formatted))).toEqual([]);
    const shuffled = CONTRACT.replace("    retry 2\n    timeout 5s\n", "    timeout 5s # faster\n    retry 2\n")
      .replace("when is_vip == true and item_count > 0", "when ((is_vip == true) and (item_count > 0))")
      .replace("retry 2", "retry 2.0")
      .replace("timeout 5s", "timeout 5000ms")
      .replace('"Bearer {{secret.CRM_TOKEN}}"', '"Bearer \\u007b{secret.CRM_TOKEN}}"');
    expect(diffFlows(flowOf(CONTRACT), flowOf(shuffled))).toEqual([]);
  });

  it("finds nothing between any generated flow and its formatted text", () => {
    fc.assert(
      fc.property(validFlow({ commentRate: 8 }), (g) => {
        const formatted = formatSource(g.source, "g.flow").text ?? "";
        expect(diffFlows(flowOf(g.source), flowOf(formatted))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("widgets", () => {
  it("reports an added and a removed widget with its settings", () => {
    const changes = changesAfter(
      ["  end goodbye\n", '  end goodbye\n  send thanks "Thanks" {\n    message "Bye"\n    next -> goodbye\n  }\n'],
      [/ {2}set remember[^]*?\n {2}\}\n/, ""],
    );
    expect(changes).toEqual([
      {
        kind: "widget-removed",
        widget: "remember",
        widgetKind: "set",
        displayName: "Remember the tier",
        settings: ["set is_vip: false", 'set ship_date: "unknown"', "next -> goodbye"],
      },
      {
        kind: "widget-added",
        widget: "thanks",
        widgetKind: "send",
        displayName: "Thanks",
        settings: ['message: "Bye"', "next -> goodbye"],
      },
    ]);
  });

  it("reports a rename once, without the exits that followed it", () => {
    const changes = changesAfter([/goodbye/g, "farewell"]);
    expect(changes).toEqual([
      { kind: "widget-renamed", old: "goodbye", new: "farewell", widgetKind: "end", references: 3 },
    ]);
  });

  it("reports a rename together with a real rewiring of an exit", () => {
    const changes = changesAfter([/goodbye/g, "farewell"], ["success -> check_vip", "success -> farewell"]);
    expect(changes).toEqual([
      { kind: "widget-renamed", old: "goodbye", new: "farewell", widgetKind: "end", references: 3 },
      {
        kind: "exit-changed",
        widget: "lookup_order",
        widgetKind: "http",
        exit: "success",
        old: "check_vip",
        new: "farewell",
      },
    ]);
  });

  it("reports changed, added and removed settings with old and new values", () => {
    const changes = changesAfter(
      ["timeout 5s", "timeout 10s"],
      ["    retry 2\n", ""],
      ['include = "items"', 'include = "items,customer"\n      debug = true'],
      ['"$.shipDate" -> ship_date', '"$.ship.date" -> ship_date'],
      ["method POST", "method PUT"],
      ['"vip": is_vip,', '"vip": true,'],
    );
    expect(changes).toEqual([
      {
        kind: "setting-changed",
        widget: "lookup_order",
        widgetKind: "http",
        setting: "query.include",
        old: '"items"',
        new: '"items,customer"',
      },
      { kind: "setting-changed", widget: "lookup_order", widgetKind: "http", setting: "retry", old: "2" },
      {
        kind: "setting-changed",
        widget: "lookup_order",
        widgetKind: "http",
        setting: "timeout",
        old: "5s",
        new: "10s",
      },
      {
        kind: "setting-changed",
        widget: "lookup_order",
        widgetKind: "http",
        setting: "results.ship_date",
        old: '"$.shipDate"',
        new: '"$.ship.date"',
      },
      { kind: "setting-changed", widget: "lookup_order", widgetKind: "http", setting: "query.debug", new: "true" },
      { kind: "setting-changed", widget: "notify", widgetKind: "http", setting: "method", old: "POST", new: "PUT" },
      {
        kind: "setting-changed",
        widget: "notify",
        widgetKind: "http",
        setting: "body.vip",
        old: "is_vip",
        new: "true",
      },
    ]);
  });

  it("reports rewired exits, edited conditions and added branches", () => {
    const changes = changesAfter(
      ["fail -> apologize", "fail -> agents"],
      [
        "when is_vip == true and item_count > 0 -> vip_queue",
        "when is_vip == true and item_count > 1 -> vip_queue\n    when item_count == 0 -> apologize",
      ],
      ["else -> announce", "else -> notify"],
    );
    expect(changes).toEqual([
      {
        kind: "exit-changed",
        widget: "lookup_order",
        widgetKind: "http",
        exit: "fail",
        old: "apologize",
        new: "agents",
      },
      {
        kind: "setting-changed",
        widget: "check_vip",
        widgetKind: "condition",
        setting: "when #1",
        old: "is_vip == true and item_count > 0",
        new: "is_vip == true and item_count > 1",
      },
      {
        kind: "exit-changed",
        widget: "check_vip",
        widgetKind: "condition",
        exit: "when item_count == 0",
        new: "apologize",
      },
      {
        kind: "exit-changed",
        widget: "check_vip",
        widgetKind: "condition",
        exit: "else",
        old: "announce",
        new: "notify",
      },
    ]);
  });

  it("reports a widget whose kind changed as removed and added", () => {
    const changes = changesAfter([
      'send apologize {\n    message "Sorry, we could not find your order."',
      "set apologize {\n    is_vip = false",
    ]);
    expect(changes.map((c) => [c.kind, "widget" in c ? c.widget : ""])).toEqual([
      ["widget-removed", "apologize"],
      ["widget-added", "apologize"],
    ]);
  });

  it("reports a new start widget", () => {
    expect(changesAfter(["start -> lookup_order", "start -> announce"])).toEqual([
      { kind: "start-changed", old: "lookup_order", new: "announce" },
    ]);
  });
});

describe("declarations and secrets", () => {
  it("reports declarations added, removed, retyped and re-scoped", () => {
    const changes = changesAfter(
      ["  global order_id: string\n", "  global order_id: number\n  local retries: number = 0\n"],
      ["  local customer: json\n", ""],
      ["local ship_date", "global ship_date"],
    );
    expect(changes).toEqual([
      { kind: "declaration-removed", name: "customer", declaration: "local customer: json" },
      { kind: "declaration-changed", name: "order_id", field: "type", old: "string", new: "number" },
      { kind: "declaration-added", name: "retries", declaration: "local retries: number = 0" },
      { kind: "declaration-changed", name: "ship_date", field: "scope", old: "local", new: "global" },
    ]);
  });

  it("hides masked defaults and masked assignments, but says that they changed", () => {
    const changes = changesAfter(
      [
        "local card_last4: string masked",
        'local card_last4: string = "0000" masked\n  local pin: string = "1234" masked',
      ],
      ['    ship_date = "unknown"\n', '    ship_date = "unknown"\n    card_last4 = "4242"\n'],
    );
    expect(changes).toEqual([
      { kind: "declaration-changed", name: "card_last4", field: "default", new: MASK },
      { kind: "declaration-added", name: "pin", declaration: `local pin: string = ${MASK} masked` },
      { kind: "setting-changed", widget: "remember", widgetKind: "set", setting: "set card_last4", new: MASK },
    ]);
    const text = renderDiff([{ oldPath: "a", newPath: "a", status: "modified", changes }], "text");
    expect(text).not.toMatch(/0000|1234|4242/);
  });

  it("reports the masked flag changing", () => {
    expect(changesAfter(["local ship_date: string", "local ship_date: string masked"])).toEqual([
      { kind: "declaration-changed", name: "ship_date", field: "masked", old: "false", new: "true" },
    ]);
  });

  it("reports secrets added and removed by name only", () => {
    expect(
      changesAfter(["secret HOOK_KEY", "secret HOOK_SECRET"], ["{{secret.HOOK_KEY}}", "{{secret.HOOK_SECRET}}"]),
    ).toEqual([
      { kind: "secret-removed", name: "HOOK_KEY" },
      { kind: "secret-added", name: "HOOK_SECRET" },
      {
        kind: "setting-changed",
        widget: "notify",
        widgetKind: "http",
        setting: "headers.X-Hook-Key",
        old: '"{{secret.HOOK_KEY}}"',
        new: '"{{secret.HOOK_SECRET}}"',
      },
    ]);
  });
});

describe("rendering", () => {
  const changes = changesAfter(
    ["timeout 5s", "timeout 10s"],
    ["fail -> apologize", "fail -> agents"],
    ["secret HOOK_KEY\n", "secret HOOK_KEY\n  secret NEW_KEY\n"],
    [/goodbye/g, "farewell"],
  );
  const files: FileDiff[] = [{ oldPath: "order.flow", newPath: "order.flow", status: "modified", changes }];

  it("prints plain text grouped by widget", () => {
    expect(renderDiff(files, "text")).toBe(`order.flow
  + secret NEW_KEY
  > renamed end goodbye → farewell (3 exits follow)
  http lookup_order
    ~ timeout: 5s → 10s
    ~ fail -> apologize → agents
`);
  });

  it("colors text only when asked", () => {
    expect(renderDiff(files, "text", true)).toMatch(/\u001b\[/);
    expect(renderDiff(files, "text", false)).not.toMatch(/\u001b\[/);
  });

  it("prints Markdown for pull-request comments", () => {
    expect(renderDiff(files, "markdown")).toBe(`#### \`order.flow\`

- **added** \`secret NEW_KEY\`
- **renamed** end \`goodbye\` → \`farewell\` (3 exits follow)
- http \`lookup_order\`
  - **changed** \`timeout\`: \`5s\` → \`10s\`
  - **changed** \`fail\` -> \`apologize\` → \`agents\`
`);
  });

  it("keeps backticks in values from breaking Markdown code spans", () => {
    const md = renderDiff(
      [
        {
          oldPath: "x",
          newPath: "x",
          status: "modified",
          changes: [
            { kind: "setting-changed", widget: "w", widgetKind: "send", setting: "message", old: '"a`b"', new: '"`c"' },
          ],
        },
      ],
      "markdown",
    );
    expect(md).toContain('``"a`b"`` → ``"`c"``');
  });

  it("prints JSON with every change", () => {
    const json = JSON.parse(renderDiff(files, "json")) as { changed: boolean; files: FileDiff[] };
    expect(json.changed).toBe(true);
    expect(json.files[0]?.changes).toEqual(changes);
  });

  it("says when nothing changed", () => {
    const none: FileDiff[] = [{ oldPath: "a.flow", newPath: "b.flow", status: "modified", changes: [] }];
    expect(renderDiff(none, "text")).toBe("a.flow → b.flow\n  no semantic changes\n");
    expect(renderDiff(none, "markdown")).toBe("#### `a.flow → b.flow`\n\nNo semantic changes.\n");
    expect(JSON.parse(renderDiff(none, "json"))).toEqual({ changed: false, files: none });
  });
});
