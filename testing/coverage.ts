// Exit coverage: every exit of every widget, read from the language description through
// grammar/widgets.ts (no switch on widget kinds), counted against the exits runs took.
import type { Flow, Span } from "../grammar/ast.js";
import { printExpr } from "../grammar/printer.js";
import { canonicalDateTimes } from "../compiler/date-times.js";
import { exitName, forEachExit } from "../grammar/widgets.js";
import type { TakenExit } from "./run-test.js";

export interface ExitCount {
  readonly widget: string;
  /** `success`, `fail`, `next`, `else`, `when` (with its condition in `condition`) or a status exit (`on 401, 403`). */
  readonly label: string;
  readonly target: string;
  readonly condition?: string;
  /** Where the widget is declared (its keyword), and where the exit (or `when` branch) is written. */
  readonly widgetSpan: Span;
  readonly span: Span;
  /** Times taken, across every test of the flow. */
  readonly count: number;
  /** Whether any test reached the widget (LCOV's "-" for a branch of a block never run). */
  readonly reached: boolean;
}

export interface FlowCoverage {
  readonly flowFile: string;
  readonly exits: readonly ExitCount[];
  readonly covered: number;
  readonly total: number;
}

export function flowCoverage(flow: Flow, flowFile: string, taken: readonly TakenExit[]): FlowCoverage {
  const reached = new Set(taken.map((t) => t.widget));
  const exits: ExitCount[] = [];
  // As compiled: a condition's date_time literals in canonical form, as traces print them.
  for (const widget of canonicalDateTimes(flow).widgets) {
    let branch = 0;
    forEachExit(widget, (label, target, exit) => {
      // A `when` branch is known in traces by its condition as the formatter prints it.
      const when = label === "when" && widget.kind === "ConditionWidget" ? widget.branches[branch++] : undefined;
      const condition = when === undefined ? undefined : printExpr(when.condition);
      const span = when?.span ?? exit?.span ?? target.span;
      // A status exit is known in traces by what matched (`on 403` for `on 401, 403`).
      const matched =
        exit?.kind === "StatusExit" ? new Set(exit.statuses.map((s) => `on ${s.text}`)) : new Set([label]);
      const count = taken.filter(
        (t) =>
          t.widget === widget.id.name && matched.has(t.label) && t.target === target.name && t.condition === condition,
      ).length;
      exits.push({
        widget: widget.id.name,
        label: exit === undefined ? label : exitName(exit),
        target: target.name,
        ...(condition === undefined ? {} : { condition }),
        widgetSpan: widget.span,
        span,
        count,
        reached: reached.has(widget.id.name),
      });
    });
  }
  const covered = exits.filter((e) => e.count > 0).length;
  return { flowFile, exits, covered, total: exits.length };
}

/** LCOV: each exit a branch (BRDA) on its widget's line; each widget with exits a line (DA) hit as often as it exited. */
export function lcov(coverages: readonly FlowCoverage[]): string {
  const out: string[] = [];
  for (const coverage of coverages) {
    out.push("TN:", `SF:${coverage.flowFile}`);
    const blocks = new Map<string, number>();
    const lines = new Map<number, number>();
    for (const exit of coverage.exits) {
      if (!blocks.has(exit.widget)) blocks.set(exit.widget, blocks.size);
      const block = blocks.get(exit.widget)!;
      const branch = coverage.exits.filter((e) => e.widget === exit.widget).indexOf(exit);
      out.push(`BRDA:${exit.widgetSpan.line},${block},${branch},${exit.reached ? exit.count : "-"}`);
      lines.set(exit.widgetSpan.line, (lines.get(exit.widgetSpan.line) ?? 0) + exit.count);
    }
    out.push(`BRF:${coverage.total}`, `BRH:${coverage.covered}`);
    for (const [line, hits] of lines) out.push(`DA:${line},${hits}`);
    out.push(`LF:${lines.size}`, `LH:${[...lines.values()].filter((h) => h > 0).length}`, "end_of_record");
  }
  return out.join("\n") + "\n";
}
