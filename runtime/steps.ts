// The widgets other than http: condition, set, send and route. Their generated functions and
// the host's handlers may throw; that ends the run as a failure (they have no Fail exit).
import type { ConditionStep, RouteStep, SendStep, SetStep, Vars } from "./flow.js";
import { MASK } from "./redact.js";
import { messageOf, type RunState } from "./state.js";
import type { StepOutcome } from "./step-outcome.js";
import type { RunError } from "./trace.js";

function stop<W extends string>(
  code: RunError["code"],
  message: string,
  extra: Partial<StepOutcome<W>> = {},
): StepOutcome<W> {
  return { changes: [], ...extra, stop: { code, message } };
}

export function runCondition<V extends Vars, S extends string, W extends string>(
  step: ConditionStep<V, W>,
  state: RunState<V, S, W>,
): StepOutcome<W> {
  for (const branch of step.branches) {
    let taken: boolean;
    try {
      taken = branch.test(state.variables);
    } catch (error) {
      return stop("step", `condition ${JSON.stringify(branch.text)} threw: ${messageOf(error)}`);
    }
    if (taken) return { exit: "when", condition: branch.text, next: branch.target, changes: [] };
  }
  return { exit: "else", next: step.else, changes: [] };
}

export function runSet<V extends Vars, S extends string, W extends string>(
  step: SetStep<V, W>,
  state: RunState<V, S, W>,
): StepOutcome<W> {
  let values: Partial<V>;
  try {
    values = step.assign(state.variables);
  } catch (error) {
    return stop("step", `assignment threw: ${messageOf(error)}`);
  }
  // The same assignments from the twins tell which values derive from hidden ones.
  const twinVars = state.twinVariables();
  let twins: Partial<V> | undefined;
  if (twinVars !== undefined) {
    try {
      twins = step.assign(twinVars);
    } catch {
      twins = undefined;
    }
  }
  const changes = Object.entries(values).map(([name, value]) =>
    state.assign(name, value, twinVars === undefined ? undefined : twins === undefined ? state.marker : twins[name]),
  );
  return { exit: "next", next: step.next, changes };
}

const CANCELLED = Symbol("cancelled");

/** Awaits a host handler, giving up as soon as the run is cancelled. */
async function callHandler(
  label: string,
  call: () => void | PromiseLike<void>,
  signal: AbortSignal | undefined,
): Promise<RunError | undefined> {
  let onAbort: (() => void) | undefined;
  try {
    const returned = call();
    if (typeof returned?.then !== "function") return undefined;
    const result = Promise.resolve(returned);
    if (signal === undefined) {
      await result;
      return undefined;
    }
    const aborted = new Promise<typeof CANCELLED>((resolve) => {
      onAbort = () => resolve(CANCELLED);
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    result.catch(() => undefined); // a rejection after cancellation has nobody left to tell
    if ((await Promise.race([result, aborted])) === CANCELLED) return { code: "cancelled", message: "run cancelled" };
    return undefined;
  } catch (error) {
    return { code: "handler", message: `${label} handler threw: ${messageOf(error)}` };
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
  }
}

function shownMessage<V extends Vars, S extends string, W extends string>(
  step: SendStep<V, W>,
  state: RunState<V, S, W>,
  message: string,
): string {
  const twinVars = state.twinVariables();
  if (twinVars === undefined) return message;
  try {
    return state.hide(step.message(twinVars));
  } catch {
    return MASK; // it threw only on the twins: show nothing rather than the real text
  }
}

export async function runSend<V extends Vars, S extends string, W extends string>(
  step: SendStep<V, W>,
  state: RunState<V, S, W>,
): Promise<StepOutcome<W>> {
  let message: string;
  try {
    message = step.message(state.variables);
  } catch (error) {
    return stop("step", `message threw: ${messageOf(error)}`);
  }
  // The host hears the real message; traces show it built from the twins, hidden parts as ••••.
  const shown = shownMessage(step, state, message);
  const handler = state.options.onSend;
  const failure =
    handler && (await callHandler("onSend", () => handler(message, state.stepContext(step.id)), state.options.signal));
  // A handler's error may quote the real message it was given.
  if (failure) {
    const text = message === "" || message === shown ? failure.message : failure.message.replaceAll(message, shown);
    return stop(failure.code, text, { message: shown });
  }
  return { exit: "next", next: step.next, message: shown, changes: [] };
}

/** A route hands the contact to a queue; the run ends here whatever the handler does. */
export async function runRoute<V extends Vars, S extends string, W extends string>(
  step: RouteStep<W>,
  state: RunState<V, S, W>,
): Promise<StepOutcome<W>> {
  const handler = state.options.onRoute;
  const failure =
    handler &&
    (await callHandler("onRoute", () => handler(step.queue, state.stepContext(step.id)), state.options.signal));
  if (failure) return stop(failure.code, failure.message, { queue: step.queue });
  return { queue: step.queue, changes: [] };
}
