// The host core: what `callflow serve` (server/) and the AWS Lambda handlers (lambda/) share. It knows no
// transport: an adapter hands it a flow id, a parsed body and its encoding, and gets back a status, headers
// and a JSON body to send. Nothing is kept between requests but the loaded flows and counters.
//
// Exported interface (stable; adapters build on it):
//
//   hostFlows(sources)             load `{ file, text }` sources → `{ flows, problems }` (HostedFlow per flow id)
//   hostFlow(loaded, file)         one already loaded flow → HostedFlow
//   new Host({ flows, environment, deadlineMs?, maxConcurrency?, transport? })
//     .run({ flow, body, encoding, controller? }) → Promise<HostResponse>   never rejects; `.record` when a run happened
//     .flows / .flow(id) / .replace(flow)   the served flows; replace swaps one (a reload)
//     .inFlight / .draining / .drain(ms)    drain: refuse new runs, wait, then cancel the rest (answered 503)
//   parseBody(contentType, text)   a raw body → `{ body, encoding }` or a HostResponse (400, 415), for adapters
//                                  whose framework does not parse bodies (Lambda)
//   HostEnvironment { config, secrets }  per environment, from outside: config values and a SecretProvider
//   HostResponse { status, headers, body, record? }, RunBody, ErrorBody, RunRecord (the run, for metrics, logs,
//                                  status pages), RunRequest, HostOptions, HostedFlow, FlowProblem, HOST_DEFAULTS
//   FlowInputs (host/inputs.ts): a flow's input schema (`.schema`, for OpenAPI) and `.decode`; ANSWER_SCHEMAS
//                                  each type's schema in an answer, derived from the input schemas
//
// An adapter sends `status`, `headers` and `body` (JSON) as they are; it passes `controller` and aborts it to
// cancel a run whose caller went away, and the tracing context it wants the run's spans under is the active one when it calls run.
//
// Statuses: 200 end or route; 400 invalid input; 404 unknown flow; 502 the run failed; 503 overloaded
// (more than maxConcurrency runs) or draining, with Retry-After; 504 the deadline passed (the run is
// cancelled, its request in flight aborted); 500 only for a defect, with no detail.
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import { loadFlow, type LoadedFlow } from "../loader/load-flow.js";
import type { FetchLike, Outcome, RunOptions, SecretProvider, TraceEvent, Transport } from "../runtime/index.js";
import { FlowInputs, type BodyEncoding, type InputProblem } from "./inputs.js";

export {
  ANSWER_SCHEMAS,
  FlowInputs,
  type BodyEncoding,
  type Decoded,
  type InputProblem,
  type JsonSchema,
} from "./inputs.js";

/** A flow ready to serve: its compiled module and its inputs. */
export interface HostedFlow {
  /** The flow's id (`flow order_status`): the `{flow_id}` of its URL. */
  readonly id: string;
  /** The .flow file it came from, as given. */
  readonly file: string;
  readonly loaded: LoadedFlow;
  readonly inputs: FlowInputs;
}

/** A flow file that could not be served: its diagnostics, or why not (a duplicate id). */
export interface FlowProblem {
  readonly file: string;
  readonly message: string;
  readonly diagnostics: readonly Diagnostic[];
}

/** What an environment gives every run, from outside: never from a request. */
export interface HostEnvironment {
  /** The values of the flows' `config` declarations. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly secrets: SecretProvider;
}

export interface HostOptions {
  readonly flows: Iterable<HostedFlow>;
  readonly environment: HostEnvironment;
  /** Per run; when it passes the run is cancelled and answered 504. */
  readonly deadlineMs?: number;
  /** Runs in flight at most; one more is answered 503 at once. */
  readonly maxConcurrency?: number;
  /** The runtime's transport; default the runtime's own (undici on Node). */
  readonly transport?: Transport | FetchLike;
}

export const HOST_DEFAULTS = {
  /** Twilio Studio's Make HTTP Request waits 10 s. */
  deadlineMs: 10_000,
  /** Runs wait on the network, not the CPU: many fit in one process. */
  maxConcurrency: 256,
  /** Seconds a shed caller is asked to wait. */
  retryAfterSeconds: 1,
} as const;

/** A run's answer: `outcome` end or route (200), failed (502), or failed by the deadline (504). */
export interface RunBody {
  readonly flow: string;
  readonly outcome: "end" | "route" | "failed";
  /** The terminal widget, or the one where the run failed. */
  readonly widget: string;
  readonly queue?: string;
  /** What `send` widgets said, in order. */
  readonly messages: readonly string[];
  /** Globals and locals as the run left them, masked ones as ••••; unset ones absent. */
  readonly variables: Readonly<Record<string, unknown>>;
  readonly error?: { readonly code: string; readonly message: string; readonly widget: string };
}

export interface ErrorBody {
  readonly error: string | { readonly code: string; readonly message: string };
  readonly problems?: readonly InputProblem[];
}

export interface HostResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: RunBody | ErrorBody;
  /** Present when a run started: what happened, for metrics, logs and status pages. */
  readonly record?: RunRecord;
}

