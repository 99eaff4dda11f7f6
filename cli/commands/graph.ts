// `callflow graph FILE`: prints the flow as a Mermaid flowchart, a Graphviz digraph, or a picture
// (SVG, or an HTML page holding it) laid out in-process.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "../../grammar/parse.js";
import { hasErrors } from "../../grammar/diagnostics.js";
import { buildGraph, graph, type GraphFormat } from "../../review/graph.js";
import { formatReport } from "../report.js";
import { EXIT_FAILURE, EXIT_OK, type CommandIO } from "./io.js";

export interface GraphArgs {
  readonly file: string;
  readonly format: GraphFormat | "svg" | "html";
}

/** Exit 0 with the graph on stdout, 1 when the file has syntax errors (printed on stderr). */
export async function graphCommand(args: GraphArgs, io: CommandIO): Promise<number> {
  const source = await readFile(path.resolve(io.cwd, args.file), "utf8");
  const parsed = parse(source, args.file);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics)) {
    io.stderr(formatReport(parsed.diagnostics, new Map([[args.file, source]]), "pretty", io.color) + "\n");
    return EXIT_FAILURE;
  }
  // Semantic mistakes still draw: an exit to an unknown widget shows as a dashed "missing" node.
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
