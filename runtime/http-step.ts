// An http widget from start to exit: secrets, the request, the attempts, the results, and the
// choice between the Success exit, a status exit and the Fail exit.
import type { HttpStep, SecretValues, StatusExit, StatusMatch, Vars } from "./flow.js";
import { httpStepSettings } from "./options.js";
import { buildRequest, type TwinValues } from "./request.js";
import { mapResults, type Assignment } from "./results.js";
import { sendWithRetries } from "./retry.js";
import type { RunState } from "./state.js";
import type { StepOutcome } from "./step-outcome.js";
import type { RunError, Writable } from "./trace.js";

const NO_SECRETS = { ok: true, values: {} } as const;

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

/**
 * The status exit for how the last attempt ended, as `on 404`: a status beats its class, and a
 * step without status exits (most) costs one check.
 */
function statusExit<W extends string>(
  exits: readonly StatusExit<W>[] | undefined,
  ended: number | "timeout" | "network_error",
): { readonly name: `on ${string}`; readonly target: W } | undefined {
  if (exits === undefined || exits.length === 0) return undefined;
  const find = (match: StatusMatch): W | undefined => exits.find((e) => e.statuses.includes(match))?.target;
  const exact = find(ended);
  if (exact !== undefined) return { name: `on ${ended}`, target: exact };
  if (typeof ended !== "number") return undefined;
  const statusClass = `${Math.floor(ended / 100)}xx` as StatusMatch;
  const byClass = find(statusClass);
  return byClass === undefined ? undefined : { name: `on ${statusClass}`, target: byClass };
}

/** Leaves through the status exit that matches `ended`, if any, else through `fail`; `error` is traced either way. */
function failed<W extends string>(
  step: { readonly fail: W; readonly statusExits?: readonly StatusExit<W>[] },
  error: RunError,
  outcome: Partial<StepOutcome<W>> = {},
  ended?: number | "timeout" | "network_error",
): StepOutcome<W> {
  const routed = ended === undefined ? undefined : statusExit(step.statusExits, ended);
  if (routed !== undefined) return { changes: [], ...outcome, exit: routed.name, next: routed.target, error };
  return { changes: [], ...outcome, exit: "fail", next: step.fail, error };
}

/** How a failed last attempt can be routed: `timeout` and `network_error`; other failures go to `fail`. */
function failureKind(code: RunError["code"]): "timeout" | "network_error" | undefined {
  return code === "timeout" ? "timeout" : code === "network" ? "network_error" : undefined;
}

/**
 * Each variable once, with the value assigned last, where it was first assigned: `status` mapped
 * in both `results` and `error_results` is one change, not two.
 */
function lastPerTarget(assignments: readonly Assignment[]): readonly Assignment[] {
  const byTarget = new Map<string, Assignment>();
  for (const assignment of assignments) byTarget.set(assignment.target, assignment);
  return byTarget.size === assignments.length ? assignments : [...byTarget.values()];
}

/** What the step's twin is built with, when it reads a secret or a variable holding a hidden value. */
function twinValues<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  state: RunState<V, S, W>,
): TwinValues<V, S> | undefined {
  const vars = state.twinVariables();
  if (vars === undefined && step.secrets.length === 0) return undefined;
  const marker = state.marker;
  const secrets: { [K in S]?: string } = {};
  for (const name of step.secrets) secrets[name] = marker;
  return { vars: vars ?? state.variables, secrets: secrets as SecretValues<S>, marker };
}

export async function runHttpStep<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  state: RunState<V, S, W>,
): Promise<StepOutcome<W>> {
  // Everything that can be refused is refused before anything is sent.
  const secrets = step.secrets.length === 0 ? NO_SECRETS : await state.resolveSecrets(step.secrets);
  if (!secrets.ok) return failed(step, secrets.error);
  const built = buildRequest(step, state.variables, secrets.values, twinValues(step, state));
  if (!built.ok) return failed(step, built.error);
  const request = built.request;

  // The first request of a process may import the transport; that is not the server's time.
  const loading = state.options.transport.loading();
  if (loading !== undefined) await loading.catch(() => undefined); // a failed import fails the attempt itself
  const { last, attempts } = await sendWithRetries(
    request,
    step,
    httpStepSettings(step, state.options),
    state.options,
    state,
  );
  if (last.kind === "error") {
    const outcome: Writable<Partial<StepOutcome<W>>> = { attempts };
    if (last.status !== undefined) outcome.status = last.status;
    if (last.error.code === "cancelled") return { changes: [], ...outcome, stop: last.error };
    return failed(step, last.error, outcome, failureKind(last.error.code));
  }

  const ok = isSuccess(last.status);
  const mapped = mapResults(step.results, last, !ok, state.options.maxJsonDepth);
  if (!ok) {
    const retried = attempts > 1 ? ` after ${attempts} attempts` : "";
    const error: RunError = { code: "status", message: `status ${last.status}${retried}` };
    // Status and header results still map, so the flow can branch on them after Fail; error
    // results map the body too. The status alone picks the exit: error results that cannot map
    // (an HTML or empty 503) are reported in `errorResults` and none of them is assigned.
    const errorMapped =
      step.errorResults === undefined
        ? undefined
        : mapResults(step.errorResults, last, false, state.options.maxJsonDepth);
    const assignments = lastPerTarget([
      ...(mapped.ok ? mapped.assignments : []),
      ...(errorMapped?.ok === true ? errorMapped.assignments : []),
    ]);
    const unmatched = [
      ...(mapped.ok ? mapped.unmatched : []),
      ...(errorMapped?.ok === true ? errorMapped.unmatched : []),
    ];
    const changes = assignments.map(({ target, value }) => state.assign(target, value));
    const outcome: Writable<Partial<StepOutcome<W>>> = { attempts, status: last.status, changes };
    if (unmatched.length > 0) outcome.unmatched = unmatched;
    if (errorMapped?.ok === false) outcome.errorResults = errorMapped.error;
    return failed(step, error, outcome, last.status);
  }
  if (!mapped.ok) return failed(step, mapped.error, { attempts, status: last.status });
  const changes = mapped.assignments.map(({ target, value }) => state.assign(target, value));
  const success: Writable<StepOutcome<W>> = {
    exit: "success",
    next: step.success,
    attempts,
    status: last.status,
    changes,
  };
  if (mapped.unmatched.length > 0) success.unmatched = mapped.unmatched;
  return success;
}
