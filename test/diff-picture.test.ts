// The picture of a change: for one before/after pair per kind of FlowChange, the widgets and exits
// the Mermaid diff marks are exactly the ones that changed. Checked twice: on the picture's model,
// and on what the `mermaid` package draws from `callflow diff --format markdown` in headless Chromium.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Flow } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { changeGraph } from "../review/change-graph.js";
import { diffFlows, type FlowChange } from "../review/diff.js";
import { MARK_STYLE, type Mark } from "../review/graph.js";
import { CHROMIUM, launch, offlinePage, SKIP_NOTE } from "./helpers/browser.js";
import { CLI, ROOT } from "./helpers/cli.js";

const BASE = `flow base "Base" {
  local n: number = 1
  secret KEY
  start -> greet
  send greet { message "hi" next -> ask }
  http ask { method GET url "https://x.example/a" success -> check fail -> sorry }
  condition check { when n == 1 -> bye else -> sorry }
  send sorry { message "sorry" next -> bye }
  end bye
}
`;

interface Case {
  readonly name: string;
  /** The change kinds the pair must produce, so every kind is covered. */
  readonly kinds: readonly FlowChange["kind"][];
  readonly after: string;
  /** Marked nodes by Mermaid id; undefined: no picture at all. */
  readonly nodes?: Readonly<Record<string, Mark>>;
  /** Marked edges as `from->to:mark`, in any order. */
  readonly edges?: readonly string[];
}

const edit = (...pairs: readonly (readonly [string, string])[]): string =>
  pairs.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`not in the base flow: ${from}`);
    return text.replace(from, to);
  }, BASE);

const CASES: readonly Case[] = [
  { name: "flow renamed", kinds: ["flow-renamed"], after: edit(["flow base ", "flow base2 "]) },
  { name: "display name changed", kinds: ["flow-name-changed"], after: edit(['"Base"', '"Basis"']) },
  {
    name: "variable added",
    kinds: ["declaration-added"],
    after: edit(["  secret KEY", "  local m: string\n  secret KEY"]),
  },
  { name: "variable removed", kinds: ["declaration-removed"], after: edit(["  local n: number = 1\n", ""]) },
  { name: "variable default changed", kinds: ["declaration-changed"], after: edit(["= 1", "= 2"]) },
  { name: "secret added", kinds: ["secret-added"], after: edit(["secret KEY", "secret KEY\n  secret OTHER"]) },
  { name: "secret removed", kinds: ["secret-removed"], after: edit(["  secret KEY\n", ""]) },
  {
    name: "start moved",
    kinds: ["start-changed"],
    after: edit(["start -> greet", "start -> ask"]),
    nodes: {},
    edges: ["start->w_ask:changed", "start->w_greet:removed"],
  },
  {
    name: "widget added",
    kinds: ["widget-added", "exit-changed"],
    after: edit(["next -> bye }", 'next -> extra }\n  send extra { message "x" next -> bye }']),
    nodes: { w_extra: "added", w_sorry: "changed" },
    edges: ["w_extra->w_bye:added", "w_sorry->w_extra:changed", "w_sorry->w_bye:removed"],
  },
  {
    name: "widget removed",
    kinds: ["widget-removed", "exit-changed"],
    after: edit(
      ["fail -> sorry", "fail -> bye"],
      ["else -> sorry", "else -> bye"],
      ['  send sorry { message "sorry" next -> bye }\n', ""],
    ),
    nodes: { removed_sorry: "removed", w_ask: "changed", w_check: "changed" },
    edges: [
      "removed_sorry->w_bye:removed",
      "w_ask->w_bye:changed",
      "w_ask->removed_sorry:removed",
      "w_check->w_bye:changed",
      "w_check->removed_sorry:removed",
    ],
  },
  {
    name: "widget renamed",
    kinds: ["widget-renamed"],
    after: BASE.replaceAll("bye", "goodbye"),
    nodes: { w_goodbye: "renamed" },
    edges: [],
  },
  {
    name: "setting changed",
    kinds: ["setting-changed"],
    after: edit(['"hi"', '"hello"']),
    nodes: { w_greet: "changed" },
    edges: [],
  },
  {
    name: "exit rewired",
    kinds: ["exit-changed"],
    after: edit(["fail -> sorry", "fail -> bye"]),
    nodes: { w_ask: "changed" },
    edges: ["w_ask->w_bye:changed", "w_ask->w_sorry:removed"],
  },
  {
    name: "exit added",
    kinds: ["exit-changed"],
    after: edit(["else -> sorry", "when n == 2 -> sorry else -> sorry"]),
    nodes: { w_check: "changed" },
    edges: ["w_check->w_sorry:added"],
  },
  {
    name: "exit removed",
    kinds: ["exit-changed"],
    after: edit(["when n == 1 -> bye ", ""]),
    nodes: { w_check: "changed" },
    edges: ["w_check->w_bye:removed"],
  },
  {
    name: "condition edited",
    kinds: ["setting-changed"],
    after: edit(["n == 1", "n == 3"]),
    nodes: { w_check: "changed" },
    edges: ["w_check->w_bye:changed"],
  },
];

