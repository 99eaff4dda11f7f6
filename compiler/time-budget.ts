// Time budgets: how long a caller can wait on each path from `start` to an end. Each http widget
// costs its attempts × its timeout plus the longest wait before each retry, as the runtime applies
// them (the contract's RETRY_WAITS and HTTP_STEP); other widgets cost nothing here. A loop that makes
// requests has no bound. Pure functions over a parsed flow, shared by the checker's deadline warnings
// (`callflow check --deadline`), the language server's hover, `graph --annotate time` and `diff`
// (docs/time-budgets.md).
import type { Flow, Identifier, Widget } from "../grammar/ast.js";
import { diagnostic, type Diagnostic, type RelatedLocation } from "../grammar/diagnostics.js";
import { forEachExit } from "../grammar/widgets.js";
import { HTTP_STEP, RETRY_WAITS, longestRetryWaitMs, type RetryWaits } from "../runtime/contract.js";

/** The run options a worst case depends on: the retry waits and the timeout of a widget without one. */
export interface BudgetLimits extends RetryWaits {
  readonly timeoutMs: number;
}

/** The runtime's defaults, which `run()`, `callflow serve` and the Lambda handlers use. */
export const DEFAULT_BUDGET_LIMITS: BudgetLimits = { ...RETRY_WAITS, timeoutMs: HTTP_STEP.timeoutMs.default };

/** The deadlines of the platforms a flow answers (docs/time-budgets.md cites where each is documented). */
export const PLATFORM_DEADLINES = {
  twilio: { ms: 10_000, why: "Twilio Studio's HTTP widget waits 10 s" },
  connect: { ms: 8_000, why: "Amazon Connect lets a Lambda function run up to 8 s" },
} as const satisfies Readonly<Record<string, { readonly ms: number; readonly why: string }>>;

export type Platform = keyof typeof PLATFORM_DEADLINES;

/** A deadline to check paths against, and where it came from (for the message). */
export interface Deadline {
  readonly ms: number;
  readonly source: string;
}

/** What one http widget can cost. */
export interface WidgetCost {
  readonly attempts: number;
  readonly timeoutMs: number;
  /** The longest wait before each retry, in order. */
  readonly waitsMs: readonly number[];
  /** attempts × timeoutMs + the waits. */
  readonly worstMs: number;
}

/** The worst case of an http widget; undefined for other kinds, which wait on nothing of ours. */
export function widgetCost(widget: Widget, limits: BudgetLimits = DEFAULT_BUDGET_LIMITS): WidgetCost | undefined {
  if (widget.kind !== "HttpWidget") return undefined;
  // The language's `retry N` is the contract's retry N; leaving it out is the contract's default. A count
  // outside the contract is the checker's error (CF2013); it is read within the bounds so a figure can still be drawn.
  const retry = widget.settings.retry?.value.value ?? HTTP_STEP.retry.default;
  const attempts = Math.min(Math.max(Math.trunc(retry), HTTP_STEP.retry.min), HTTP_STEP.retry.max) + 1;
  const timeoutMs = widget.settings.timeout?.value.ms ?? limits.timeoutMs;
  const waitsMs = Array.from({ length: attempts - 1 }, (_, i) => longestRetryWaitMs(i + 1, limits));
  return { attempts, timeoutMs, waitsMs, worstMs: attempts * timeoutMs + waitsMs.reduce((a, b) => a + b, 0) };
}

/** A widget's figures: the worst time before it starts, and the worst case of a whole path through it. */
export interface WidgetBudget {
  /** Infinity when a loop that makes requests can come first. */
  readonly reachMs: number;
  /** The worst path from start through this widget to an end; Infinity through such a loop. */
  readonly throughMs: number;
  readonly cost: WidgetCost | undefined;
}

/** A flow's graph with its figures, computed once and read by the functions below. */
export interface FlowBudget {
  readonly widgets: readonly Widget[];
  /** Widgets reachable from start, by name. */
  readonly byWidget: ReadonlyMap<string, WidgetBudget>;
  /** The worst case of the whole flow: its slowest path. */
  readonly worstMs: number;
  readonly limits: BudgetLimits;
  /** Internal to this module: the graph the paths are walked on. */
  readonly graph: Graph;
}

