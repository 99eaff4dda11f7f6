// The status page (`GET /`): each served flow's diagram (review/'s Graphviz SVG) with every exit coloured by
// how often runs took it since the process started, the counts by outcome, and the last failed runs with their
// timelines. Everything shown comes from run records, whose traces are redacted. Counts live in this process
// only, like the metrics: each replica shows its own.
import type { HostedFlow, RunRecord } from "../host/host.js";
import { buildGraph, nodeId, START, type FlowGraph } from "../review/graph.js";
import { escapeHtml, htmlPage, renderSvg } from "../review/svg.js";
import type { TraceEvent } from "../runtime/index.js";

/** Failed runs kept per flow for the page. */
const FAILURES_KEPT = 5;
const OUTCOMES = ["end", "route", "failed", "deadline", "drained"] as const;

interface FlowStats {
  runs: number;
  readonly outcomes: Map<string, number>;
  /** By edge key (edgeKey). */
  readonly exits: Map<string, number>;
  readonly failures: RunRecord[];
}

/** An edge as both the graph and a trace name it: from, exit (branches as `when`), to. */
function edgeKey(from: string, exit: string, to: string): string {
  return `${from}\u0000${exit.startsWith("when") ? "when" : exit}\u0000${to}`;
}

export class RunStats {
  readonly #flows = new Map<string, FlowStats>();

  #of(flow: string): FlowStats {
    let stats = this.#flows.get(flow);
    if (stats === undefined) {
      stats = { runs: 0, outcomes: new Map(), exits: new Map(), failures: [] };
      this.#flows.set(flow, stats);
    }
    return stats;
  }

  record(record: RunRecord): void {
    const stats = this.#of(record.flow);
    stats.runs++;
    stats.outcomes.set(record.outcome, (stats.outcomes.get(record.outcome) ?? 0) + 1);
    let first: string | undefined;
    for (const event of record.trace) {
      if (event.type === "step.start" && first === undefined) first = event.widget;
      if (event.type !== "step.end" || event.exit === undefined || event.next === undefined) continue;
      const key = edgeKey(nodeId(event.widget), event.exit, nodeId(event.next));
      stats.exits.set(key, (stats.exits.get(key) ?? 0) + 1);
    }
    if (first !== undefined) {
      const key = edgeKey(START, "start", nodeId(first));
      stats.exits.set(key, (stats.exits.get(key) ?? 0) + 1);
    }
    if (record.outcome !== "end" && record.outcome !== "route") {
      stats.failures.unshift(record);
      stats.failures.length = Math.min(stats.failures.length, FAILURES_KEPT);
    }
  }

  /** The page for `flows`, as of now. */
  async page(flows: readonly HostedFlow[]): Promise<string> {
    const sections: string[] = [];
    for (const flow of [...flows].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const stats = this.#flows.get(flow.id) ?? { runs: 0, outcomes: new Map(), exits: new Map(), failures: [] };
      sections.push(await flowSection(flow, stats));
    }
    const body = [
      "<h1>callflow serve</h1>",
      `<p class="note">Runs since this process started at ${escapeHtml(STARTED)}. Exits are coloured by how often runs took them.</p>`,
      ...sections,
    ].join("\n");
    return htmlPage("callflow serve: status", `<style>${STYLE}</style>\n${body}`);
  }
}

const STARTED = new Date().toISOString();
const STYLE = `table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #d0d7de;padding:2px 8px;text-align:left}
.counts td{text-align:right}.timeline{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}.error{color:#cf222e}`;

/** Light to dark blue by share of the busiest exit; never taken is grey and dashed. */
function edgeStyle(count: number, busiest: number): { color: string; width: number; dashed: boolean } {
  if (count === 0) return { color: "#8c959f", width: 1, dashed: true };
  const share = count / busiest;
  const light = [158, 202, 225];
  const dark = [8, 81, 156];
  const mix = light.map((l, i) => Math.round(l + (dark[i]! - l) * share));
  return { color: `#${mix.map((c) => c.toString(16).padStart(2, "0")).join("")}`, width: 1 + 3 * share, dashed: false };
}

