// The state of one run: its variables, its trace, its redactor and the secrets it resolved.
// Steps change variables and emit events only through here, so redaction cannot be skipped.
import type { FlowDefinition, SecretValues, Vars } from "./flow.js";
import type { ResolvedOptions, StepContext } from "./options.js";
import { setOwn } from "./own-property.js";
import { MASK, Redactor } from "./redact.js";
import { SECRET_ENV_PREFIX } from "./secrets.js";
import type { RunError, TraceEvent, VariableChange } from "./trace.js";

/** A signal that never aborts, for handlers of runs without one. */
const NEVER = new AbortController().signal;

export class RunState<V extends Vars, S extends string, W extends string> {
  readonly trace: TraceEvent<W>[] = [];
  readonly redactor = new Redactor();
  /** The first error an `onEvent` handler threw; the run fails at the next step boundary. */
  handlerError: RunError | undefined;
  readonly #epoch = Date.now();
  readonly #origin: number;
  /** Created with the first secret resolved: most steps need none. */
  #secrets: Map<string, string> | undefined;

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
    for (const name of masked) if (Object.hasOwn(vars, name)) this.redactor.addMasked(vars[name]);
  }

  /** Epoch milliseconds for a reading of the run's clock taken during the run. */
  epochAt(at: number): number {
    return Math.round(this.#epoch + (at - this.#origin));
  }

  get variables(): V {
    return this.vars as V;
  }

  emit(event: TraceEvent<W>): void {
    const redacted = this.redactor.deep(event);
    this.trace.push(redacted);
    if (this.options.onEvent === undefined) return;
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

  assign(name: string, value: unknown): VariableChange {
    if (this.isMasked(name)) this.redactor.addMasked(value);
    setOwn(this.vars, name, value);
    return { name, value: this.display(name, value) };
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

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