/** One finished run, for observers; its trace is redacted as every trace is. */
export interface RunRecord {
  readonly flow: string;
  /** `deadline` and `drained` are failures the host caused by cancelling. */
  readonly outcome: "end" | "route" | "failed" | "deadline" | "drained";
  readonly widget: string;
  readonly status: number;
  readonly durationMs: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly trace: readonly TraceEvent[];
}

export interface RunRequest {
  readonly flow: string;
  /** The parsed body: JSON, or form fields as strings. */
  readonly body: unknown;
  readonly encoding: BodyEncoding;
  /**
   * The run's own controller: the adapter aborts it when the caller goes away, and the host aborts it at the
   * deadline or when a drain runs out of time. One per run, so no listener joins two signals. Default: a new one.
   */
  readonly controller?: AbortController;
}

/** Loads flow sources; a file with errors or a second flow of the same id is a problem, not a served flow. */
export async function hostFlows(
  sources: Iterable<{ readonly file: string; readonly text: string }>,
): Promise<{ flows: HostedFlow[]; problems: FlowProblem[] }> {
  const flows: HostedFlow[] = [];
  const problems: FlowProblem[] = [];
  const seen = new Map<string, string>();
  for (const { file, text } of sources) {
    const { diagnostics, loaded } = await loadFlow(text, file);
    if (loaded === undefined || hasErrors(diagnostics)) {
      problems.push({ file, message: `${file} has errors`, diagnostics });
      continue;
    }
    const flow = hostFlow(loaded, file);
    const first = seen.get(flow.id);
    if (first !== undefined) {
      problems.push({ file, message: `flow ${flow.id} is also defined in ${first}`, diagnostics: [] });
      continue;
    }
    seen.set(flow.id, file);
    flows.push(flow);
  }
  return { flows, problems };
}

export function hostFlow(loaded: LoadedFlow, file: string): HostedFlow {
  return { id: loaded.definition.id, file, loaded, inputs: new FlowInputs(loaded.definition) };
}

const json = { "content-type": "application/json; charset=utf-8" } as const;

function error(status: number, code: string, message: string, headers: Record<string, string> = {}): HostResponse {
  return { status, headers: { ...json, ...headers }, body: { error: { code, message } } };
}

/** Why the host cancelled a run. */
type Cancel = "deadline" | "drained";

export class Host {
  readonly #flows = new Map<string, HostedFlow>();
  readonly #environment: HostEnvironment;
  readonly #deadlineMs: number;
  readonly #maxConcurrency: number;
  readonly #transport: Transport | FetchLike | undefined;
  /** Runs in flight, for a drain that runs out of time to cancel. */
  readonly #running = new Set<Running>();
  /** What each flow's runs share, made on its first run. */
  readonly #prepared = new WeakMap<HostedFlow, Prepared>();
  #inFlight = 0;
  #draining = false;
  #idle: (() => void) | undefined;

  constructor(options: HostOptions) {
    for (const flow of options.flows) this.#flows.set(flow.id, flow);
    this.#environment = options.environment;
    this.#deadlineMs = options.deadlineMs ?? HOST_DEFAULTS.deadlineMs;
    this.#maxConcurrency = options.maxConcurrency ?? HOST_DEFAULTS.maxConcurrency;
    this.#transport = options.transport;
  }

