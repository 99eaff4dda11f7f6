// What both handlers share: a compiled flow made ready for the host core once per container, and one
// invocation run through it with the deadline Lambda leaves. The host core is host/ (the same decoding,
// validation, deadline, cancellation and answer as `callflow serve`); this file only adapts Lambda to it.
import { FlowInputs, Host, HOST_DEFAULTS, type HostedFlow, type HostResponse, type RunRecord } from "../host/host.js";
import type { BodyEncoding } from "../host/inputs.js";
import type { LoadedFlow } from "../loader/load-flow.js";
import {
  envSecrets,
  run,
  type FetchLike,
  type Transport,
  type FlowDefinition,
  type RunResult,
  type SecretProvider,
  type Vars,
} from "../runtime/node.js";
import type { LambdaContext } from "./events.js";

/** Options of every handler. */
export interface LambdaOptions {
  /** The values of the flows' `config` declarations (an environment's, from outside; never from a request). */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * Where `secret NAME` values come from. Default: `envSecrets()`, the function's environment variables
   * `CALLFLOW_SECRET_NAME`. `secretsManagerSecrets` and `secretsOnce` (./secrets.ts) read a vault once per container.
   */
  readonly secrets?: SecretProvider;
  /** A run's deadline at most; default the host's (10 s), always cut to what Lambda leaves minus `marginMs`. */
  readonly deadlineMs?: number;
  /** Time kept back from `getRemainingTimeInMillis()` to answer after cancelling a run. Default 250 ms. */
  readonly marginMs?: number;
  /** The runtime's transport; default undici. */
  readonly transport?: Transport | FetchLike;
  /** Called once per run that started, after it ended (logs, metrics); its trace is redacted. */
  readonly onRun?: (record: RunRecord) => void;
}

export const LAMBDA_DEFAULTS = {
  /** Cancelling a run and shaping its answer takes a few milliseconds; the rest is slack for a busy container. */
  marginMs: 250,
} as const;

/** A flow ready for the host, made once per container: its input schema is compiled here. */
export function hostedFlow<V extends Vars, S extends string, W extends string>(
  definition: FlowDefinition<V, S, W>,
): HostedFlow {
  // A generated definition is typed by its own variables; the host takes any flow's.
  const flow = definition as unknown as FlowDefinition<Vars, string, string>;
  // The host reads a loaded flow's definition and run function only; a bundle has no source to parse.
  const loaded = {
    definition: flow,
    run: (input: Vars, options?: Parameters<LoadedFlow["run"]>[1]) => run(flow, input, options),
  } as Omit<LoadedFlow, "ast"> as LoadedFlow;
  return { id: flow.id, file: flow.source ?? flow.id, loaded, inputs: new FlowInputs(flow) };
}

/** The run's deadline: the option (or the host's default), cut to what Lambda leaves minus the margin. */
export function deadlineMs(options: LambdaOptions, context: LambdaContext | undefined): number {
  const wanted = options.deadlineMs ?? HOST_DEFAULTS.deadlineMs;
  if (context === undefined) return wanted;
  const left = context.getRemainingTimeInMillis() - (options.marginMs ?? LAMBDA_DEFAULTS.marginMs);
  return Math.max(1, Math.min(wanted, Math.floor(left)));
}

/** What one invocation gives the host. */
export interface Invocation {
  readonly flows: readonly HostedFlow[];
  readonly flow: string;
  readonly body: unknown;
  readonly encoding: BodyEncoding;
}

/** The host's answer, and the run's own result when a run happened (for variables a flow author unmasked). */
export interface Answer {
  readonly response: HostResponse;
  readonly result?: RunResult<Vars, string>;
}

/**
 * One invocation through a host of its own: the deadline is per invocation (what Lambda leaves), and a
 * Lambda container runs one invocation at a time, so nothing is lost by not sharing one.
 */
export async function invoke(
  invocation: Invocation,
  options: LambdaOptions,
  secrets: SecretProvider,
  context: LambdaContext | undefined,
): Promise<Answer> {
  let result: RunResult<Vars, string> | undefined;
  const flows = invocation.flows.map((flow) => ({
    ...flow,
    loaded: {
      ...flow.loaded,
      run: async (input: Vars, runOptions?: Parameters<LoadedFlow["run"]>[1]) =>
        (result = await flow.loaded.run(input, runOptions)),
    },
  }));
  const host = new Host({
    flows,
    environment: { config: options.config ?? {}, secrets },
    deadlineMs: deadlineMs(options, context),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(options.onRun === undefined ? {} : { onRun: options.onRun }),
  });
  const response = await host.run({ flow: invocation.flow, body: invocation.body, encoding: invocation.encoding });
  return result === undefined ? { response } : { response, result };
}

/** The secret provider of a handler: the option, else the function's environment variables. */
export function secretsOf(options: LambdaOptions): SecretProvider {
  return options.secrets ?? envSecrets();
}
