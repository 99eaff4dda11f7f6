// Flow pictures as SVG and self-contained HTML, laid out in-process by Graphviz compiled to
// WebAssembly (@hpcc-js/wasm-graphviz, whose module carries the wasm inline): no system Graphviz,
// no network, and nothing fetched when the page is viewed.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { dotOf, MARK_STYLE, marksUsed, type FlowGraph } from "./graph.js";

let queue: Promise<unknown> = Promise.resolve();

/**
 * The graph laid out by Graphviz's `dot` engine, as an SVG document. Each layout gets a fresh
 * WebAssembly instance: Graphviz keeps state between layouts, and some sequences of graphs (labelled
 * self-loops among them) crash a reused instance. Layouts run one at a time, as the instance is shared.
 */
export async function renderSvg(graph: FlowGraph): Promise<string> {
  const dot = dotOf(graph);
  const layout = queue.then(async () => {
    Graphviz.unload();
    const graphviz = await Graphviz.load();
    try {
      return graphviz.dot(dot, "svg");
    } finally {
      Graphviz.unload();
    }
  });
  queue = layout.catch(() => undefined);
  return await layout;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The SVG without its XML prolog and doctype, to sit inside an HTML page. */
function inlineSvg(svg: string): string {
  const start = svg.indexOf("<svg");
  return start < 0 ? svg : svg.slice(start);
}

/** A legend of the marks a picture uses, as an HTML list styled like the picture. */
export function legendHtml(graph: FlowGraph): string {
  const marks = marksUsed(graph);
  if (marks.length === 0) return "";
  const items = marks.map((mark) => {
    const { stroke, fill, legend } = MARK_STYLE[mark];
    const border = mark === "removed" ? "dashed" : "solid";
    return `<li class="legend-${mark}"><span style="background:${fill};border:2px ${border} ${stroke}"></span>${escapeHtml(legend)}</li>`;
  });
  return `<ul class="legend" aria-label="Legend">${items.join("")}</ul>`;
}

const STYLE = `body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:32px}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.legend{list-style:none;padding:0;display:flex;gap:16px}.legend span{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px}
.picture svg{max-width:100%;height:auto}.note{color:#59636e;font-style:italic}`;

/** A complete HTML page around `body`: inline style only, nothing loaded from elsewhere. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
${STYLE}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A picture (its SVG and legend) as an HTML fragment. */
export async function pictureHtml(graph: FlowGraph, note = ""): Promise<string> {
  const svg = inlineSvg(await renderSvg(graph));
  return [
    legendHtml(graph),
    `<div class="picture">${svg.trimEnd()}</div>`,
    ...(note === "" ? [] : [`<p class="note">${escapeHtml(note)}</p>`]),
  ]
    .filter((part) => part !== "")
    .join("\n");
}
