// `callflow graph FILE`: prints the flow as a Mermaid flowchart, a Graphviz digraph, or a picture
// (SVG, or an HTML page holding it) laid out in-process.
import { parse } from "../../grammar/parse.js";
import { hasErrors } from "../../grammar/diagnostics.js";
import { buildGraph, graph, type GraphFormat } from "../../review/graph.js";
import { duplicateWidgetIds } from "../../compiler/validate.js";
import { readSource } from "../files.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface GraphArgs {
  readonly file: string;
  readonly format: GraphFormat | "svg" | "html";
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
  if (args.format === "mermaid" || args.format === "dot") {
    io.stdout(graph(flow, args.format));
    return EXIT_OK;
  }
  // Loaded only here: the WebAssembly Graphviz module is large, and Mermaid and DOT never need it.
  const { escapeHtml, htmlPage, pictureHtml, renderSvg } = await import("../../review/svg.js");
  if (args.format === "svg") {
    io.stdout(await renderSvg(buildGraph(flow)));
  } else {
    const title = flow.displayName?.value ?? flow.id.name;
    io.stdout(htmlPage(title, `<h1>${escapeHtml(title)}</h1>\n${await pictureHtml(buildGraph(flow))}`));
  }
  return EXIT_OK;
}
