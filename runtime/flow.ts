// The shape of a compiled flow: what a generated module exports and `run` executes.
// The compiler emits these objects; builders are generated functions over the typed
// variables, so nothing is parsed or interpreted at run time.

import type { HttpMethod, HttpStepFields, VarType } from "./contract.js";

export type { HttpMethod, VarType } from "./contract.js";

/** The values a step reads. `V` is the generated variables type of the flow. */
export type Vars = Record<string, unknown>;

/** Secret values resolved for one step, by name. Only names the step declares in `secrets` are present. */
export type SecretValues<S extends string> = { readonly [K in S]?: string };

export interface VariableSpec {
  /** `config` values come from `RunOptions.config` (the environment), never from input. */
  readonly scope: "global" | "local" | "config";
  readonly type: VarType;
  /** Masked values are shown as •••• in traces, errors and logs, like secrets. */
  readonly masked: boolean;
  /** Present when the declaration has a default; a global without one is required. */
  readonly default?: unknown;
}

/** Where a result comes from. `read` is present for simple paths compiled to property access. */
export type ResultSource =
  | { readonly kind: "json"; readonly path: string; readonly read?: (body: unknown) => unknown }
  | { readonly kind: "status" }
  | { readonly kind: "header"; readonly name: string };

export interface ResultSpec<V extends Vars> {
  readonly source: ResultSource;
  readonly target: keyof V & string;
  readonly type: VarType;
}

/** `json`: any JSON value; `form`: key/value pairs; `text`: a string. */
export type BodySpec<V extends Vars, S extends string> =
  | { readonly kind: "json"; readonly build: (v: V, s: SecretValues<S>) => unknown }
  | { readonly kind: "form"; readonly build: (v: V, s: SecretValues<S>) => ReadonlyArray<readonly [string, string]> }
  | { readonly kind: "text"; readonly build: (v: V, s: SecretValues<S>) => string };

interface StepBase<W extends string> {
  readonly id: W;
  /** The display name from the .flow file, when it has one. */
  readonly name?: string;
  /** `file.flow:line` of the widget in its source, for traces and errors. */
  readonly source: string;
}

/** A status class a status exit may route; 2xx is the success exit's. */
export type StatusClass = "1xx" | "3xx" | "4xx" | "5xx";

/** What a status exit matches: a non-2xx status (100-599), a class, or how the last attempt failed. */
export type StatusMatch = number | StatusClass | "timeout" | "network_error";

/** `on 404, 410 -> w`: taken when the last attempt ends with a listed outcome. */
export interface StatusExit<W extends string> {
  readonly statuses: readonly StatusMatch[];
  readonly target: W;
}

/** The optional fields of HTTP_STEP (contract.ts) are declared there, with their bounds and defaults. */
export interface HttpStep<V extends Vars, S extends string, W extends string>
  extends StepBase<W>, Partial<HttpStepFields> {
  readonly kind: "http";
  readonly method: HttpMethod;
  /** Secrets this step reads; all are resolved before any request is sent. */
  readonly secrets: readonly S[];
  /** The URL without the `query` block; interpolated values are already percent-encoded. */
  readonly url: (v: V, s: SecretValues<S>) => string;
  readonly query?: (v: V, s: SecretValues<S>) => ReadonlyArray<readonly [string, string]>;
  readonly authorization?: (v: V, s: SecretValues<S>) => string;
  readonly headers?: (v: V, s: SecretValues<S>) => ReadonlyArray<readonly [string, string]>;
  /** Header names whose values come from a secret; their values are hidden in traces. */
  readonly secretHeaders: readonly string[];
  readonly contentType?: string;
  readonly body?: BodySpec<V, S>;
  readonly results: readonly ResultSpec<V>[];
  /** Mapped from a non-2xx final response, before its status exit or `fail` is taken. */
  readonly errorResults?: readonly ResultSpec<V>[];
  /** Checked before `fail`: a status beats its class; none may match a 2xx. */
  readonly statusExits?: readonly StatusExit<W>[];
  readonly success: W;
  readonly fail: W;
}

export interface ConditionBranch<V extends Vars, W extends string> {
  readonly test: (v: V) => boolean;
  /** The condition as written in the .flow file, for traces. */
  readonly text: string;
  readonly target: W;
}

export interface ConditionStep<V extends Vars, W extends string> extends StepBase<W> {
  readonly kind: "condition";
  readonly branches: readonly ConditionBranch<V, W>[];
  readonly else: W;
}

export interface SetStep<V extends Vars, W extends string> extends StepBase<W> {
  readonly kind: "set";
  /** Returns the new values of the assigned variables only. */
  readonly assign: (v: V) => Partial<V>;
  readonly next: W;
}

export interface SendStep<V extends Vars, W extends string> extends StepBase<W> {
  readonly kind: "send";
  readonly message: (v: V) => string;
  readonly next: W;
}

export interface RouteStep<W extends string> extends StepBase<W> {
  readonly kind: "route";
  readonly queue: string;
}

export interface EndStep<W extends string> extends StepBase<W> {
  readonly kind: "end";
}

export type Step<V extends Vars, S extends string, W extends string> =
  HttpStep<V, S, W> | ConditionStep<V, W> | SetStep<V, W> | SendStep<V, W> | RouteStep<W> | EndStep<W>;

export interface FlowDefinition<V extends Vars, S extends string, W extends string> {
  readonly id: string;
  readonly name?: string;
  /** The .flow file's path relative to where it was compiled, as given to the compiler. */
  readonly source: string;
  readonly start: W;
  readonly variables: { readonly [K in keyof V & string]: VariableSpec };
  readonly secrets: readonly S[];
  readonly steps: { readonly [K in W]: Step<V, S, W> };
}
