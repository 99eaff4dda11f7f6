// The deadline a project's flows are checked against (docs/time-budgets.md): the shortest of the
// checked environments' own `deadline`s, else the server's (`serve.deadline`), else none.
import type { Deadline } from "../compiler/time-budget.js";
import type { Environment, Project } from "./project-file.js";

export function projectDeadline(project: Project, environments: Iterable<Environment>): Deadline | undefined {
  let chosen: Deadline | undefined;
  for (const env of environments) {
    const ms = env.deadline?.value;
    if (ms !== undefined && (chosen === undefined || ms < chosen.ms))
      chosen = { ms, source: `environment ${env.name} in ${project.file}` };
  }
  if (chosen !== undefined) return chosen;
  const served = project.serve.deadline?.value;
  return served === undefined ? undefined : { ms: served, source: `serve.deadline in ${project.file}` };
}
