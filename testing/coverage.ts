// Exit coverage: every exit of every widget, read from the language description through
// grammar/widgets.ts (no switch on widget kinds), counted against the exits runs took.
import type { Flow, Span } from "../grammar/ast.js";
import { printExpr } from "../grammar/printer.js";
import { canonicalDateTimes } from "../compiler/date-times.js";
import { branchesOf, exitName, forEachExit } from "../grammar/widgets.js";
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

/** Exits taken out of all exits, in percent; a flow without exits is fully covered. */
export const coveragePercent = (c: FlowCoverage): number => (c.total === 0 ? 100 : (100 * c.covered) / c.total);

export function flowCoverage(flow: Flow, flowFile: string, taken: readonly TakenExit[]): FlowCoverage {
  const reached = new Set(taken.map((t) => t.widget));
  const exits: ExitCount[] = [];
  // As compiled: a condition's date_time literals in canonical form, as traces print them.
  for (const widget of canonicalDateTimes(flow).widgets) {
    let branch = 0;
    forEachExit(widget, (label, target, exit) => {
      // A `when` branch is known in traces by its condition as the formatter prints it.
      const when = label === "when" ? branchesOf(widget)[branch++] : undefined;
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

/** Why a report cannot be written in LCOV, whose records are lines with no way to escape a line break. */
export function lcovProblem(coverages: readonly FlowCoverage[]): string | undefined {
  const broken = coverages.find((c) => /[\r\n]/.test(c.flowFile));
  return broken === undefined
    ? undefined
    : `the flow file name ${JSON.stringify(broken.flowFile)} has a line break, which LCOV cannot hold`;
}

/**
 * LCOV: each exit a branch (BRDA) on the line where the exit is written, one block per widget; a line
 * (DA) per exit line, hit as often as its exits were taken, and the widget's own line hit as often as it
 * exited. An exit no test took is then marked where it is written, not at its widget.
 * Call `lcovProblem` first: a file name with a line break would forge records.
 */
export function lcov(coverages: readonly FlowCoverage[]): string {
  const out: string[] = [];
  for (const coverage of coverages) {
    out.push("TN:", `SF:${coverage.flowFile}`);
    const blocks = new Map<string, number>();
    const lines = new Map<number, number>();
    const hit = (line: number, count: number): void => void lines.set(line, (lines.get(line) ?? 0) + count);
    for (const exit of coverage.exits) {
      if (!blocks.has(exit.widget)) blocks.set(exit.widget, blocks.size);
      const block = blocks.get(exit.widget)!;
      const branch = coverage.exits.filter((e) => e.widget === exit.widget).indexOf(exit);
      out.push(`BRDA:${exit.span.line},${block},${branch},${exit.reached ? exit.count : "-"}`);
      hit(exit.span.line, exit.count);
      if (exit.widgetSpan.line !== exit.span.line) hit(exit.widgetSpan.line, exit.count);
    }
    out.push(`BRF:${coverage.total}`, `BRH:${coverage.covered}`);
    for (const [line, hits] of [...lines].sort(([a], [b]) => a - b)) out.push(`DA:${line},${hits}`);
    out.push(`LF:${lines.size}`, `LH:${[...lines.values()].filter((h) => h > 0).length}`, "end_of_record");
  }
  return out.join("\n") + "\n";
}
