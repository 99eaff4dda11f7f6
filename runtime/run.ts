// The step loop: start at `flow.start`, execute widgets, follow exits until a terminal widget,
// a failure with no exit, cancellation or the step limit.
//
// `run` rejects only for programmer errors, before any step runs: FlowDefinitionError (an
// invalid flow object), FlowInputError (input globals that do not match the declarations),
// FlowConfigError (config values that do not match the `config` declarations)
// and RangeError (an invalid limit in the options). Everything else, network, server, data,
// secrets, handlers, cancellation, is an outcome; the returned promise always resolves.
import type { FlowDefinition, Step, Vars } from "./flow.js";
import { runHttpStep } from "./http-step.js";
import { resolveOptions, type RunOptions } from "./options.js";
import { setOwn } from "./own-property.js";
import { redactOutcome } from "./redact-trace.js";
import { RunState, type TraceEvents } from "./state.js";
import type { Transport } from "./transport.js";
import type { StepOutcome } from "./step-outcome.js";
import { runCondition, runRoute, runSend, runSet } from "./steps.js";
import {
  roundMs,
  type Outcome,
  type RunError,
  type RunStartEvent,
  type StepEndEvent,
  type StepStartEvent,
  type TraceEvent,
  type Writable,
} from "./trace.js";
import { assertValidConfig, assertValidFlow, assertValidInput, type FlowPlan } from "./validate.js";
import { isTerminal } from "./contract.js";

export interface RunResult<V extends Vars, W extends string> {
  readonly outcome: Outcome<W>;
  /** Final values of all variables, globals and locals; unset ones are absent. */
  readonly variables: V;
  /** Every event delivered to `onEvent`, in order, redacted. */
  readonly trace: readonly TraceEvent<W>[];
}

function initialVariables<V extends Vars, S extends string, W extends string>(
  plan: FlowPlan<V, S, W>,
  input: Readonly<Partial<V>>,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  const given = input as Readonly<Record<string, unknown>>;
  for (const [name, spec] of plan.variables) {
    const from = spec.scope === "config" ? config : spec.scope === "global" ? given : undefined;
    const value = from !== undefined && Object.hasOwn(from, name) ? from[name] : undefined;
    if (value !== undefined) setOwn(vars, name, value);
    // Defaults are cloned so a run that changes a json value cannot change the next run's default.
    else if ("default" in spec)
      setOwn(vars, name, typeof spec.default === "object" ? structuredClone(spec.default) : spec.default);
  }
  return vars;
}

/** The variables as the run starts, as traces show them (masked ones hidden), in declaration order. */
function shownVariables<V extends Vars, S extends string, W extends string>(
  plan: FlowPlan<V, S, W>,
  state: RunState<V, S, W>,
): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name] of plan.variables)
    if (Object.hasOwn(state.vars, name)) setOwn(shown, name, state.display(name, state.vars[name]));
  return shown;
}

function runStep<V extends Vars, S extends string, W extends string>(
  step: Step<V, S, W>,
  state: RunState<V, S, W>,
): StepOutcome<W> | Promise<StepOutcome<W>> {
  switch (step.kind) {
    case "http":
      return runHttpStep(step, state);
    case "condition":
      return runCondition(step, state);
    case "set":
      return runSet(step, state);
    case "send":
      return runSend(step, state);
    case "route":
      return runRoute(step, state);
    case "end":
      return { changes: [] };
  }
}

/** `run`: executes a flow definition with the given input globals. */
export type Run = <V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  input: Readonly<Partial<V>>,
  options?: RunOptions<V, W>,
) => Promise<RunResult<V, W>>;

/**
 * `run` with `transport` for runs whose options name none: each entry point of the
 * runtime (index.ts, node.ts) makes its own, so only the Node one ever loads undici.
 */
export function runWith(transport: Transport): Run {
  return (flow, input, options = {}) => execute(flow, input, options, transport);
}

