// An http widget from start to exit: secrets, the request, the attempts, the results, and the
// choice between the Success and Fail exits.
import type { HttpStep, SecretValues, Vars } from "./flow.js";
import { buildRequest, type TwinValues } from "./request.js";
import { mapResults } from "./results.js";
import { sendWithRetries } from "./retry.js";
import type { RunState } from "./state.js";
import type { StepOutcome } from "./step-outcome.js";
import type { RunError, Writable } from "./trace.js";

const NO_SECRETS = { ok: true, values: {} } as const;

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function failed<W extends string>(
  step: { readonly fail: W },
  error: RunError,
  outcome: Partial<StepOutcome<W>> = {},
): StepOutcome<W> {
  return { changes: [], ...outcome, exit: "fail", next: step.fail, error };
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

  const { last, attempts } = await sendWithRetries(request, step, state.options, state);
  if (last.kind === "error") {
    const outcome: Writable<Partial<StepOutcome<W>>> = { attempts };
    if (last.status !== undefined) outcome.status = last.status;
    if (last.error.code === "cancelled") return { changes: [], ...outcome, stop: last.error };
    return failed(step, last.error, outcome);
  }

  const ok = isSuccess(last.status);
  const mapped = mapResults(step.results, last, !ok, state.options.maxJsonDepth);
  if (!ok) {
    const retried = attempts > 1 ? ` after ${attempts} attempts` : "";
    const error: RunError = { code: "status", message: `status ${last.status}${retried}` };
    // Status and header results still map, so the flow can branch on them after Fail.
    const changes = mapped.ok ? mapped.assignments.map(({ target, value }) => state.assign(target, value)) : [];
    return failed(step, error, {
      attempts,
      status: last.status,
      changes,
      ...(mapped.ok && mapped.unmatched.length > 0 ? { unmatched: mapped.unmatched } : {}),
    });
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