function flowOf(source: string): Flow {
  const parsed = parse(source, "case.flow");
  if (parsed.flow === undefined || parsed.diagnostics.length > 0) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.flow;
}

const before = flowOf(BASE);

describe("the picture's model", () => {
  it("covers every kind of change", () => {
    const kinds = new Set(CASES.flatMap((c) => c.kinds));
    const all: FlowChange["kind"][] = [
      "flow-renamed",
      "flow-name-changed",
      "start-changed",
      "declaration-added",
      "declaration-removed",
      "declaration-changed",
      "secret-added",
      "secret-removed",
      "widget-added",
      "widget-removed",
      "widget-renamed",
      "setting-changed",
      "exit-changed",
    ];
    expect([...kinds].sort()).toEqual([...all].sort());
  });

  it.each(CASES)("$name: marks exactly what changed", ({ kinds, after, nodes, edges }) => {
    const changes = diffFlows(before, flowOf(after));
    expect(new Set(changes.map((c) => c.kind))).toEqual(new Set(kinds));
    const picture = changeGraph(before, flowOf(after), changes);
    if (nodes === undefined) {
      expect(picture).toBeUndefined();
      return;
    }
    const graph = picture?.graph;
    expect(graph).toBeDefined();
    expect(
      Object.fromEntries((graph?.nodes ?? []).flatMap((n) => (n.mark === undefined ? [] : [[n.id, n.mark]]))),
    ).toEqual(nodes);
    expect(
      (graph?.edges ?? []).flatMap((e) => (e.mark === undefined ? [] : [`${e.from}->${e.to}:${e.mark}`])).sort(),
    ).toEqual([...(edges ?? [])].sort());
  });

  it("cuts a large flow to the changes and their neighbours and says how many widgets it left out", () => {
    const chain = (message: string): string => {
      const widgets = Array.from(
        { length: 30 },
        (_, i) => `  send s${i} { message "${i === 15 ? message : String(i)}" next -> s${i + 1} }`,
      );
      return `flow long {\n  start -> s0\n${widgets.join("\n")}\n  end s30\n}\n`;
    };
    const oldFlow = flowOf(chain("old"));
    const newFlow = flowOf(chain("new"));
    const changes = diffFlows(oldFlow, newFlow);
    const shown = (context?: number): string[] =>
      (changeGraph(oldFlow, newFlow, changes, context)?.graph.nodes ?? []).map((n) => n.id);
    expect(shown()).toEqual(["w_s14", "w_s15", "w_s16"]);
    expect(changeGraph(oldFlow, newFlow, changes)?.omitted).toBe(28);
    expect(shown(2)).toEqual(["w_s13", "w_s14", "w_s15", "w_s16", "w_s17"]);
    expect(shown(0)).toEqual(["w_s15"]);
  });
});

// ---------------------------------------------------------------- through the CLI and the mermaid package

let dir = "";
let browser: Browser | undefined;
let page: Page | undefined;
let blocked: string[] = [];