interface Graph {
  readonly start: number | undefined;
  readonly next: readonly (readonly number[])[];
  readonly costMs: readonly number[];
  /** Per widget: its strongly connected component. */
  readonly component: readonly number[];
  /** Per component: whether it is a loop with an http widget in it. */
  readonly requestLoop: readonly boolean[];
  /** Per widget: the worst time from its start to an end (its own cost included). */
  readonly tailMs: readonly number[];
}

/** The figures of every widget reachable from start. */
export function flowBudget(flow: Flow, limits: BudgetLimits = DEFAULT_BUDGET_LIMITS): FlowBudget {
  const widgets = flow.widgets;
  const index = new Map<string, number>();
  widgets.forEach((w, i) => {
    if (!index.has(w.id.name)) index.set(w.id.name, i);
  });
  const next = widgets.map((w) => {
    const targets: number[] = [];
    forEachExit(w, (_label, target) => {
      const to = index.get(target.name);
      if (to !== undefined && !targets.includes(to)) targets.push(to);
    });
    return targets;
  });
  const costMs = widgets.map((w) => widgetCost(w, limits)?.worstMs ?? 0);
  const components = stronglyConnected(next);
  const component: number[] = Array.from({ length: widgets.length }, () => 0);
  components.forEach((members, c) => members.forEach((v) => (component[v] = c)));
  const requestLoop = components.map(
    (members) =>
      (members.length > 1 || next[members[0]!]!.includes(members[0]!)) &&
      members.some((v) => widgets[v]!.kind === "HttpWidget"),
  );

  // Components come sinks first: the worst time to an end, then (in reverse) the worst time to reach.
  const tailOf: number[] = components.map(() => 0);
  components.forEach((members, c) => {
    let after = 0;
    let own = 0;
    for (const v of members) {
      own += costMs[v]!;
      for (const to of next[v]!) if (component[to] !== c) after = Math.max(after, tailOf[component[to]!]!);
    }
    tailOf[c] = requestLoop[c] ? Infinity : own + after;
  });
  const tailMs = widgets.map((_, v) => tailOf[component[v]!]!);

  const start = flow.start === undefined ? undefined : index.get(flow.start.target.name);
  const reachOf: number[] = components.map(() => -1);
  if (start !== undefined) reachOf[component[start]!] = 0;
  for (let c = components.length - 1; c >= 0; c--) {
    const reach = reachOf[c]!;
    if (reach < 0) continue;
    const members = components[c]!;
    const leave = requestLoop[c] ? Infinity : reach + members.reduce((sum, v) => sum + costMs[v]!, 0);
    for (const v of members)
      for (const to of next[v]!)
        if (component[to] !== c) reachOf[component[to]!] = Math.max(reachOf[component[to]!]!, leave);
  }
  const byWidget = new Map<string, WidgetBudget>();
  let worstMs = 0;
  widgets.forEach((w, v) => {
    const reached = reachOf[component[v]!]!;
    if (reached < 0 || index.get(w.id.name) !== v) return;
    const reachMs = requestLoop[component[v]!] ? Infinity : reached;
    const throughMs = reachMs + tailMs[v]!;
    worstMs = Math.max(worstMs, throughMs);
    byWidget.set(w.id.name, { reachMs, throughMs, cost: widgetCost(w, limits) });
  });
  return {
    widgets,
    byWidget,
    worstMs,
    limits,
    graph: { start, next, costMs, component, requestLoop, tailMs },
  };
}

