// `callflow graph`: draws a flow as Mermaid (rendered inline by code-review sites) or
// Graphviz DOT. Output depends only on the AST, in source order, so it is deterministic.
import type { Flow, Widget, WidgetKind } from "../grammar/ast.js";
import { exitsOf, specOf } from "../grammar/widgets.js";
import { printExpr } from "../grammar/printer.js";

export type GraphFormat = "mermaid" | "dot";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot"];

interface GraphNode {
  readonly id: string;
  /** Lines of the label: display name (or id), then kind and id. */
  readonly lines: readonly string[];
  readonly shape: WidgetKind | "Start" | "Missing";
}

interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

// Node ids are prefixed so that no widget id can collide with the start marker or with
// Mermaid's own words (`end`, or `o`/`x` right after an arrow).
const nodeId = (widgetId: string): string => `w_${widgetId}`;
const missingId = (widgetId: string): string => `missing_${widgetId}`;
const START = "start";

function widgetLines(widget: Widget): string[] {
  const kind = specOf(widget).keyword;
  return widget.displayName === undefined
    ? [widget.id.name, kind]
    : [widget.displayName.value, `${kind} ${widget.id.name}`];
}

/** Exits of a widget in canonical order, each with its edge label: `when` branches, then the description's exits. */
function exits(widget: Widget): { label: string; target: string }[] {
  // Branches are tried in order; number them when the order matters.
  const branches = widget.kind === "ConditionWidget" ? widget.branches : [];
  const numbered = branches.length > 1;
  return [
    ...branches.map((b, i) => ({
      label: `${numbered ? `${i + 1}. ` : ""}when ${printExpr(b.condition)}`,
      target: b.target.name,
    })),
    ...exitsOf(widget).map((e) => ({ label: e.label, target: e.target.name })),
  ];
}

function buildGraph(flow: Flow): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const known = new Set(flow.widgets.map((w) => w.id.name));
  const seen = new Set<string>();
  const nodes: GraphNode[] = [{ id: START, lines: ["start"], shape: "Start" }];
  for (const widget of flow.widgets) {
    // A duplicate id (a validation error) draws once, like the widget that wins at run time.
    if (seen.has(widget.id.name)) continue;
    seen.add(widget.id.name);
    nodes.push({ id: nodeId(widget.id.name), lines: widgetLines(widget), shape: widget.kind });
  }
  const missing = new Set<string>();
  const target = (name: string): string => {
    if (known.has(name)) return nodeId(name);
    if (!missing.has(name)) {
      missing.add(name);
      nodes.push({ id: missingId(name), lines: [name, "missing widget"], shape: "Missing" });
    }
    return missingId(name);
  };
  const edges: GraphEdge[] = [];
  if (flow.start !== undefined) edges.push({ from: START, to: target(flow.start.target.name), label: "" });
  const drawn = new Set<string>();
  for (const widget of flow.widgets) {
    if (drawn.has(widget.id.name)) continue;
    drawn.add(widget.id.name);
    for (const exit of exits(widget))
      edges.push({ from: nodeId(widget.id.name), to: target(exit.target), label: exit.label });
  }
  return { nodes, edges };
}

// ---------------------------------------------------------------- Mermaid

/**
 * Text inside a quoted Mermaid label. Mermaid's entity codes (`#quot;`, `#35;`) cover the
 * characters that would end the label or start an entity; `<` and `>` become entities so a
 * label never injects HTML; newlines become `<br/>`, other line and control characters entities.
 */
export function escapeMermaid(text: string): string {
  // Control characters and U+2028/U+2029 would end a line in Mermaid's lexer.
  return text.replace(/[#"<>&`|\\[\]{}\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]|\r\n|\r|\n/g, (ch) => {
    switch (ch) {
      case "#":
        return "#35;";
      case '"':
        return "#quot;";
      case "<":
        return "#lt;";
      case ">":
        return "#gt;";
      case "&":
        return "#amp;";
      default:
        return ch.startsWith("\n") || ch.startsWith("\r") ? "<br/>" : `#${ch.charCodeAt(0)};`;
    }
  });
}

const MERMAID_SHAPES: Readonly<Record<GraphNode["shape"], readonly [string, string]>> = {
  Start: ["((", "))"],
  HttpWidget: ["[[", "]]"],
  ConditionWidget: ["{", "}"],
  SetWidget: ["[", "]"],
  SendWidget: [">", "]"],
  RouteWidget: ["([", "])"],
  EndWidget: ["(((", ")))"],
  Missing: ["[/", "\\]"],
};

function mermaid(flow: Flow): string {
  const { nodes, edges } = buildGraph(flow);
  const out = ["flowchart TD"];
  for (const node of nodes) {
    const [open, close] = MERMAID_SHAPES[node.shape];
    out.push(`  ${node.id}${open}"${node.lines.map(escapeMermaid).join("<br/>")}"${close}`);
  }
  for (const edge of edges) {
    out.push(
      edge.label === ""
        ? `  ${edge.from} --> ${edge.to}`
        : `  ${edge.from} -->|"${escapeMermaid(edge.label)}"| ${edge.to}`,
    );
  }
  const missing = nodes.filter((n) => n.shape === "Missing");
  if (missing.length > 0) {
    out.push("  classDef missing stroke:#c00,stroke-dasharray:4 4");
    out.push(`  class ${missing.map((n) => n.id).join(",")} missing`);
  }
  return out.join("\n") + "\n";
}

// ---------------------------------------------------------------- DOT

/** A DOT double-quoted string: backslash and quote escaped, line breaks as `\n` (centered lines). */
export function quoteDot(text: string): string {
  return `"${text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, "\\n")}"`;
}

const DOT_SHAPES: Readonly<Record<GraphNode["shape"], string>> = {
  Start: 'shape=circle, style=filled, fillcolor="#333333", fontcolor=white',
  HttpWidget: "shape=component",
  ConditionWidget: "shape=diamond",
  SetWidget: "shape=box",
  SendWidget: "shape=note",
  RouteWidget: 'shape=box, style="rounded,bold"',
  EndWidget: "shape=doublecircle",
  Missing: "shape=box, style=dashed, color=red",
};

function dot(flow: Flow): string {
  const { nodes, edges } = buildGraph(flow);
  const out = [
    `digraph ${quoteDot(flow.id.name)} {`,
    `  label=${quoteDot(flow.displayName?.value ?? flow.id.name)};`,
    "  labelloc=t;",
    "  rankdir=TB;",
    '  node [fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const node of nodes)
    out.push(`  ${quoteDot(node.id)} [label=${quoteDot(node.lines.join("\n"))}, ${DOT_SHAPES[node.shape]}];`);
  for (const edge of edges) {
    out.push(
      `  ${quoteDot(edge.from)} -> ${quoteDot(edge.to)}${edge.label === "" ? "" : ` [label=${quoteDot(edge.label)}]`};`,
    );
  }
  out.push("}");
  return out.join("\n") + "\n";
}

/** The flow as a Mermaid flowchart or a Graphviz digraph, ending with a newline. */
export function graph(flow: Flow, format: GraphFormat = "mermaid"): string {
  return format === "dot" ? dot(flow) : mermaid(flow);
}
