// Redaction by field. The redactor searches text for secret and masked values; what it searches
// is decided here, once per event kind: only the fields that can carry user data (URLs, header
// values, bodies mapped into variables, messages, error texts). Event types, keys, widget ids,
// exits, outcome kinds, codes and the flow's own text are vocabulary and pass untouched, so a
// one-letter secret or a masked "http" can hide values but never change an event's shape.
import { setOwn } from "./own-property.js";
import type { Redactor } from "./redact.js";
import type { Outcome, RunError, TraceEvent, VariableChange, Writable } from "./trace.js";

/** `event` with the defined values of `patch`, or `event` itself when they change nothing (the common case). */
function patched<T extends object>(event: T, patch: { [K in keyof T]?: T[K] | undefined }): T {
  let copy: Writable<T> | undefined;
  for (const key of Object.keys(patch) as (keyof T)[]) {
    const value = patch[key];
    if (value !== undefined && value !== event[key]) (copy ??= { ...event })[key] = value;
  }
  return copy ?? event;
}

function error(redactor: Redactor, value: RunError): RunError;
function error(redactor: Redactor, value: RunError | undefined): RunError | undefined;
function error(redactor: Redactor, value: RunError | undefined): RunError | undefined {
  if (value === undefined) return undefined;
  const message = redactor.text(value.message);
  return message === value.message ? value : { code: value.code, message };
}

function headers(
  redactor: Redactor,
  list: ReadonlyArray<readonly [string, string]>,
): ReadonlyArray<readonly [string, string]> {
  let copy: Array<readonly [string, string]> | undefined;
  for (let i = 0; i < list.length; i++) {
    const [name, value] = list[i]!;
    const shown = redactor.text(value);
    if (shown !== value) (copy ??= list.slice())[i] = [name, shown];
  }
  return copy ?? list;
}

function changes(redactor: Redactor, list: readonly VariableChange[]): readonly VariableChange[] {
  let copy: VariableChange[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const { name, value } = list[i]!;
    const shown = redactor.deep(value);
    if (shown !== value) (copy ??= list.slice())[i] = { name, value: shown };
  }
  return copy ?? list;
}

/** Variable values by name: the names are the flow's, the values user data. */
function variables(redactor: Redactor, values: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const list = Object.values(values);
  const shown = redactor.deep(list);
  if (shown === list) return values;
  const names = Object.keys(values);
  const copy: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i++) setOwn(copy, names[i]!, shown[i]);
  return copy;
}

/** An outcome with its error message redacted; its kind, widget and queue are the flow's. */
export function redactOutcome<W extends string>(redactor: Redactor, outcome: Outcome<W>): Outcome<W> {
  if (!redactor.active || outcome.kind !== "failed") return outcome;
  return patched(outcome, { error: error(redactor, outcome.error) });
}

/** A trace event as it leaves the runtime: each field that can carry user data redacted, nothing else. */
export function redactEvent<W extends string>(redactor: Redactor, event: TraceEvent<W>): TraceEvent<W> {
  if (!redactor.active) return event;
  switch (event.type) {
    case "run.start":
      return patched(event, { variables: variables(redactor, event.variables) });
    case "step.start":
      return event;
    case "http.attempt.start":
      return patched(event, { url: redactor.text(event.url), headers: headers(redactor, event.headers) });
    case "http.redirect":
      return patched(event, { from: redactor.text(event.from), to: redactor.text(event.to) });
    case "http.attempt.end":
      return patched(event, { url: redactor.text(event.url), error: error(redactor, event.error) });
    case "step.end":
      return patched(event, {
        changes: changes(redactor, event.changes),
        message: event.message === undefined ? undefined : redactor.text(event.message),
        error: error(redactor, event.error),
        errorResults: error(redactor, event.errorResults),
      });
    case "run.end":
      return patched(event, { outcome: redactOutcome(redactor, event.outcome) });
  }
}
