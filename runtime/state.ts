// The state of one run: its variables, its trace, its redactor and the secrets it resolved.
// Steps change variables and emit events only through here, so redaction cannot be skipped.
import type { FlowDefinition, SecretValues, Vars } from "./flow.js";
import type { ResolvedOptions, StepContext } from "./options.js";
import { setOwn } from "./own-property.js";
import { hideMarker, hideMarkerDeep, holdsMarker, runMarker } from "./hidden.js";
import { MASK, Redactor } from "./redact.js";
import { redactEvent } from "./redact-trace.js";
import { SECRET_ENV_PREFIX } from "./secrets.js";
import { RunTelemetry } from "./telemetry.js";
import type { RunError, TraceEvent, VariableChange } from "./trace.js";

/** A signal that never aborts, for handlers of runs without one. */
const NEVER = new AbortController().signal;

export class RunState<V extends Vars, S extends string, W extends string> {
  readonly redactor = new Redactor();
  readonly events = new TraceEvents<W>(this.redactor);
  readonly telemetry: RunTelemetry;
  /** The first error an `onEvent` handler threw; the run fails at the next step boundary. */
  handlerError: RunError | undefined;
  readonly #epoch = Date.now();
  readonly #origin: number;
  /** Created with the first secret resolved: most steps need none. */
  #secrets: Map<string, string> | undefined;
  /** Stands for hidden values in twin renderings (runtime/hidden.ts); made when first needed. */
  #marker: string | undefined;
  /**
   * Twin values of the variables that hold hidden values: the marker for a masked variable, and
   * for one a `set` computed from hidden values, that value computed from the twins. Created
   * with the first: most runs have none.
   */
  #twins: Map<string, unknown> | undefined;

