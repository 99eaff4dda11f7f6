// `callflow graph`: Mermaid checked structurally, DOT rendered by Graphviz when installed.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource } from "../grammar/printer.js";
import { escapeMermaid, FONT, graph, quoteDot } from "../review/graph.js";
import type { Flow } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { validFlow } from "./arbitraries/flow.js";

function flowOf(source: string): Flow {
  const parsed = parse(source, "g.flow");
  expect(parsed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (parsed.flow === undefined) throw new Error("no flow");
  return parsed.flow;
}

const contract = flowOf(readFileSync("test/fixtures/contract.flow", "utf8"));
const exampleFiles = readdirSync("examples")
  .filter((f) => f.endsWith(".flow"))
  .map((f) => `examples/${f}`);

// ---------------------------------------------------------------- a structural reader for our Mermaid

interface MermaidGraph {
  readonly nodes: Map<string, { shape: string; label: string }>;
  readonly edges: { from: string; to: string; label: string | undefined }[];
}

const SHAPES = ["(((", "((", "[[", "([", "[/", "{", ">", "["] as const;
const CLOSERS: Record<(typeof SHAPES)[number], string> = {
  "(((": ")))",
  "((": "))",
  "[[": "]]",
  "([": "])",
  "[/": "\\]",
  "{": "}",
  ">": "]",
  "[": "]",
};

/** Reads the Mermaid we print, failing on any line it does not understand. */
function readMermaid(text: string): MermaidGraph {
  const lines = text.split("\n");
  // Front matter sets the font of every picture, then the chart.
  expect(lines.slice(0, 5)).toEqual(["---", "config:", `  fontFamily: ${JSON.stringify(FONT)}`, "---", "flowchart TD"]);
  expect(lines.at(-1)).toBe("");
  const nodes = new Map<string, { shape: string; label: string }>();
  const edges: MermaidGraph["edges"] = [];
  for (const line of lines.slice(5, -1)) {
    const edge = /^ {2}(\w+) -->(?:\|"([^"]*)"\|)? (\w+)$/.exec(line);
    if (edge) {
      edges.push({ from: edge[1] ?? "", to: edge[3] ?? "", label: edge[2] });
      continue;
    }
    if (/^ {2}classDef missing [^"]*$/.test(line) || /^ {2}class [\w,]+ missing$/.test(line)) continue;
    const node = /^ {2}(\w+)(.*)$/s.exec(line);
    if (!node) throw new Error(`unexpected Mermaid line: ${line}`);
    const rest = node[2] ?? "";
    const shape = SHAPES.find((s) => rest.startsWith(`${s}"`) && rest.endsWith(`"${CLOSERS[s]}`));
    if (shape === undefined) throw new Error(`unknown node shape: ${line}`);
    const label = rest.slice(shape.length + 1, rest.length - CLOSERS[shape].length - 1);
    // Inside the quotes only entity codes and <br/>: no quote, no raw angle bracket.
    expect(label).not.toMatch(/["\u0000-\u001f\u2028\u2029]/);
    expect(label.replace(/<br\/>/g, "")).not.toMatch(/[<>]/);
    expect(nodes.has(node[1] ?? "")).toBe(false);
    nodes.set(node[1] ?? "", { shape, label });
  }
  for (const edge of edges) {
    expect(nodes.has(edge.from), `edge from undeclared ${edge.from}`).toBe(true);
    expect(nodes.has(edge.to), `edge to undeclared ${edge.to}`).toBe(true);
    expect(edge.label ?? "").not.toMatch(/[<>"]/);
  }
  return { nodes, edges };
}

describe("Mermaid", () => {
  const g = readMermaid(graph(contract));

  it("draws every widget once, with its display name and kind, in a shape for its kind", () => {
    expect(g.nodes.get("start")).toEqual({ shape: "((", label: "start" });
    expect(g.nodes.get("w_lookup_order")).toEqual({ shape: "[[", label: "Look up order<br/>http lookup_order" });
    expect(g.nodes.get("w_check_vip")).toEqual({ shape: "{", label: "VIP?<br/>condition check_vip" });
    expect(g.nodes.get("w_remember")).toEqual({ shape: "[", label: "Remember the tier<br/>set remember" });
    expect(g.nodes.get("w_announce")).toEqual({ shape: ">", label: "announce<br/>send" });
    expect(g.nodes.get("w_vip_queue")).toEqual({ shape: "([", label: "VIP agents<br/>route vip_queue" });
    expect(g.nodes.get("w_goodbye")).toEqual({ shape: "(((", label: "goodbye<br/>end" });
    expect(g.nodes.size).toBe(contract.widgets.length + 1);
  });

  it("draws every exit as a labelled edge, and start as an unlabelled one", () => {
    expect(g.edges).toContainEqual({ from: "start", to: "w_lookup_order", label: undefined });
    expect(g.edges).toContainEqual({ from: "w_lookup_order", to: "w_check_vip", label: "success" });
    expect(g.edges).toContainEqual({ from: "w_lookup_order", to: "w_apologize", label: "fail" });
    expect(g.edges).toContainEqual({
      from: "w_check_vip",
      to: "w_vip_queue",
      label: "when is_vip == true and item_count #gt; 0",
    });
    expect(g.edges).toContainEqual({ from: "w_check_vip", to: "w_announce", label: "else" });
    expect(g.edges).toContainEqual({ from: "w_announce", to: "w_notify", label: "next" });
    expect(g.edges).toHaveLength(10);
  });

  it("numbers when branches when there are several, in order", () => {
    const m = readMermaid(
      graph(
        flowOf(`flow f { local n: number start -> c
      condition c { when n > 1 -> e when n > 2 -> e else -> e } end e }`),
      ),
    );
    expect(m.edges.map((e) => e.label)).toEqual([undefined, "1. when n #gt; 1", "2. when n #gt; 2", "else"]);
  });

  it("escapes quotes, brackets, angle brackets, # and newlines in labels", () => {
    expect(escapeMermaid('a "q" <b> [c] {d} #1 & |x| `t`\nnext')).toBe(
      "a #quot;q#quot; #lt;b#gt; #91;c#93; #123;d#125; #35;1 #amp; #124;x#124; #96;t#96;<br/>next",
    );
    const m = readMermaid(
      graph(flowOf(`flow f { start -> a send a "Say \\"hi\\" <b>\\n[now]" { message "x" next -> a } }`)),
    );
    expect(m.nodes.get("w_a")?.label).toBe("Say #quot;hi#quot; #lt;b#gt;<br/>#91;now#93;<br/>send a");
  });

  it("draws exits to unknown widgets as dashed missing nodes", () => {
    const m = graph(flowOf('flow f { start -> nowhere send a { message "x" next -> gone } }'));
    const parsed = readMermaid(m);
    expect(parsed.nodes.get("missing_nowhere")).toEqual({ shape: "[/", label: "nowhere<br/>missing widget" });
    expect(parsed.edges).toContainEqual({ from: "w_a", to: "missing_gone", label: "next" });
    expect(m).toContain("  class missing_nowhere,missing_gone missing\n");
  });

  it("is well formed for generated flows, whatever their names and strings", () => {
    fc.assert(
      fc.property(validFlow(), (generated) => {
        const flow = flowOf(generated.source);
        const m = readMermaid(graph(flow));
        expect(m.nodes.size).toBe(new Set(flow.widgets.map((w) => w.id.name)).size + 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("determinism", () => {
  it("prints the same graph every time, and ignores layout and comments", () => {
    for (const file of ["test/fixtures/contract.flow", ...exampleFiles]) {
      const source = readFileSync(file, "utf8");
      const formatted = formatSource(source, file).text ?? "";
      for (const format of ["mermaid", "dot"] as const) {
        expect(graph(flowOf(source), format)).toBe(graph(flowOf(source), format));
        expect(graph(flowOf(formatted), format)).toBe(graph(flowOf(source), format));
      }
    }
  });
});

describe("DOT", () => {
  it("quotes ids and labels safely", () => {
    expect(quoteDot('a "b" \\ c\nd <e>')).toBe('"a \\"b\\" \\\\ c\\nd <e>"');
    const dot = graph(contract, "dot");
    expect(dot.startsWith('digraph "order_status" {\n')).toBe(true);
    expect(dot).toContain('  "w_check_vip" [label="VIP?\\ncondition check_vip", shape=diamond];\n');
    expect(dot).toContain(
      '  "w_check_vip" -> "w_vip_queue" [label=<<table border="0" cellborder="0" cellpadding="4" cellspacing="0"><tr><td>when is_vip == true and item_count &gt; 0</td></tr></table>>];\n',
    );
    expect(dot.endsWith("}\n")).toBe(true);
  });

  const dotAvailable = spawnSync("dot", ["-V"]).status === 0;
  if (!dotAvailable) {
    console.warn(
      "SKIPPED: Graphviz 'dot' is not installed, so the DOT output is not rendered. Install it with: apt-get install -y graphviz",
    );
  }

  /** Renders with Graphviz; returns its stderr, failing on a non-zero exit. */
  function render(dot: string): string {
    const result = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("<svg");
    return result.stderr;
  }

  it.skipIf(!dotAvailable)(
    "renders the contract and every example with Graphviz (skipped when 'dot' is missing)",
    () => {
      for (const file of ["test/fixtures/contract.flow", ...exampleFiles]) {
        expect(render(graph(flowOf(readFileSync(file, "utf8")), "dot"))).toBe("");
      }
    },
  );

  it.skipIf(!dotAvailable)(
    "renders awkward labels and generated flows with Graphviz (skipped when 'dot' is missing)",
    () => {
      expect(
        render(
          graph(
            flowOf(`flow f "T\\"itle\\\\" { start -> a send a "<b>\\"x\\"\\n\\\\l{y}" { message "x" next -> gone } }`),
            "dot",
          ),
        ),
      ).toBe("");
      const samples = fc.sample(validFlow(), { numRuns: 25, seed: 42 });
      for (const sample of samples) expect(render(graph(flowOf(sample.source), "dot"))).toBe("");
    },
  );
});