/** Tarjan's algorithm without recursion (a flow may be thousands of widgets deep): components, sinks first. */
function stronglyConnected(next: readonly (readonly number[])[]): number[][] {
  const order: number[] = next.map(() => -1);
  const low: number[] = next.map(() => 0);
  const onStack: boolean[] = next.map(() => false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < next.length; root++) {
    if (order[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      const to = next[v]![i];
      if (to !== undefined) {
        frame[1]++;
        if (order[to] === -1) {
          order[to] = low[to] = counter++;
          stack.push(to);
          onStack[to] = true;
          work.push([to, 0]);
        } else if (onStack[to]) low[v] = Math.min(low[v]!, order[to]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === order[v]) {
        const members: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          members.push(w);
        } while (w !== v);
        components.push(members.reverse());
      }
    }
  }
  return components;
}

/** A path from start to an end, or to the widget where a loop that makes requests closes. */
export interface BudgetPath {
  readonly widgets: readonly Widget[];
  /** Infinity for a path through a loop that makes requests. */
  readonly worstMs: number;
  /** The http widget that costs most on the path (the first of equals), if any. */
  readonly slowest: Widget | undefined;
  /** For an unbounded path: the widgets of the loop, from where it closes. */
  readonly loop?: readonly Widget[];
}

/**
 * At most this many paths over a deadline are listed per flow: the number of paths can grow
 * exponentially with the widgets, and the first ones already say what to fix.
 */
export const MAX_LISTED_PATHS = 50;

/** At most this many exits are followed looking for them, so a flow of many branches is checked in bounded time. */
const MAX_WALKED_EXITS = 100_000;

/**
 * The paths from start (in source order of exits) whose worst case is over `deadlineMs`: only those
 * are walked, since a widget whose worst time to an end fits the deadline leads to none.
 */
export function pathsOver(budget: FlowBudget, deadlineMs: number, limit: number = MAX_LISTED_PATHS): BudgetPath[] {
  const { start, next, costMs, tailMs } = budget.graph;
  const found: BudgetPath[] = [];
  if (start === undefined) return found;
  const seenLoops = new Set<string>();
  const path: number[] = [];
  const onPath = new Set<number>();
  const make = (indexes: readonly number[], worstMs: number, loop?: readonly number[]): BudgetPath => {
    let slowest: number | undefined;
    for (const v of indexes)
      if (costMs[v]! > 0 && (slowest === undefined || costMs[v]! > costMs[slowest]!)) slowest = v;
    const widgets = indexes.map((v) => budget.widgets[v]!);
    return {
      widgets,
      worstMs,
      slowest: slowest === undefined ? undefined : budget.widgets[slowest],
      ...(loop === undefined ? {} : { loop: loop.map((v) => budget.widgets[v]!) }),
    };
  };
  // An explicit stack of (widget, next exit to try, time before it) so deep flows cannot overflow.
  const work: [number, number, number][] = [[start, 0, 0]];
  path.push(start);
  onPath.add(start);
  let walked = 0;
  while (work.length > 0 && found.length < limit && walked++ < MAX_WALKED_EXITS) {
    const frame = work[work.length - 1]!;
    const [v, i, before] = frame;
    const after = before + costMs[v]!;
    const exits = next[v]!;
    if (exits.length === 0 && i === 0) {
      frame[1]++;
      if (after > deadlineMs) found.push(make(path, after));
    }
    const to = exits[i];
    if (to === undefined) {
      work.pop();
      onPath.delete(path.pop()!);
      continue;
    }
    frame[1]++;
    if (onPath.has(to)) {
      const loop = path.slice(path.indexOf(to));
      const key = [...loop].sort((a, b) => a - b).join(",");
      if (loop.some((w) => budget.widgets[w]!.kind === "HttpWidget") && !seenLoops.has(key)) {
        seenLoops.add(key);
        found.push(make([...path, to], Infinity, loop));
      }
      continue;
    }
    // Nothing past `to` can go over: skip it.
    if (after + tailMs[to]! <= deadlineMs) continue;
    path.push(to);
    onPath.add(to);
    work.push([to, 0, after]);
  }
  return found;
}

/** `250 ms`, `6 s`, `22.6 s`, `unbounded`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "unbounded";
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}

/** `start → a → b`, the names of a path's widgets. */
export function describePath(path: BudgetPath): string {
  return ["start", ...path.widgets.map((w) => w.id.name)].join(" → ");
}

/**
 * The checker's warnings for a deadline: one per path over it (CF2046), or per loop that makes
 * requests (CF2047), each on the widget that costs most, with the path's other http widgets as related places.
 */
export function deadlineDiagnostics(
  flow: Flow,
  deadline: Deadline,
  limits: BudgetLimits = DEFAULT_BUDGET_LIMITS,
): Diagnostic[] {
  const budget = flowBudget(flow, limits);
  if (budget.worstMs <= deadline.ms) return [];
  return pathsOver(budget, deadline.ms).map((path) => {
    const at: Identifier = (path.slowest ?? path.loop?.[0] ?? path.widgets[0]!).id;
    const related: RelatedLocation[] = [];
    for (const w of path.widgets) {
      const cost = widgetCost(w, limits);
      if (cost !== undefined && w.id !== at && !related.some((r) => r.span === w.id.span))
        related.push({ span: w.id.span, message: `'${w.id.name}' can take ${formatDuration(cost.worstMs)}` });
    }
    const budgetText = `${formatDuration(deadline.ms)} deadline (${deadline.source})`;
    if (path.loop !== undefined)
      return diagnostic(
        "unboundedPath",
        at.span,
        [describePath(path), path.loop.map((w) => w.id.name).join(" → "), budgetText],
        "bound the loop with a counter in a condition, or leave it through a widget that makes no request",
        related,
      );
    const slowest = path.slowest!;
    return diagnostic(
      "pathOverDeadline",
      at.span,
      [
        describePath(path),
        formatDuration(path.worstMs),
        budgetText,
        slowest.id.name,
        formatDuration(widgetCost(slowest, limits)!.worstMs),
      ],
      "lower the timeout or the retries of the widgets on this path",
      related,
    );
  });
}

/** The worst case to reach each end (a widget with no exits) from start, by name, in source order. */
export function endBudgets(budget: FlowBudget): Map<string, number> {
  const ends = new Map<string, number>();
  budget.widgets.forEach((w, v) => {
    const figures = budget.byWidget.get(w.id.name);
    if (figures !== undefined && budget.graph.next[v]!.length === 0) ends.set(w.id.name, figures.throughMs);
  });
  return ends;
}

/** What changed between two versions' worst cases, per end both have: `path to goodbye: 6 s → 18 s`. */
export interface BudgetChange {
  readonly end: string;
  readonly beforeMs: number;
  readonly afterMs: number;
}

/** The ends whose worst case went up, in the new version's order. */
export function raisedBudgets(before: FlowBudget, after: FlowBudget): BudgetChange[] {
  const old = endBudgets(before);
  const changes: BudgetChange[] = [];
  for (const [end, afterMs] of endBudgets(after)) {
    const beforeMs = old.get(end);
    if (beforeMs !== undefined && afterMs > beforeMs) changes.push({ end, beforeMs, afterMs });
  }
  return changes;
}

/** `path to goodbye: 6 s → 18 s`. */
export function describeChange(change: BudgetChange): string {
  return `path to ${change.end}: ${formatDuration(change.beforeMs)} → ${formatDuration(change.afterMs)}`;
}

/** Hover text for a widget: its own cost, the worst time to reach it, the worst case through it. */
export function describeWidgetBudget(budget: FlowBudget, name: string): string | undefined {
  const figures = budget.byWidget.get(name);
  if (figures === undefined) return undefined;
  const lines: string[] = [];
  if (figures.cost !== undefined) {
    const { attempts, timeoutMs, waitsMs, worstMs } = figures.cost;
    const waits = waitsMs.length === 0 ? "" : ` + waits ${waitsMs.map(formatDuration).join(" + ")}`;
    lines.push(
      `Worst case of this widget: ${formatDuration(worstMs)} (${attempts} × ${formatDuration(timeoutMs)}${waits})`,
    );
  }
  lines.push(`Worst time to reach it: ${formatDuration(figures.reachMs)}`);
  lines.push(`Worst case of a path through it: ${formatDuration(figures.throughMs)}`);
  return lines.join("  \n");
}
