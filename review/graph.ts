// `callflow graph`: draws a flow as Mermaid (rendered inline by code-review sites) or
// Graphviz DOT. Output depends only on the AST, in source order, so it is deterministic.
// The same drawing, with widgets and exits marked, pictures a change (review/change-graph.ts).
import type { Flow, Widget, WidgetKind } from "../grammar/ast.js";
import { branchesOf, exitName, exitsOf, specOf } from "../grammar/widgets.js";
import { printExpr } from "../grammar/printer.js";

export type GraphFormat = "mermaid" | "dot";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["mermaid", "dot"];

/** How a node or edge took part in a change; unmarked ones are as they were. */
export type Mark = "added" | "removed" | "changed" | "renamed";
export const MARKS: readonly Mark[] = ["added", "removed", "changed", "renamed"];

export interface GraphNode {
  readonly id: string;
  /** Lines of the label: display name (or id), then kind and id. */
  readonly lines: readonly string[];
  readonly shape: WidgetKind | "Start" | "Missing";
  readonly mark?: Mark;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
  /** The exit as the differ names it: `success`, `when <condition>`, ...; `start` for the start line. */
  readonly exit: string;
  /** Index of a `when` branch among its widget's branches. */
  readonly branch?: number;
  readonly mark?: Mark;
}