async function execute<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  input: Readonly<Partial<V>>,
  options: RunOptions<V, W>,
  transport: Transport,
): Promise<RunResult<V, W>> {
  const plan = assertValidFlow(flow);
  assertValidInput(flow, input);
  // Checked every run: a host that changes its config object between runs is caught too.
  assertValidConfig(flow, options.config ?? {});
  const resolved = resolveOptions(options, transport);
  const state = new RunState(
    flow,
    plan.masked,
    resolved,
    options.secrets === undefined,
    initialVariables(plan, input, options.config ?? {}),
  );
  const runStarted = resolved.clock.now();
  const time = state.epochAt(runStarted);
  const variables = shownVariables(plan, state);
  // Two literals rather than a spread (a slow path): `name` keeps its place between flow and source.
  const runStart: RunStartEvent =
    flow.name === undefined
      ? { type: "run.start", flow: flow.id, source: flow.source, time, variables }
      : { type: "run.start", flow: flow.id, name: flow.name, source: flow.source, time, variables };
  state.emit(runStart);

  const failed = (widget: W, error: RunError): Outcome<W> => ({ kind: "failed", widget, error });
  let widget = flow.start;
  let steps = 0;
  let outcome: Outcome<W>;
  for (;;) {
    if (resolved.signal?.aborted) {
      outcome = failed(widget, { code: "cancelled", message: "run cancelled" });
      break;
    }
    if (state.handlerError !== undefined) {
      outcome = failed(widget, state.handlerError);
      break;
    }
    if (steps >= resolved.maxSteps) {
      outcome = failed(widget, {
        code: "step-limit",
        message: `step limit of ${resolved.maxSteps} reached before a terminal widget (does the flow loop?)`,
      });
      break;
    }
    steps++;
    const step = plan.steps.get(widget)!; // validation checked that every exit names a widget
    const started = resolved.clock.now();
    const startTime = state.epochAt(started);
    const start: Writable<StepStartEvent<W>> = {
      type: "step.start",
      widget,
      kind: step.kind,
      source: step.source,
      step: steps,
      time: startTime,
    };
    if (step.name !== undefined) start.name = step.name;
    state.emit(start);

    let result: StepOutcome<W>;
    state.telemetry.startStep(widget, step.kind);
    try {
      result = await runStep(step, state);
    } catch (error) {
      // A defect, not an outcome a flow can plan for; the run still resolves, naming only the error's kind.
      const kind = error instanceof Error ? error.name : typeof error;
      result = { changes: [], stop: { code: "step", message: `the step failed unexpectedly (${kind})` } };
    }

    const ended = resolved.clock.now();
    const endTime = state.epochAt(ended);
    const end: Writable<StepEndEvent<W>> = {
      type: "step.end",
      widget,
      kind: step.kind,
      source: step.source,
      step: steps,
      time: endTime,
      startTime,
      endTime,
      durationMs: roundMs(ended - started),
      changes: result.changes,
    };
    // Assigned one by one rather than spread: this runs for every step and spreads cost.
    if (step.name !== undefined) end.name = step.name;
    if (result.exit !== undefined) end.exit = result.exit;
    if (result.condition !== undefined) end.condition = result.condition;
    if (result.next !== undefined) end.next = result.next;
    if (result.unmatched !== undefined) end.unmatched = result.unmatched;
    if (result.errorResults !== undefined) end.errorResults = result.errorResults;
    if (result.attempts !== undefined) end.attempts = result.attempts;
    if (result.status !== undefined) end.status = result.status;
    if (result.message !== undefined) end.message = result.message;
    if (result.queue !== undefined) end.queue = result.queue;
    const error = result.error ?? result.stop;
    if (error !== undefined) end.error = error;
    state.emit(end);
    state.telemetry.endStep(result.exit, error);
    const stop = result.stop;
    if (stop !== undefined) {
      outcome = failed(widget, stop);
      break;
    }
    if (isTerminal(step)) {
      outcome = step.kind === "end" ? { kind: "end", widget } : { kind: "route", widget, queue: step.queue };
      break;
    }
    widget = result.next!; // every non-terminal step that did not stop names its next widget
  }
  if (state.handlerError !== undefined && outcome.kind !== "failed") outcome = failed(widget, state.handlerError);

  outcome = redactOutcome(state.redactor, outcome);
  const finished = resolved.clock.now();
  state.telemetry.end(outcome, finished - runStarted);
  state.emit({
    type: "run.end",
    flow: flow.id,
    time: state.epochAt(finished),
    durationMs: roundMs(finished - runStarted),
    steps,
    outcome,
  });
  return new Result(outcome, state.variables, state.events);
}

/**
 * A run's result. `trace` is redacted when first read (TraceEvents), so it is a getter, on the
 * prototype: an object literal with a getter cost about 3 µs a run (bench/README.md). `toJSON`
 * keeps the trace in the result's JSON. It holds the events, not the run's state.
 */
class Result<V extends Vars, W extends string> implements RunResult<V, W> {
  readonly outcome: Outcome<W>;
  readonly variables: V;
  readonly #events: TraceEvents<W>;

  constructor(outcome: Outcome<W>, variables: V, events: TraceEvents<W>) {
    this.outcome = outcome;
    this.variables = variables;
    this.#events = events;
  }

  get trace(): readonly TraceEvent<W>[] {
    return this.#events.read();
  }

  toJSON(): { outcome: Outcome<W>; variables: V; trace: readonly TraceEvent<W>[] } {
    return { outcome: this.outcome, variables: this.variables, trace: this.trace };
  }
}
