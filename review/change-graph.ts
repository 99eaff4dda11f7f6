// A picture of a change: the new version of a flow drawn as `callflow graph` draws it, with the
// widgets and exits the differ reports marked, and removed ones drawn from the old version. Large
// flows are cut to the changed widgets and their neighbours. Works from the differ's changes alone,
// so the picture and the change list can never disagree.
import type { Flow, Widget } from "../grammar/ast.js";
import type { FlowChange } from "./diff.js";
import {
  buildGraph,
  missingId,
  nodeId,
  START,
  widgetExits,
  widgetLines,
  type FlowGraph,
  mermaidOf,
  type GraphEdge,
  type GraphNode,
  type Mark,
} from "./graph.js";

/** Flows with more widgets than this are cut to the changes and their neighbours unless told otherwise. */
export const WHOLE_FLOW_LIMIT = 20;

export interface ChangePicture {
  readonly graph: FlowGraph;
  /** Widgets left out of the picture because they are further than `context` exits from a change. */
  readonly omitted: number;
  /** The distance the picture was cut at, when it was cut. */
  readonly context?: number;
}

const removedId = (widgetId: string): string => `removed_${widgetId}`;

/** First widget per id, as the differ and the graph read a flow. */
function widgetsById(flow: Flow): Map<string, Widget> {
  const map = new Map<string, Widget>();
  for (const w of flow.widgets) if (!map.has(w.id.name)) map.set(w.id.name, w);
  return map;
}

/**
 * The picture of `changes` (as {@link diffFlows} gave them for `oldFlow` → `newFlow`), or undefined
 * when no widget, exit or start line changed. `context`: cut to the changed widgets and those within
 * that many exits of them; undefined cuts at 1 only flows of more than {@link WHOLE_FLOW_LIMIT} widgets.
 */
export function changeGraph(
  oldFlow: Flow,
  newFlow: Flow,
  changes: readonly FlowChange[],
  context?: number,
): ChangePicture | undefined {
  const base = buildGraph(newFlow);
  const nodeMarks = new Map<string, Mark>();
  const renamedFrom = new Map<string, string>();
  const edges: { -readonly [K in keyof GraphEdge]: GraphEdge[K] }[] = base.edges.map((e) => ({ ...e }));
  const extraNodes: GraphNode[] = [];
  const extraEdges: GraphEdge[] = [];

  const oldWidgets = widgetsById(oldFlow);
  const newIds = new Set(widgetsById(newFlow).keys());
  const removed = new Set(changes.flatMap((c) => (c.kind === "widget-removed" ? [c.widget] : [])));
  const renamed = new Map(changes.flatMap((c) => (c.kind === "widget-renamed" ? [[c.old, c.new] as const] : [])));
  const missing = new Set(base.nodes.filter((n) => n.shape === "Missing").map((n) => n.id));

  /** The node an old exit's target is drawn as: a removed widget, a kept one, or a missing one. */
  const oldTarget = (target: string): string => {
    if (removed.has(target)) return removedId(target);
    if (newIds.has(target)) return nodeId(target);
    const id = missingId(target);
    if (!missing.has(id)) {
      missing.add(id);
      extraNodes.push({ id, lines: [target, "missing widget"], shape: "Missing" });
    }
    return id;
  };
  const mark = (id: string, how: Mark): void => {
    // Added and renamed say more than changed; a widget is marked once.
    if (!nodeMarks.has(id) || (nodeMarks.get(id) === "changed" && how !== "changed")) nodeMarks.set(id, how);
  };
  /** The first unmarked edge of the new version that matches, marked. */
  const markEdge = (from: string, match: (e: GraphEdge) => boolean, how: Mark): void => {
    const edge = edges.find((e) => e.from === from && e.mark === undefined && match(e));
    if (edge !== undefined) edge.mark = how;
  };

  for (const change of changes) {
    switch (change.kind) {
      case "widget-added":
        mark(nodeId(change.widget), "added");
        for (const edge of edges) if (edge.from === nodeId(change.widget)) edge.mark = "added";
        break;
      case "widget-renamed":
        mark(nodeId(change.new), "renamed");
        renamedFrom.set(nodeId(change.new), change.old);
        break;
      case "widget-removed": {
        const widget = oldWidgets.get(change.widget);
        if (widget === undefined) break;
        extraNodes.push({
          id: removedId(change.widget),
          lines: widgetLines(widget),
          shape: widget.kind,
          mark: "removed",
        });
        for (const exit of widgetExits(widget)) {
          extraEdges.push({
            from: removedId(change.widget),
            to: oldTarget(renamed.get(exit.target) ?? exit.target),
            label: exit.label,
            exit: exit.exit,
            mark: "removed",
          });
        }
        break;
      }
      case "setting-changed": {
        mark(nodeId(change.widget), "changed");
        // An edited condition (`when #2`) changes its branch's label.
        const branch = /^when #(\d+)$/.exec(change.setting);
        if (branch !== null) markEdge(nodeId(change.widget), (e) => e.branch === Number(branch[1]) - 1, "changed");
        break;
      }
      case "exit-changed": {
        const from = nodeId(change.widget);
        mark(from, "changed");
        if (change.new !== undefined)
          markEdge(from, (e) => e.exit === change.exit, change.old === undefined ? "added" : "changed");
        if (change.old !== undefined)
          extraEdges.push({ from, to: oldTarget(change.old), label: change.exit, exit: change.exit, mark: "removed" });
        break;
      }
      case "start-changed":
        if (change.new !== undefined) markEdge(START, () => true, change.old === undefined ? "added" : "changed");
        if (change.old !== undefined)
          extraEdges.push({ from: START, to: oldTarget(change.old), label: "", exit: "start", mark: "removed" });
        break;
      case "flow-renamed":
      case "flow-name-changed":
      case "declaration-added":
      case "declaration-removed":
      case "declaration-changed":
      case "secret-added":
      case "secret-removed":
        // Not part of the drawing: the change list above the picture names them.
        break;
    }
  }

  const nodes: GraphNode[] = [
    ...base.nodes.map((n) => {
      const how = nodeMarks.get(n.id);
      if (how === undefined) return n;
      const was = renamedFrom.get(n.id);
      return { ...n, mark: how, lines: was === undefined ? n.lines : [...n.lines, `was ${was}`] };
    }),
    ...extraNodes,
  ];
  const all: GraphEdge[] = [...edges, ...extraEdges];
  if (!nodes.some((n) => n.mark !== undefined) && !all.some((e) => e.mark !== undefined)) return undefined;

  const widgets = nodes.filter((n) => n.shape !== "Start" && n.shape !== "Missing").length;
  const cut = context ?? (widgets > WHOLE_FLOW_LIMIT ? 1 : undefined);
  if (cut === undefined) return { graph: { ...base, nodes, edges: all }, omitted: 0 };
  return trim({ ...base, nodes, edges: all }, cut);
}