  get flows(): readonly HostedFlow[] {
    return [...this.#flows.values()];
  }

  flow(id: string): HostedFlow | undefined {
    return this.#flows.get(id);
  }

  /** Serves `flow` from the next request on; runs in flight finish on the version they started with. */
  replace(flow: HostedFlow): void {
    this.#flows.set(flow.id, flow);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Refuses new runs (503), waits up to `timeoutMs` for those in flight, then cancels them (answered 503). */
  async drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return;
    const idle = new Promise<void>((resolve) => (this.#idle = resolve));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
    if ((await Promise.race([idle, late])) === "late") {
      for (const running of this.#running) stop(running, "drained");
      await idle;
    }
    clearTimeout(timer);
  }

  #prepare(flow: HostedFlow): Prepared {
    let prepared = this.#prepared.get(flow);
    if (prepared === undefined) {
      const given = this.#environment.config;
      const variables = flow.loaded.definition.variables;
      const names = Object.keys(variables);
      prepared = {
        // The runtime refuses a config a flow does not declare: each flow gets its share of the environment's.
        config: Object.fromEntries(
          names
            .filter((name) => variables[name]?.scope === "config" && Object.hasOwn(given, name))
            .map((name) => [name, given[name]]),
        ),
        shown: new Set(
          names.filter((name) => variables[name]?.scope === "global" || variables[name]?.scope === "local"),
        ),
      };
      this.#prepared.set(flow, prepared);
    }
    return prepared;
  }

  /** Answers one request; never rejects. */
  async run(request: RunRequest): Promise<HostResponse> {
    const flow = this.#flows.get(request.flow);
    if (flow === undefined) return error(404, "unknown-flow", "no flow has this id");
    if (this.#draining)
      return error(503, "draining", "the server is shutting down", {
        "retry-after": String(HOST_DEFAULTS.retryAfterSeconds),
        connection: "close",
      });
    if (this.#inFlight >= this.#maxConcurrency)
      return error(503, "overloaded", "too many runs in flight", {
        "retry-after": String(HOST_DEFAULTS.retryAfterSeconds),
      });
    const decoded = flow.inputs.decode(request.body, request.encoding);
    if (!decoded.ok)
      return { status: 400, headers: json, body: { error: "invalid-input", problems: decoded.problems } };

    this.#inFlight++;
    try {
      return await this.#execute(flow, decoded.input, request.controller ?? new AbortController());
    } catch {
      // A defect (run rejects only for programmer errors, which validation rules out): no detail leaves.
      return error(500, "internal", "internal error");
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  async #execute(
    flow: HostedFlow,
    input: Readonly<Record<string, unknown>>,
    controller: AbortController,
  ): Promise<HostResponse> {
    const running: Running = { controller, cancel: undefined };
    // One timer per run, cleared when it ends; a drain that runs out of time reaches the run through #running.
    const timer = setTimeout(stop, this.#deadlineMs, running, "deadline");
    this.#running.add(running);
    const prepared = this.#prepare(flow);
    const started = performance.now();
    try {
      const options: RunOptions = {
        config: prepared.config,
        secrets: this.#environment.secrets,
        signal: controller.signal,
        ...(this.#transport === undefined ? {} : { transport: this.#transport }),
      };
      const result = await flow.loaded.run(input, options);
      const durationMs = performance.now() - started;
      const { outcome } = result;
      // The caller going away aborts the controller without a reason of the host's: its run ends as failed.
      const why = outcome.kind === "failed" && outcome.error.code === "cancelled" ? running.cancel : undefined;
      const status = why === "deadline" ? 504 : why === "drained" ? 503 : outcome.kind === "failed" ? 502 : 200;
      const body =
        why === "drained"
          ? { error: { code: "drained", message: "the server shut down before the run finished" } }
          : shape(flow, prepared.shown, outcome, result.trace, why === "deadline" ? this.#deadlineMs : undefined);
      return {
        status,
        headers: why === "drained" ? drainedHeaders : json,
        body,
        record: {
          flow: flow.id,
          outcome: why ?? outcome.kind,
          widget: outcome.widget,
          status,
          durationMs,
          ...(outcome.kind === "failed" ? { error: outcome.error } : {}),
          trace: result.trace,
        },
      };
    } finally {
      clearTimeout(timer);
      this.#running.delete(running);
    }
  }
}

/** What every run of one flow shares. */
interface Prepared {
  readonly config: Readonly<Record<string, unknown>>;
  /** The variables an answer shows: globals and locals (never configs or secrets). */
  readonly shown: ReadonlySet<string>;
}

/** A run in flight: its controller, and why the host cancelled it, if it did. */
interface Running {
  readonly controller: AbortController;
  cancel: Cancel | undefined;
}

/** Cancels a run for `why`; the first reason wins. */
function stop(running: Running, why: Cancel): void {
  running.cancel ??= why;
  running.controller.abort();
}

const drainedHeaders = { ...json, connection: "close" } as const;

/**
 * The answer's body from the run's redacted trace, not its raw variables: the values the trace holds passed
 * the run's redactor, so masked variables and any secret a response echoed back are hidden.
 */
function shape(
  flow: HostedFlow,
  shown: ReadonlySet<string>,
  outcome: Outcome<string>,
  trace: readonly TraceEvent[],
  deadlineMs: number | undefined,
): RunBody {
  const variables: Record<string, unknown> = {};
  const messages: string[] = [];
  for (const event of trace) {
    if (event.type === "run.start") {
      for (const name in event.variables) if (shown.has(name)) variables[name] = event.variables[name];
    } else if (event.type === "step.end") {
      for (const change of event.changes) if (shown.has(change.name)) variables[change.name] = change.value;
      if (event.message !== undefined) messages.push(event.message);
    }
  }
  return {
    flow: flow.id,
    outcome: outcome.kind,
    widget: outcome.widget,
    ...(outcome.kind === "route" ? { queue: outcome.queue } : {}),
    messages,
    variables,
    ...(outcome.kind !== "failed"
      ? {}
      : deadlineMs !== undefined
        ? {
            error: {
              code: "deadline",
              message: `the run did not finish within ${deadlineMs} ms`,
              widget: outcome.widget,
            },
          }
        : { error: { code: outcome.error.code, message: outcome.error.message, widget: outcome.widget } }),
  };
}

/** A raw body as the host takes it, for adapters that get bytes (Lambda); Fastify parses its own. */
export function parseBody(
  contentType: string | undefined,
  text: string,
): { readonly body: unknown; readonly encoding: BodyEncoding } | HostResponse {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded")
    return { body: Object.fromEntries(new URLSearchParams(text)), encoding: "form" };
  if (type !== "application/json" && !type.endsWith("+json"))
    return error(415, "unsupported-media-type", "send application/json or application/x-www-form-urlencoded");
  if (text.trim() === "") return { body: {}, encoding: "json" };
  try {
    return { body: JSON.parse(text) as unknown, encoding: "json" };
  } catch {
    return error(400, "invalid-json", "the body is not valid JSON");
  }
}