/** The fenced Mermaid block of `callflow diff --format markdown`, or undefined without one. */
function mermaidOfCli(after: string, extra: readonly string[] = []): { block?: string; stdout: string } {
  writeFileSync(path.join(dir, "old.flow"), BASE);
  writeFileSync(path.join(dir, "new.flow"), after);
  const run = spawnSync(process.execPath, [CLI, "diff", "old.flow", "new.flow", "--format", "markdown", ...extra], {
    cwd: dir,
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(1);
  const block = /```mermaid\n([\s\S]*?)```/.exec(run.stdout)?.[1];
  return block === undefined ? { stdout: run.stdout } : { block, stdout: run.stdout };
}

const MARK_BY_STROKE = new Map(Object.entries(MARK_STYLE).map(([mark, style]) => [style.stroke, mark]));

interface Drawn {
  readonly nodes: readonly { id: string; classes: string }[];
  readonly edges: readonly { dataId: string; style: string }[];
}

/** Renders Mermaid text with the mermaid package in the page; what it drew, read from the DOM. */
async function draw(text: string): Promise<Drawn> {
  if (page === undefined) throw new Error("no browser");
  // The page's function runs in Chromium, where the mermaid bundle put `mermaid` on the window.
  return await page.evaluate(async (source: string) => {
    interface MermaidApi {
      initialize(config: object): void;
      parse(text: string): Promise<unknown>;
      render(id: string, text: string): Promise<{ svg: string }>;
    }
    const mermaid = (window as unknown as { mermaid: MermaidApi }).mermaid;
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    await mermaid.parse(source);
    const { svg } = await mermaid.render("picture", source);
    document.body.innerHTML = svg;
    return {
      nodes: [...document.querySelectorAll("g.node")].map((g) => ({
        id: g.id,
        classes: g.getAttribute("class") ?? "",
      })),
      edges: [...document.querySelectorAll("path.flowchart-link")].map((p) => ({
        dataId: p.getAttribute("data-id") ?? "",
        style: p.getAttribute("style") ?? "",
      })),
    };
  }, text);
}

describe.skipIf(CHROMIUM === undefined)("the Mermaid diff as the mermaid package draws it in Chromium", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "callflow-picture-"));
    writeFileSync(path.join(dir, "blank.html"), "<!doctype html><html><body></body></html>\n");
    browser = await launch();
    ({ page, blocked } = await offlinePage(browser));
    await page.goto(`file://${path.join(dir, "blank.html")}`);
    await page.addScriptTag({ path: path.join(ROOT, "node_modules/mermaid/dist/mermaid.min.js") });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)(
    "$name",
    async ({ after, nodes, edges }) => {
      const { block } = mermaidOfCli(after);
      if (nodes === undefined) {
        expect(block).toBeUndefined();
        return;
      }
      if (block === undefined) throw new Error("no mermaid block");
      const drawn = await draw(block);
      // Node elements are `picture-flowchart-<id>-<n>`; the legend's own nodes are not widgets.
      const ids = drawn.nodes.map((n) => ({
        classes: n.classes,
        id: /^picture-flowchart-(.+)-\d+$/.exec(n.id)?.[1] ?? n.id,
      }));
      const widgets = ids.filter((n) => !n.id.startsWith("legend_"));
      const marks = ["added", "removed", "changed", "renamed"];
      expect(
        Object.fromEntries(
          widgets.flatMap((n) => {
            const mark = n.classes.split(" ").find((c) => marks.includes(c));
            return mark === undefined ? [] : [[n.id, mark]];
          }),
        ),
      ).toEqual(nodes);
      // Every widget of the new version, and every removed one, is drawn.
      for (const expected of Object.keys(nodes)) expect(widgets.map((n) => n.id)).toContain(expected);
      // Edges are `L_<from>_<to>_<n>`; read the ends back against the drawn node ids.
      const names = widgets.map((n) => n.id);
      const drawnEdges = drawn.edges.flatMap((e) => {
        const stroke = /stroke:(#[0-9a-f]{6})/.exec(e.style)?.[1];
        const mark = stroke === undefined ? undefined : MARK_BY_STROKE.get(stroke);
        if (mark === undefined) return [];
        const ends = names.flatMap((from) =>
          names.filter((to) => new RegExp(`^L_${from}_${to}_\\d+$`).test(e.dataId)).map((to) => `${from}->${to}`),
        );
        expect(ends, e.dataId).toHaveLength(1);
        return [`${ends[0] ?? ""}:${mark}`];
      });
      expect(drawnEdges.sort()).toEqual([...(edges ?? [])].sort());
      expect(blocked).toEqual([]);
    },
    30_000,
  );

  it("draws the note of a cut picture outside the chart, and --context changes it", () => {
    const long = (message: string): string =>
      `flow long {\n  start -> s0\n${Array.from(
        { length: 25 },
        (_, i) => `  send s${i} { message "${i === 12 ? message : "x"}" next -> s${i + 1} }`,
      ).join("\n")}\n  end s25\n}\n`;
    writeFileSync(path.join(dir, "old.flow"), long("a"));
    writeFileSync(path.join(dir, "new.flow"), long("b"));
    const run = (extra: readonly string[]): string =>
      spawnSync(process.execPath, [CLI, "diff", "old.flow", "new.flow", "--format", "markdown", ...extra], {
        cwd: dir,
        encoding: "utf8",
      }).stdout;
    expect(run([])).toContain("_23 unchanged widgets further than 1 exit from a change are not shown.");
    expect(run(["--context", "3"])).toContain(
      "_19 unchanged widgets further than 3 exits from a change are not shown.",
    );
    expect(run(["--context", "3"])).toBe(run(["--context", "3"]));
  });
});

if (CHROMIUM === undefined) console.warn(SKIP_NOTE);