  constructor(
    readonly flow: FlowDefinition<V, S, W>,
    /** The flow's masked variables. */
    readonly masked: ReadonlySet<string>,
    readonly options: ResolvedOptions<V, W>,
    /** Whether `options.secrets` is the env default, to say where a missing secret was looked for. */
    readonly envSecrets: boolean,
    readonly vars: Record<string, unknown>,
  ) {
    this.#origin = options.clock.now();
    this.telemetry = new RunTelemetry(flow.id, (text) => this.redactor.text(text));
    for (const name of masked) {
      if (!Object.hasOwn(vars, name) || vars[name] === undefined) continue;
      this.redactor.addMasked(vars[name]);
      (this.#twins ??= new Map()).set(name, this.marker);
    }
  }

  get marker(): string {
    return (this.#marker ??= runMarker());
  }

  /** The variables as builders see them for a twin rendering; undefined when no variable holds a hidden value. */
  twinVariables(): V | undefined {
    if (this.#twins === undefined || this.#twins.size === 0) return undefined;
    const twin: Record<string, unknown> = {};
    for (const name of Object.keys(this.vars)) setOwn(twin, name, this.vars[name]);
    for (const [name, value] of this.#twins) setOwn(twin, name, value);
    return twin as V;
  }

  /** Text from a twin rendering as traces show it. */
  hide(text: string): string {
    return this.#marker === undefined ? text : hideMarker(text, this.#marker);
  }

  /** Epoch milliseconds for a reading of the run's clock taken during the run. */
  epochAt(at: number): number {
    return Math.round(this.#epoch + (at - this.#origin));
  }

  get variables(): V {
    return this.vars as V;
  }

  emit(event: TraceEvent<W>): void {
    if (this.options.onEvent === undefined) return this.events.hold(event);
    const redacted = this.events.add(event);
    try {
      this.options.onEvent(redacted);
    } catch (error) {
      this.handlerError ??= { code: "handler", message: `onEvent handler threw: ${messageOf(error)}` };
    }
  }

  isMasked(name: string): boolean {
    return this.masked.has(name);
  }

  /** A value as traces show it: masked variables as ••••. */
  display(name: string, value: unknown): unknown {
    return this.isMasked(name) ? MASK : value;
  }

  /**
   * Sets a variable. `twin` is its value computed from the twins of the variables (a `set`
   * step): when it holds the marker, the variable derives from a hidden value, and traces show
   * that twin with the hidden parts as `••••`.
   */
  assign(name: string, value: unknown, twin?: unknown): VariableChange {
    setOwn(this.vars, name, value);
    if (this.isMasked(name)) {
      this.redactor.addMasked(value);
      if (value === undefined) this.#twins?.delete(name);
      else (this.#twins ??= new Map()).set(name, this.marker);
      return { name, value: MASK };
    }
    if (this.#marker !== undefined && twin !== undefined && holdsMarker(twin, this.#marker)) {
      // Derived from a hidden value: searched for too, should a server echo it back.
      this.redactor.addMasked(value);
      (this.#twins ??= new Map()).set(name, twin);
      return { name, value: hideMarkerDeep(twin, this.#marker) };
    }
    this.#twins?.delete(name);
    return { name, value };
  }

  stepContext(widget: W): StepContext<V, W> {
    return { flow: this.flow.id, widget, variables: this.variables, signal: this.options.signal ?? NEVER };
  }

  /** Every secret `names` lists, resolved once per run; a missing one fails with all missing names. */
  async resolveSecrets(
    names: readonly S[],
  ): Promise<{ ok: true; values: SecretValues<S> } | { ok: false; error: RunError }> {
    const values: { [K in S]?: string } = {};
    const missing: string[] = [];
    for (const name of names) {
      let value = this.#secrets?.get(name);
      if (value === undefined) {
        try {
          value = await this.options.secrets(name);
        } catch (error) {
          return {
            ok: false,
            error: { code: "secret-provider", message: `secret provider failed for ${name}: ${messageOf(error)}` },
          };
        }
        // An empty value is treated as unset: it is almost always a configuration mistake.
        if (typeof value !== "string" || value === "") {
          missing.push(name);
          continue;
        }
        this.redactor.addSecret(value);
        (this.#secrets ??= new Map()).set(name, value);
      }
      values[name] = value;
    }
    if (missing.length === 0) return { ok: true, values };
    const where = this.envSecrets ? ` (looked for ${missing.map((n) => SECRET_ENV_PREFIX + n).join(", ")})` : "";
    return {
      ok: false,
      error: { code: "missing-secret", message: `missing secret ${missing.join(", ")}${where}; request not sent` },
    };
  }
}

/**
 * A run's trace. With no `onEvent` listener, events wait unredacted, each with the redactor's
 * version when it was emitted, and are redacted as they were then only when the trace is first
 * read: a run whose trace nobody reads redacts nothing. `read` is the only way out, so no event
 * leaves unredacted. Kept apart from RunState so that a result holds this, not the run's secrets.
 */
export class TraceEvents<W extends string> {
  #redactor: Redactor | undefined;
  #pending: TraceEvent<W>[] = [];
  #versions: number[] = [];
  readonly #trace: TraceEvent<W>[] = [];

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  hold(event: TraceEvent<W>): void {
    this.#pending.push(event);
    this.#versions.push(this.#redactor!.version);
  }

  /** Redacts `event` now and adds it; returns it as redacted. */
  add(event: TraceEvent<W>): TraceEvent<W> {
    const redacted = redactEvent(this.#redactor!, event);
    this.#trace.push(redacted);
    return redacted;
  }

  /** Every event, in order, redacted as it was when emitted; read once the run has ended, when the redactor is let go. */
  read(): TraceEvent<W>[] {
    const redactor = this.#redactor;
    if (redactor !== undefined) {
      for (let i = 0; i < this.#pending.length; i++)
        this.#trace.push(redactEvent(redactor.asOf(this.#versions[i]!), this.#pending[i]!));
      this.#pending = [];
      this.#versions = [];
      this.#redactor = undefined;
    }
    return this.#trace;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