/** Keeps the marked nodes (and the ends of marked edges) and every node within `context` edges of them. */
function trim(graph: FlowGraph, context: number): ChangePicture {
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string): void => {
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
  };
  for (const e of graph.edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  let frontier = [
    ...graph.nodes.filter((n) => n.mark !== undefined).map((n) => n.id),
    ...graph.edges.filter((e) => e.mark !== undefined).flatMap((e) => [e.from, e.to]),
  ];
  const kept = new Set(frontier);
  for (let step = 0; step < context; step++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const other of neighbours.get(id) ?? []) {
        if (kept.has(other)) continue;
        kept.add(other);
        next.push(other);
      }
    }
    frontier = next;
  }
  const nodes = graph.nodes.filter((n) => kept.has(n.id));
  const isWidget = (n: GraphNode): boolean => n.shape !== "Start" && n.shape !== "Missing";
  return {
    graph: { ...graph, nodes, edges: graph.edges.filter((e) => kept.has(e.from) && kept.has(e.to)) },
    omitted: graph.nodes.filter(isWidget).length - nodes.filter(isWidget).length,
    context,
  };
}

/** How many widgets a cut picture leaves out, as a sentence; empty when it shows them all. */
export function omittedNote(picture: ChangePicture): string {
  if (picture.omitted === 0 || picture.context === undefined) return "";
  const widgets = picture.omitted === 1 ? "1 unchanged widget" : `${picture.omitted} unchanged widgets`;
  const exits = picture.context === 1 ? "1 exit" : `${picture.context} exits`;
  return `${widgets} further than ${exits} from a change ${picture.omitted === 1 ? "is" : "are"} not shown.`;
}

/** The picture as a fenced Mermaid block for Markdown, with the note on what was left out. */
export function pictureMarkdown(picture: ChangePicture): string {
  const note = omittedNote(picture);
  const block = ["```mermaid", mermaidOf(picture.graph).trimEnd(), "```"];
  return [...block, ...(note === "" ? [] : ["", `_${note} \`--context N\` shows more._`])].join("\n") + "\n";
}
