// An http widget from start to exit: secrets, the request, the attempts, the results, and the
// choice between the Success and Fail exits.
import type { HttpStep, Vars } from "./flow.js";
import { buildRequest, headersForTrace } from "./request.js";
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

export async function runHttpStep<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  state: RunState<V, S, W>,
): Promise<StepOutcome<W>> {
  // Everything that can be refused is refused before anything is sent.
  const secrets = step.secrets.length === 0 ? NO_SECRETS : await state.resolveSecrets(step.secrets);
  if (!secrets.ok) return failed(step, secrets.error);
  const built = buildRequest(step, state.variables, secrets.values);
  if (!built.ok) return failed(step, built.error);
  const request = built.request;

  const { last, attempts } = await sendWithRetries(request, step, state.options, headersForTrace(request), state);
  if (last.kind === "error") {
    const outcome: Writable<Partial<StepOutcome<W>>> = { attempts };
    if (last.status !== undefined) outcome.status = last.status;
    if (last.error.code === "cancelled") return { changes: [], ...outcome, stop: last.error };
    return failed(step, last.error, outcome);
  }

  const ok = isSuccess(last.status);
  const mapped = mapResults(step.results, last, !ok);
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
