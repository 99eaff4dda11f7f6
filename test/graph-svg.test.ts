// The in-process Graphviz (WebAssembly) renders every flow, awkward labels and generated flows
// included, with no `dot` on the machine; and on generated before/after pairs the picture of the
// change marks each widget the differ names, and no other.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Flow } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { changeGraph } from "../review/change-graph.js";
import { diffFlows } from "../review/diff.js";
import { buildGraph, type FlowGraph, type Mark } from "../review/graph.js";
import { renderSvg } from "../review/svg.js";
import { validFlow } from "./arbitraries/flow.js";

function flowOf(source: string): Flow {
  const parsed = parse(source, "g.flow");
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (parsed.flow === undefined) throw new Error("no flow");
  return parsed.flow;
}

const files = [
  "test/fixtures/contract.flow",
  ...readdirSync("examples")
    .filter((f) => f.endsWith(".flow"))
    .map((f) => `examples/${f}`),
];

/** Renders and checks that every node is drawn once, with its marks as classes. */
async function drawn(graph: FlowGraph): Promise<string> {
  const svg = await renderSvg(graph);
  expect(svg).toContain("<svg");
  for (const node of graph.nodes) {
    const classes = node.mark === undefined ? "node" : `node ${node.mark}`;
    expect(svg).toContain(`class="${classes}">\n<title>${node.id}</title>`);
  }
  return svg;
}

describe("the in-process Graphviz", () => {
  it("renders the contract and every example", async () => {
    for (const file of files) await drawn(buildGraph(flowOf(readFileSync(file, "utf8"))));
  });

  it("renders awkward labels and generated flows", async () => {
    const awkward = `flow f "T\\"itle\\\\" { start -> a send a "<b>\\"x\\"\\n\\\\l{y}" { message "x" next -> gone } }`;
    const svg = await drawn(buildGraph(flowOf(awkward)));
    expect(svg).toContain("&lt;b&gt;&quot;x&quot;");
    for (const sample of fc.sample(validFlow(), { numRuns: 25, seed: 42 }))
      await drawn(buildGraph(flowOf(sample.source)));
  });

  it("gives the same bytes for the same flow", async () => {
    const graph = buildGraph(flowOf(readFileSync("examples/order-status.flow", "utf8")));
    expect(await renderSvg(graph)).toBe(await renderSvg(graph));
  });
});

describe("pictures of generated changes", () => {
  it("mark each widget the differ names, and no other, and render", async () => {
    const pairs = fc.sample(fc.tuple(validFlow({ commentRate: 0 }), validFlow({ commentRate: 0 })), {
      numRuns: 30,
      seed: 7,
    });
    for (const [a, b] of pairs) {
      const before = flowOf(a.source);
      const after = flowOf(b.source);
      const changes = diffFlows(before, after);
      // A large context keeps every widget: what is marked is checked, not what is cut.
      const picture = changeGraph(before, after, changes, 1000);
      const expected = new Map<string, Mark>();
      for (const c of changes) {
        if (c.kind === "widget-added") expected.set(`w_${c.widget}`, "added");
        if (c.kind === "widget-removed") expected.set(`removed_${c.widget}`, "removed");
        if (c.kind === "widget-renamed") expected.set(`w_${c.new}`, "renamed");
      }
      for (const c of changes) {
        if ((c.kind === "setting-changed" || c.kind === "exit-changed") && !expected.has(`w_${c.widget}`))
          expected.set(`w_${c.widget}`, "changed");
      }
      const marked = new Map(
        (picture?.graph.nodes ?? []).flatMap((n) => (n.mark === undefined ? [] : [[n.id, n.mark] as const])),
      );
      expect(marked, `${a.source}\n---\n${b.source}`).toEqual(expected);
      if (picture !== undefined) await drawn(picture.graph);
    }
  }, 60_000);
});
