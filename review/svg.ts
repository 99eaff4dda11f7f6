// Flow pictures as SVG and self-contained HTML, laid out in-process by Graphviz compiled to
// WebAssembly (@hpcc-js/wasm-graphviz, whose module carries the wasm inline): no system Graphviz,
// no network, and nothing fetched when the page is viewed.
import { Graphviz } from "@hpcc-js/wasm-graphviz";
import { dotOf, FONT, MARK_STYLE, marksUsed, START, type FlowGraph } from "./graph.js";

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

/** Zoom levels of the HTML picture, in percent of Graphviz's own size; "fit" shows it whole. */
export const ZOOMS = ["fit", 50, 75, 100, 150, 200] as const;
const DEFAULT_ZOOM = 100;

// Zoom is radio buttons and CSS alone: each checked level sets the picture's scale, and the frame
// scrolls (pans) when the picture is larger. No script, so the page works where scripts are blocked.
const ZOOM_STYLE = ZOOMS.map((zoom) =>
  zoom === "fit"
    ? ".zoom-fit:checked~.picture svg{width:100%;height:auto;max-height:calc(80vh - 2px)}"
    : `.zoom-${zoom}:checked~.picture{--zoom:${zoom / 100}}`,
).join("\n");

const STYLE = `body{font:14px/1.5 ${FONT};margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:32px}code{font-family:inherit;font-weight:600;background:#f6f8fa;padding:1px 4px;border-radius:4px}
.legend{list-style:none;padding:0;display:flex;gap:16px}.legend span{display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:-2px}
.viewer{position:relative}.zoom{position:absolute;opacity:0;pointer-events:none}
.zoom+label{display:inline-block;padding:2px 10px;margin:0 4px 6px 0;border:1px solid #d1d9e0;border-radius:6px;cursor:pointer;user-select:none}
.zoom:checked+label{background:#1f2328;border-color:#1f2328;color:#fff}.zoom:focus-visible+label{outline:2px solid #0969da}
.picture{position:relative;overflow:auto;max-height:80vh;border:1px solid #d1d9e0;border-radius:6px}
.start-mark{position:absolute;top:0;width:1px;height:1px;scroll-initial-target:nearest;scroll-snap-align:start center}.zoom-fit:checked~.picture .start-mark{display:none}
.picture svg{display:block;width:calc(var(--width)*var(--zoom,1));height:calc(var(--height)*var(--zoom,1))}
.picture text{font-family:${FONT}}
${ZOOM_STYLE}
.note{color:#59636e;font-style:italic}`;

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

/** How far across the picture the start marker stands, in points, when it is drawn. */
function startAcross(svg: string): number | undefined {
  const shift = /<g id="graph0" class="graph" transform="[^"]*translate\(([\d.-]+) /.exec(svg)?.[1];
  const start = new RegExp(`<title>${START}</title>\n<ellipse [^>]*cx="([\\d.-]+)"`).exec(svg)?.[1];
  return shift === undefined || start === undefined ? undefined : Number(shift) + Number(start);
}

/**
 * A picture (its legend, zoom buttons and SVG) as an HTML fragment. `key` names the picture's zoom
 * buttons apart from those of other pictures on the page. The picture opens at Graphviz's own size
 * (14pt text), never shrunk to the page: a large flow scrolls inside its frame instead.
 */
export async function pictureHtml(graph: FlowGraph, note = "", key = "picture"): Promise<string> {
  const svg = inlineSvg(await renderSvg(graph));
  // Graphviz sizes its SVG in points; the CSS scales that size by the chosen zoom.
  const size = /^<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg);
  const style = size === null ? "" : ` style="--width:${size[1]}pt;--height:${size[2]}pt"`;
  const zooms = ZOOMS.map((zoom) => {
    const id = `${key}-zoom-${zoom}`;
    const checked = zoom === DEFAULT_ZOOM ? " checked" : "";
    const label = zoom === "fit" ? "Fit" : `${zoom}%`;
    return `<input type="radio" class="zoom zoom-${zoom}" name="${key}-zoom" id="${id}"${checked}><label for="${id}">${label}</label>`;
  });
  // A wide flow opens with its start in view, where the browser supports an initial scroll target.
  const across = startAcross(svg);
  const mark =
    across === undefined ? "" : `<span class="start-mark" style="left:calc(${across}pt*var(--zoom,1))"></span>`;
  return [
    legendHtml(graph),
    `<div class="viewer">`,
    ...zooms,
    `<div class="picture"${style}>${mark}${svg.trimEnd()}</div>`,
    `</div>`,
    ...(note === "" ? [] : [`<p class="note">${escapeHtml(note)}</p>`]),
  ]
    .filter((part) => part !== "")
    .join("\n");
}