/**
 * The SVG with each edge drawn in its style. Graphviz numbers edges `edge1`, `edge2` ... in the order the DOT
 * text declares them, which is the graph's edge order.
 */
function colourEdges(svg: string, graph: FlowGraph, counts: readonly number[]): string {
  const busiest = Math.max(1, ...counts);
  return svg.replace(/<g id="edge(\d+)" class="edge">([\s\S]*?)<\/g>/g, (whole, index: string, inner: string) => {
    const i = Number(index) - 1;
    if (i < 0 || i >= graph.edges.length) return whole;
    const { color, width, dashed } = edgeStyle(counts[i]!, busiest);
    const styled = inner
      .replace(
        /stroke="black"/g,
        `stroke="${color}" stroke-width="${width.toFixed(1)}"${dashed ? ' stroke-dasharray="4,3"' : ""}`,
      )
      .replace(/fill="black"/g, `fill="${color}"`);
    return `<g id="edge${index}" class="edge" data-count="${counts[i]}">${styled}</g>`;
  });
}

async function flowSection(flow: HostedFlow, stats: FlowStats): Promise<string> {
  const base = buildGraph(flow.loaded.ast);
  const counts = base.edges.map((edge) => stats.exits.get(edgeKey(edge.from, edge.exit, edge.to)) ?? 0);
  // Each exit's label says how many runs took it.
  const graph: FlowGraph = {
    ...base,
    edges: base.edges.map((edge, i) => ({
      ...edge,
      label: `${edge.label}${edge.label === "" ? "" : " "}×${counts[i]}`,
    })),
  };
  const svg = colourEdges(await renderSvg(graph), graph, counts);
  const start = svg.indexOf("<svg");
  const outcomes = OUTCOMES.map(
    (outcome) => `<tr><th>${outcome}</th><td data-outcome="${outcome}">${stats.outcomes.get(outcome) ?? 0}</td></tr>`,
  ).join("");
  const failures =
    stats.failures.length === 0
      ? "<p>No failed runs.</p>"
      : stats.failures.map((record) => failureHtml(record)).join("\n");
  return `<section id="flow-${escapeHtml(flow.id)}" data-flow="${escapeHtml(flow.id)}">
<h2>${escapeHtml(base.title)} <code>${escapeHtml(flow.id)}</code> <small>${escapeHtml(flow.file)}</small></h2>
<table class="counts"><tr><th>runs</th><td data-outcome="all">${stats.runs}</td></tr>${outcomes}</table>
<div class="picture">${(start < 0 ? svg : svg.slice(start)).trimEnd()}</div>
<h3>Last failed runs</h3>
${failures}
</section>`;
}

function failureHtml(record: RunRecord): string {
  const rows = record.trace.flatMap((event) => timelineRow(event));
  return `<details class="failure" open><summary class="error">${escapeHtml(record.outcome)} at ${escapeHtml(record.widget)}: ${escapeHtml(
    record.error === undefined ? "" : `${record.error.code}: ${record.error.message}`,
  )} (${Math.round(record.durationMs)} ms)</summary>
<table class="timeline">${rows.join("")}</table></details>`;
}

/** One line of a failed run's timeline: steps and attempts, as the trace (already redacted) tells them. */
function timelineRow(event: TraceEvent): string[] {
  const row = (...cells: string[]): string => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
  switch (event.type) {
    case "step.end":
      return [
        row(
          `${event.step}. ${event.widget}`,
          event.kind,
          event.exit === undefined ? "" : `${event.exit} → ${event.next ?? ""}`,
          `${event.durationMs} ms`,
          event.error === undefined ? "" : `${event.error.code}: ${event.error.message}`,
        ),
      ];
    case "http.attempt.end":
      return [
        row(
          "",
          `attempt ${event.attempt}`,
          `${event.method} ${event.url}`,
          `${event.durationMs} ms`,
          event.status !== undefined ? String(event.status) : (event.error?.code ?? ""),
        ),
      ];
    case "run.start":
    case "step.start":
    case "http.attempt.start":
    case "http.redirect":
    case "run.end":
      return [];
  }
}
