// Amazon Connect's InvokeLambdaFunction block, answered by a flow. The block's parameters (strings) are the
// flow's inputs, converted by each declared type as a form body is; contact attributes and the customer's
// number can be mapped onto inputs too. The answer lands under `$.External` in the contact flow: the run's
// outcome, its exit (the widget it ended at), the queue of a route, and the flow's variables, as a flat map of
// strings (the block's STRING_MAP validation) or as JSON. The handler always answers, failures included
// (`outcome` "failed" with `error_code`), so a contact flow branches on `$.External.outcome`; the block's
// Error branch is left to Lambda's own failures.
import type { RunBody } from "../host/host.js";
import type { FlowDefinition, Vars } from "../runtime/node.js";
import type { ConnectEvent, LambdaContext } from "./events.js";
import { hostedFlow, invoke, secretsOf, type Answer, type LambdaOptions } from "./invoke.js";

export interface ConnectOptions extends LambdaOptions {
  /** `string-map` (default): every value a string, as STRING_MAP validation requires; `json`: typed and nested. */
  readonly response?: "string-map" | "json";
  /** Inputs filled from the contact's attributes: input name → attribute key. A block parameter wins. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The input that takes the customer's number (`CustomerEndpoint.Address`), unless a parameter gives it. */
  readonly customerNumber?: string;
  /**
   * Masked variables whose values this flow's author chose to return to the contact flow. Every other masked
   * variable is left out of the answer (Connect would store it in the contact's attributes and records).
   */
  readonly unmasked?: readonly string[];
}

/** The answer's own keys; a variable of the same name would be shadowed, so such a flow is refused. */
export const CONNECT_KEYS = ["outcome", "exit", "queue", "error_code", "error_message"] as const;

export type ConnectResult = Readonly<Record<string, unknown>>;
export type ConnectHandler = (event: ConnectEvent, context?: LambdaContext) => Promise<ConnectResult>;

/** Variables named like a key of the answer, which they would shadow: such a flow cannot answer Connect. */
export function connectClashes<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
): string[] {
  return Object.keys(flow.variables)
    .filter((name) => (CONNECT_KEYS as readonly string[]).includes(name))
    .map((name) => `variable '${name}' has the name of a key of the answer (${CONNECT_KEYS.join(", ")}): rename it`);
}

/** Options that name no such variable or input of `flow`; empty when they all fit. */
export function connectOptionProblems<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  options: Pick<ConnectOptions, "unmasked" | "attributes" | "customerNumber">,
): string[] {
  const problems: string[] = [];
  const specs = new Map(Object.entries(flow.variables));
  for (const name of options.unmasked ?? []) {
    if (specs.get(name)?.masked !== true) problems.push(`'${name}' is not a masked variable of ${flow.id}`);
  }
  const inputs = [
    ...Object.keys(options.attributes ?? {}),
    ...(options.customerNumber === undefined ? [] : [options.customerNumber]),
  ];
  for (const name of inputs) {
    if (specs.get(name)?.scope !== "global") problems.push(`'${name}' is not an input (a global) of ${flow.id}`);
  }
  return problems;
}

/** A Lambda handler for Amazon Connect that runs `flow`; options are checked here, once per container. */
export function connectHandler<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  options: ConnectOptions = {},
): ConnectHandler {
  const problems = [...connectClashes(flow), ...connectOptionProblems(flow, options)];
  if (problems.length > 0) throw new TypeError(`connectHandler(${flow.id}): ${problems.join("; ")}`);
  const hosted = [hostedFlow(flow)];
  const secrets = secretsOf(options);
  return async (event, context) => {
    const answer = await invoke(
      { flows: hosted, flow: flow.id, body: connectInput(event, options), encoding: "form" },
      options,
      secrets,
      context,
    );
    return connectResult(flow, answer, options);
  };
}

/** The run's input: mapped attributes and the customer's number, then the block's parameters over them. */
function connectInput(event: ConnectEvent, options: ConnectOptions): Record<string, unknown> {
  const contact = event.Details.ContactData;
  const input: Record<string, unknown> = {};
  const attributes = contact.Attributes ?? {};
  for (const [name, key] of Object.entries(options.attributes ?? {}))
    if (Object.hasOwn(attributes, key)) input[name] = attributes[key];
  const number = contact.CustomerEndpoint?.Address;
  if (options.customerNumber !== undefined && typeof number === "string") input[options.customerNumber] = number;
  for (const [name, value] of Object.entries(event.Details.Parameters ?? {})) input[name] = value;
  return input;
}

function isRunBody(body: object): body is RunBody {
  return "outcome" in body;
}

/** The host's answer as Connect takes it. */
function connectResult<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  { response, result }: Answer,
  options: ConnectOptions,
): ConnectResult {
  const json = options.response === "json";
  const value = (v: unknown): unknown => (json ? v : asString(v));
  const answer: Record<string, unknown> = {};
  const body = response.body;
  if (isRunBody(body)) {
    const specs = flow.variables as Readonly<Record<string, { readonly masked: boolean }>>;
    const unmasked = new Set(options.unmasked ?? []);
    for (const [name, shown] of Object.entries(body.variables)) {
      if (!specs[name]?.masked) answer[name] = value(shown);
      else if (unmasked.has(name) && result !== undefined && Object.hasOwn(result.variables, name))
        answer[name] = value(result.variables[name]);
    }
    answer["outcome"] = body.outcome;
    answer["exit"] = body.widget;
    if (body.queue !== undefined) answer["queue"] = body.queue;
    if (body.error !== undefined) {
      answer["error_code"] = body.error.code;
      answer["error_message"] = body.error.message;
    }
    return answer;
  }
  // Refused before running: invalid input, overloaded, a defect.
  answer["outcome"] = "failed";
  if (typeof body.error === "string") {
    answer["error_code"] = body.error;
    answer["error_message"] = (body.problems ?? []).map((p) => `${p.field} ${p.message}`.trim()).join("; ");
  } else {
    answer["error_code"] = body.error.code;
    answer["error_message"] = body.error.message;
  }
  return answer;
}

/** A value as STRING_MAP validation takes it: text as is, anything else as its JSON text. */
function asString(value: unknown): string {
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "");
}
