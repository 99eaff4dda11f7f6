// An http widget from start to exit: secrets, the request, the attempts, the results, and the
// choice between the Success and Fail exits.
import type { HttpStep, Vars } from "./flow.js";
import { buildRequest, headersForTrace } from "./request.js";
import { mapResults } from "./results.js";
import { sendWithRetries } from "./retry.js";
import type { RunState } from "./state.js";
import type { StepOutcome } from "./step-outcome.js";
import type { RunError } from "./trace.js";

const NO_SECRETS = { ok: true, values: {} } as const;

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

export async function runHttpStep<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  state: RunState<V, S, W>,
): Promise<StepOutcome<W>> {
  const fail = (error: RunError, extra: Partial<StepOutcome<W>> = {}): StepOutcome<W> => ({
    changes: [],
    ...extra,
    exit: "fail",
    next: step.fail,
    error,
  });

  // Everything that can be refused is refused before anything is sent.
  const secrets = step.secrets.length === 0 ? NO_SECRETS : await state.resolveSecrets(step.secrets);
  if (!secrets.ok) return fail(secrets.error);
  const built = buildRequest(step, state.variables, secrets.values);
  if (!built.ok) return fail(built.error);
  const request = built.request;

  const options = state.options;
  const { last, attempts } = await sendWithRetries(request, {
    fetch: options.fetch,
    signal: options.signal,
    timeoutMs: step.timeoutMs ?? options.timeoutMs,
    maxRedirects: options.maxRedirects,
    maxResponseBytes: options.maxResponseBytes,
    retries: step.retry,
    retryBaseDelayMs: options.retryBaseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs,
    retryAfterCapMs: options.retryAfterCapMs,
    random: options.random,
    widget: step.id,
    name: step.name,
    traceHeaders: headersForTrace(request),
    emit: (event) => state.emit(event),
  });

  if (last.kind === "error") {
    const extra = { attempts, ...(last.status === undefined ? {} : { status: last.status }) };
    if (last.error.code === "cancelled") return { changes: [], ...extra, stop: last.error };
    return fail(last.error, extra);
  }

  const ok = isSuccess(last.status);
  const mapped = mapResults(step.results, last, !ok);
  if (!ok) {
    const retried = attempts > 1 ? ` after ${attempts} attempts` : "";
    const error: RunError = { code: "status", message: `status ${last.status}${retried}` };
    // Status and header results still map, so the flow can branch on them after Fail.
    const changes = mapped.ok ? mapped.assignments.map(({ target, value }) => state.assign(target, value)) : [];
    return fail(error, { attempts, status: last.status, changes, ...(mapped.ok && mapped.unmatched.length > 0 ? { unmatched: mapped.unmatched } : {}) });
  }
  if (!mapped.ok) return fail(mapped.error, { attempts, status: last.status });
  const changes = mapped.assignments.map(({ target, value }) => state.assign(target, value));
  const success = { exit: "success", next: step.success, attempts, status: last.status, changes } as const;
  return mapped.unmatched.length > 0 ? { ...success, unmatched: mapped.unmatched } : success;
}
