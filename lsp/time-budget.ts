// Time budgets in the editor (docs/time-budgets.md): the warnings `callflow check` gives against the
// project's deadline (callflow.json), and a widget's figures for its hover.
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import type { Flow } from "../grammar/ast.js";
import { deadlineDiagnostics, describeWidgetBudget, flowBudget } from "../compiler/time-budget.js";
import { projectDeadline } from "../project/deadline.js";
import type { Project } from "../project/project-file.js";
import type { Analysis } from "./analysis.js";

/** Paths over the deadline of the project's environments or server; none without one, or on a flow with errors. */
export function budgetDiagnostics(analysis: Analysis, project: Project | undefined): Diagnostic[] {
  const deadline = project === undefined ? undefined : projectDeadline(project, project.environments.values());
  if (deadline === undefined || analysis.flow === undefined || hasErrors(analysis.diagnostics)) return [];
  return deadlineDiagnostics(analysis.flow, deadline);
}

/** A widget's worst case, time to reach it and worst path through it; undefined when start does not reach it. */
export function budgetHover(flow: Flow | undefined, name: string): string | undefined {
  return flow === undefined ? undefined : describeWidgetBudget(flowBudget(flow), name);
}