export interface FlowGraph {
  /** The flow's id and its display name (or id again). */
  readonly name: string;
  readonly title: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

// Node ids are prefixed so that no widget id can collide with the start marker or with
// Mermaid's own words (`end`, or `o`/`x` right after an arrow).
export const nodeId = (widgetId: string): string => `w_${widgetId}`;
export const missingId = (widgetId: string): string => `missing_${widgetId}`;
export const START = "start";

export function widgetLines(widget: Widget): string[] {
  const kind = specOf(widget).keyword;
  return widget.displayName === undefined
    ? [widget.id.name, kind]
    : [widget.displayName.value, `${kind} ${widget.id.name}`];
}

export interface WidgetExit {
  readonly label: string;
  /** As the differ names it: `when <condition>` for a branch, else the label. */
  readonly exit: string;
  readonly branch?: number;
  readonly target: string;
}

/** Exits of a widget in canonical order, each with its edge label: `when` branches, then the description's exits. */
export function widgetExits(widget: Widget): WidgetExit[] {
  // Branches are tried in order; number them when the order matters.
  const branches = branchesOf(widget);
  const numbered = branches.length > 1;
  return [
    ...branches.map((b, i) => ({
      label: `${numbered ? `${i + 1}. ` : ""}when ${printExpr(b.condition)}`,
      exit: `when ${printExpr(b.condition)}`,
      branch: i,
      target: b.target.name,
    })),
    ...exitsOf(widget).map((e) => ({ label: exitName(e), exit: exitName(e), target: e.target.name })),
  ];
}

/** The flow's nodes and edges, unmarked, in source order. */
export function buildGraph(flow: Flow): FlowGraph {
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
  if (flow.start !== undefined)
    edges.push({ from: START, to: target(flow.start.target.name), label: "", exit: "start" });
  const drawn = new Set<string>();
  for (const widget of flow.widgets) {
    if (drawn.has(widget.id.name)) continue;
    drawn.add(widget.id.name);
    for (const exit of widgetExits(widget)) {
      edges.push({
        from: nodeId(widget.id.name),
        to: target(exit.target),
        label: exit.label,
        exit: exit.exit,
        ...(exit.branch === undefined ? {} : { branch: exit.branch }),
      });
    }
  }
  return { name: flow.id.name, title: flow.displayName?.value ?? flow.id.name, nodes, edges };
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

/** Colors of each mark: GitHub's diff colors; marked nodes keep dark text, so they read on dark pages too. */
export const MARK_STYLE: Readonly<
  Record<Mark, { readonly stroke: string; readonly fill: string; readonly legend: string }>
> = {
  added: { stroke: "#1a7f37", fill: "#dafbe1", legend: "added" },
  removed: { stroke: "#cf222e", fill: "#ffebe9", legend: "removed" },
  changed: { stroke: "#9a6700", fill: "#fff8c5", legend: "changed" },
  renamed: { stroke: "#0969da", fill: "#ddf4ff", legend: "renamed" },
};

/**
 * The one font of every picture and page. Graphviz sizes boxes with Helvetica's metrics, which Arial
 * and Liberation Sans share, so text fits its box wherever the picture is viewed.
 */
export const FONT = "Helvetica, Arial, sans-serif";

const DASH = "stroke-dasharray:5 5";
/** Text on a marked node's light fill, whatever the page's theme. */
const TEXT = "#1f2328";

/** The marks a graph uses, in {@link MARKS} order. */
export function marksUsed(graph: FlowGraph): Mark[] {
  const used = new Set<Mark | undefined>([...graph.nodes.map((n) => n.mark), ...graph.edges.map((e) => e.mark)]);
  return MARKS.filter((m) => used.has(m));
}

/** A Mermaid flowchart; marked nodes get a `classDef` class, marked edges a `linkStyle`, and a legend follows. */
export function mermaidOf(graph: FlowGraph): string {
  const { nodes, edges } = graph;
  // Front matter is Mermaid's documented place for settings; the font is the one of the SVG and HTML.
  const out = ["---", "config:", `  fontFamily: ${JSON.stringify(FONT)}`, "---", "flowchart TD"];
  for (const node of nodes) {
    const [open, close] = MERMAID_SHAPES[node.shape];
    out.push(`  ${node.id}${open}"${node.lines.map(escapeMermaid).join("<br/>")}"${close}`);
  }
  for (const edge of edges) {
    // A removed exit is drawn dotted, so it reads as gone even where colors do not show.
    const arrow = edge.mark === "removed" ? "-.->" : "-->";
    out.push(
      edge.label === ""
        ? `  ${edge.from} ${arrow} ${edge.to}`
        : `  ${edge.from} ${arrow}|"${escapeMermaid(edge.label)}"| ${edge.to}`,
    );
  }
  const missing = nodes.filter((n) => n.shape === "Missing");
  if (missing.length > 0) {
    out.push("  classDef missing stroke:#c00,stroke-dasharray:4 4");
    out.push(`  class ${missing.map((n) => n.id).join(",")} missing`);
  }
  const marks = marksUsed(graph);
  if (marks.length === 0) return out.join("\n") + "\n";
  out.push('  subgraph legend["Legend"]', "    direction LR");
  for (const mark of marks) out.push(`    legend_${mark}["${MARK_STYLE[mark].legend}"]`);
  // Unlinked nodes stack; invisible links make one row. They come after every exit, so exits keep their linkStyle numbers.
  if (marks.length > 1) out.push(`    ${marks.map((m) => `legend_${m}`).join(" ~~~ ")}`);
  out.push("  end");
  for (const mark of marks) {
    const { stroke, fill } = MARK_STYLE[mark];
    out.push(
      `  classDef ${mark} fill:${fill},stroke:${stroke},stroke-width:2px,color:${TEXT}${mark === "removed" ? `,${DASH}` : ""}`,
    );
    const ids = [...nodes.filter((n) => n.mark === mark).map((n) => n.id), `legend_${mark}`];
    out.push(`  class ${ids.join(",")} ${mark}`);
  }
  for (const mark of marks) {
    const indexes = edges.flatMap((e, i) => (e.mark === mark ? [i] : []));
    if (indexes.length === 0) continue;
    const { stroke } = MARK_STYLE[mark];
    out.push(
      `  linkStyle ${indexes.join(",")} stroke:${stroke},stroke-width:2.5px${mark === "removed" ? `,${DASH}` : ""}`,
    );
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

/** Each shape's attributes, in print order; a mark adds its styles to the shape's own. */
const DOT_SHAPES: Readonly<Record<GraphNode["shape"], readonly (readonly [string, string])[]>> = {
  Start: [
    ["shape", "circle"],
    ["style", "filled"],
    ["fillcolor", '"#333333"'],
    ["fontcolor", "white"],
  ],
  HttpWidget: [["shape", "component"]],
  ConditionWidget: [["shape", "diamond"]],
  SetWidget: [["shape", "box"]],
  SendWidget: [["shape", "note"]],
  RouteWidget: [
    ["shape", "box"],
    ["style", '"rounded,bold"'],
  ],
  EndWidget: [["shape", "doublecircle"]],
  Missing: [
    ["shape", "box"],
    ["style", "dashed"],
    ["color", "red"],
  ],
};

function dotNode(node: GraphNode): string {
  const shape = DOT_SHAPES[node.shape];
  let attributes = [["label", quoteDot(node.lines.join("\n"))], ...shape];
  if (node.mark !== undefined) {
    const { stroke, fill } = MARK_STYLE[node.mark];
    // The mark's styles join the shape's own (a route stays rounded): one quoted list in place of the shape's.
    const own =
      shape
        .find(([key]) => key === "style")?.[1]
        .replace(/"/g, "")
        .split(",") ?? [];
    const style = [...own, "filled", ...(node.mark === "removed" ? ["dashed"] : [])];
    attributes = [
      ...attributes.filter(([key]) => key !== "style"),
      ["style", `"${style.join(",")}"`],
      ["color", `"${stroke}"`],
      ["fillcolor", `"${fill}"`],
      ["penwidth", "2"],
      ["class", `"${node.mark}"`],
    ];
  }
  return `  ${quoteDot(node.id)} [${attributes.map(([key, value]) => `${key}=${value}`).join(", ")}];`;
}

/**
 * An edge label as a Graphviz HTML-like label: a borderless cell whose padding Graphviz reserves
 * around the text, so no edge, its own included, runs over the label and no two labels touch.
 */
export function paddedDotLabel(text: string): string {
  const escaped = text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\r\n|\r|\n/g, "<br/>");
  return `<<table border="0" cellborder="0" cellpadding="4" cellspacing="0"><tr><td>${escaped}</td></tr></table>>`;
}

function dotEdge(edge: GraphEdge): string {
  const attributes = edge.label === "" ? [] : [`label=${paddedDotLabel(edge.label)}`];
  if (edge.mark !== undefined) {
    const { stroke } = MARK_STYLE[edge.mark];
    attributes.push(`color="${stroke}"`, `fontcolor="${stroke}"`, "penwidth=2", `class="${edge.mark}"`);
    if (edge.mark === "removed") attributes.push("style=dashed");
  }
  return `  ${quoteDot(edge.from)} -> ${quoteDot(edge.to)}${attributes.length === 0 ? "" : ` [${attributes.join(", ")}]`};`;
}

/** A Graphviz digraph; marked nodes and edges carry their mark's colors and a `class` that SVG output keeps. */
export function dotOf(graph: FlowGraph): string {
  const out = [
    `digraph ${quoteDot(graph.name)} {`,
    `  label=${quoteDot(graph.title)};`,
    "  labelloc=t;",
    "  rankdir=TB;",
    // Exits leave each widget left to right in source order: a condition's branches in the order they are tried.
    "  ordering=out;",
    // Helvetica's metrics size the boxes; pages show every text in FONT, which shares them.
    '  fontname="Helvetica";',
    '  node [fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const node of graph.nodes) out.push(dotNode(node));
  for (const edge of graph.edges) out.push(dotEdge(edge));
  out.push("}");
  return out.join("\n") + "\n";
}

/** The flow as a Mermaid flowchart or a Graphviz digraph, ending with a newline. */
export function graph(flow: Flow, format: GraphFormat = "mermaid"): string {
  const drawn = buildGraph(flow);
  return format === "dot" ? dotOf(drawn) : mermaidOf(drawn);
}
