// `callflow graph FILE`: prints the flow as a Mermaid flowchart, a Graphviz digraph, or a picture
// (SVG, or an HTML page holding it) laid out in-process.
import { parse } from "../../grammar/parse.js";
import { hasErrors } from "../../grammar/diagnostics.js";
import { buildGraph, dotOf, mermaidOf, nodeId, type FlowGraph, type GraphFormat } from "../../review/graph.js";
import { flowBudget, formatDuration } from "../../compiler/time-budget.js";
import type { Flow } from "../../grammar/ast.js";
import { duplicateWidgetIds } from "../../compiler/validate.js";
import { readSource } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface GraphArgs {
  readonly file: string;
  readonly format: GraphFormat | "svg" | "html";
  /** `time`: each widget's worst case (docs/time-budgets.md). */
  readonly annotate?: "time";
}

/**
 * Adds a line to each widget reachable from start: `by 45 s`, the worst time from start until it is
 * left, and for an http widget its own worst case first (`≤ 35 s, by 45 s`). The figures are the
 * compiler's, so they are added here rather than in review/, which builds on grammar/ alone.
 */
function annotateTime(drawn: FlowGraph, flow: Flow): FlowGraph {
  const budget = flowBudget(flow);
  const lines = new Map<string, string>();
  for (const [name, figures] of budget.byWidget) {
    const by = `by ${formatDuration(figures.reachMs + (figures.cost?.worstMs ?? 0))}`;
    lines.set(nodeId(name), figures.cost === undefined ? by : `≤ ${formatDuration(figures.cost.worstMs)}, ${by}`);
  }
  return {
    ...drawn,
    nodes: drawn.nodes.map((node) => {
      const line = lines.get(node.id);
      return line === undefined ? node : { ...node, lines: [...node.lines, line] };
    }),
  };
}

/** Exit 0 with the graph on stdout, 1 when the file has syntax errors (printed on stderr). */
export async function graphCommand(args: GraphArgs, io: CommandIO): Promise<number> {
  const read = await readSource(io.cwd, args.file);
  if ("invalid" in read) {
    io.stderr(formatReport([read.invalid], new Map(), "pretty", io.color) + "\n");
    return EXIT_FAILURE;
  }
  const source = read.text;
  const parsed = parse(source, args.file);
  // Semantic mistakes still draw (an exit to an unknown widget is a dashed "missing" node), except
  // two widgets with one id: no drawing can say which one an exit means.
  const duplicates = parsed.flow === undefined ? [] : duplicateWidgetIds(parsed.flow);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics) || duplicates.length > 0) {
    const report = [...parsed.diagnostics, ...duplicates];
    io.stderr(formatReport(report, new Map([[args.file, source]]), "pretty", io.color) + "\n");
    return EXIT_FAILURE;
  }
  const flow = parsed.flow;
  const drawn = args.annotate === "time" ? annotateTime(buildGraph(flow), flow) : buildGraph(flow);
  if (args.format === "mermaid" || args.format === "dot") {
    io.stdout(args.format === "dot" ? dotOf(drawn) : mermaidOf(drawn));
    return EXIT_OK;
  }
  // Loaded only here: the WebAssembly Graphviz module is large, and Mermaid and DOT never need it.
  const { escapeHtml, htmlPage, pictureHtml, renderSvg } = await import("../../review/svg.js");
  if (args.format === "svg") {
    io.stdout(await renderSvg(drawn));
  } else {
    const title = flow.displayName?.value ?? flow.id.name;
    io.stdout(htmlPage(title, `<h1>${escapeHtml(title)}</h1>\n${await pictureHtml(drawn)}`));
  }
  return EXIT_OK;
}
