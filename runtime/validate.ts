// Checks made before a run starts: that the flow object is well formed (once per object) and
// that the input globals match the declarations. Failures here are programmer errors.
import jsepAssignment from "@jsep-plugin/assignment";
import jsepRegex from "@jsep-plugin/regex";
import jsep from "jsep";
import { JSONPath } from "jsonpath-plus";
import { HTTP_METHODS, HTTP_STEP, VAR_TYPES, unboundedPathReason, type Bound, type ScriptNode } from "./contract.js";
import { FlowConfigError, FlowDefinitionError, FlowInputError } from "./errors.js";
import type { FlowDefinition, Step, VariableSpec, Vars } from "./flow.js";
import { describeType, matchesType } from "./types.js";

// jsep set up as jsonpath-plus's safe evaluator sets up its own copy, so a filter parses here as it will run.
jsep.plugins.register(jsepRegex, jsepAssignment);
jsep.addUnaryOp("typeof");
jsep.addUnaryOp("void");
const parseScript = (script: string): ScriptNode => jsep(script) as ScriptNode;

const METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
const TYPES: ReadonlySet<string> = new Set(VAR_TYPES);

/** Why an optional step field breaks its contract (HTTP_STEP), or undefined when it keeps it. */
function fieldProblem(value: unknown, contract: Bound<number> | { readonly default: boolean }): string | undefined {
  if (value === undefined) return undefined;
  if (!("max" in contract)) return typeof value === "boolean" ? undefined : "must be true or false";
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= contract.min && value <= contract.max)
    return undefined;
  const unit = contract.unit === "" ? "" : ` (${contract.unit})`;
  return `must be a whole number from ${contract.min} to ${contract.max}${unit}`;
}
const STATUS_WORDS: ReadonlySet<unknown> = new Set(["1xx", "3xx", "4xx", "5xx", "timeout", "network_error"]);

/** A status exit routes non-2xx statuses (100-599), classes other than 2xx, timeouts and network errors. */
function isStatusMatch(match: unknown): boolean {
  if (typeof match !== "number") return STATUS_WORDS.has(match);
  return Number.isInteger(match) && match >= 100 && match <= 599 && (match < 200 || match > 299);
}

const variableLists = new WeakMap<object, ReadonlyArray<readonly [string, VariableSpec]>>();

/** The flow's declarations as a list, computed once per flow object. */
export function variableList<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
): ReadonlyArray<readonly [string, VariableSpec]> {
  let list = variableLists.get(flow);
  if (list === undefined) {
    list = Object.entries<VariableSpec>(flow.variables);
    variableLists.set(flow, list);
  }
  return list;
}

/** What a run needs from a valid flow, worked out once per flow object. */
export interface FlowPlan<V extends Vars, S extends string, W extends string> {
  readonly variables: ReadonlyArray<readonly [string, VariableSpec]>;
  /** Names of masked variables (most flows have none). */
  readonly masked: ReadonlySet<string>;
  /**
   * Steps by widget id. A Map rather than `flow.steps[widget]`: a keyed read with a different
   * id at each step is megamorphic, and that slows node:http too (runtime/options.ts).
   */
  readonly steps: ReadonlyMap<string, Step<V, S, W>>;
}

/** Plans by flow object; each is read back with the types of the flow it was made for. */
const plans = new WeakMap<object, unknown>();

/** Throws FlowDefinitionError listing every problem; a flow that passed is not checked again. */
export function assertValidFlow<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
): FlowPlan<V, S, W> {
  const known =
    typeof flow === "object" && flow !== null ? (plans.get(flow) as FlowPlan<V, S, W> | undefined) : undefined;
  if (known !== undefined) return known;
  const problems = flowProblems(flow);
  if (problems.length > 0) {
    const id = typeof flow === "object" && flow !== null && typeof flow.id === "string" ? flow.id : "(unknown)";
    throw new FlowDefinitionError(id, problems);
  }
  const variables = variableList(flow);
  const plan: FlowPlan<V, S, W> = {
    variables,
    masked: new Set(variables.filter(([, spec]) => spec.masked).map(([name]) => name)),
    steps: new Map(Object.entries<Step<V, S, W>>(flow.steps)),
  };
  plans.set(flow, plan);
  return plan;
}

/** `value` when it is an array; otherwise none, with a problem naming `what` (hand-written flows reach here too). */
function listed<T>(value: readonly T[], what: string, problems: string[]): readonly T[] {
  if (Array.isArray(value)) return value;
  problems.push(`${what} is not an array`);
  return [];
}

function flowProblems<V extends Vars, S extends string, W extends string>(flow: FlowDefinition<V, S, W>): string[] {
  if (typeof flow !== "object" || flow === null) return ["not an object"];
  if (typeof flow.steps !== "object" || flow.steps === null) return ["`steps` is not an object"];
  if (typeof flow.variables !== "object" || flow.variables === null) return ["`variables` is not an object"];
  const problems: string[] = [];
  const steps: Readonly<Record<string, Step<V, S, W>>> = flow.steps;
  const target = (from: string, to: unknown): void => {
    if (typeof to !== "string" || !Object.hasOwn(steps, to))
      problems.push(`${from} exits to unknown widget ${String(to)}`);
  };
  target("start", flow.start);
  for (const [name, spec] of Object.entries(flow.variables)) {
    if (!TYPES.has(spec.type)) problems.push(`variable ${name} has unknown type ${String(spec.type)}`);
    if (spec.scope !== "global" && spec.scope !== "local" && spec.scope !== "config")
      problems.push(`variable ${name} has unknown scope`);
  }
  const secrets = new Set<string>(listed(flow.secrets, "secrets", problems));
  for (const [id, step] of Object.entries(steps)) {
    if (step.id !== id) problems.push(`widget ${id} has id ${String(step.id)}`);
    switch (step.kind) {
      case "http":
        if (!METHODS.has(step.method)) problems.push(`${id}: unknown method ${String(step.method)}`);
        for (const [field, contract] of Object.entries(HTTP_STEP)) {
          const problem = fieldProblem((step as unknown as Readonly<Record<string, unknown>>)[field], contract);
          if (problem !== undefined) problems.push(`${id}: ${field} ${problem}`);
        }
        if (typeof step.url !== "function") problems.push(`${id}: url is not a function`);
        for (const name of listed(step.secrets, `${id}: secrets`, problems))
          if (!secrets.has(name)) problems.push(`${id}: undeclared secret ${name}`);
        for (const result of [
          ...listed(step.results, `${id}: results`, problems),
          ...listed(step.errorResults ?? [], `${id}: errorResults`, problems),
        ]) {
          if (!Object.hasOwn(flow.variables, result.target))
            problems.push(`${id}: result to undeclared variable ${result.target}`);
          if (result.source.kind === "json") {
            const path: unknown = result.source.path;
            const unbounded =
              typeof path === "string"
                ? unboundedPathReason(JSONPath.toPathArray(path), parseScript)
                : "the path is not a string";
            if (unbounded !== undefined) problems.push(`${id}: result path ${JSON.stringify(path)}: ${unbounded}`);
          }
        }
        for (const exit of listed(step.statusExits ?? [], `${id}: statusExits`, problems)) {
          for (const match of exit.statuses) {
            if (!isStatusMatch(match)) problems.push(`${id}: status exit on ${String(match)} matches no failure`);
          }
          target(id, exit.target);
        }
        target(id, step.success);
        target(id, step.fail);
        break;
      case "condition":
        for (const branch of listed(step.branches, `${id}: branches`, problems)) target(id, branch.target);
        target(id, step.else);
        break;
      case "set":
      case "send":
        target(id, step.next);
        break;
      case "route":
        if (typeof step.queue !== "string") problems.push(`${id}: queue is not a string`);
        break;
      case "end":
        break;
      default:
        problems.push(`${id}: unknown kind ${String((step as { kind: unknown }).kind)}`);
    }
  }
  return problems;
}

/**
 * Problems with the input globals: unknown names, locals, missing required globals and values
 * of the wrong type. Empty when the input is good. Exported so a CLI can report before running.
 */
export function checkInput<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  input: unknown,
): string[] {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return ["input must be an object of globals"];
  const problems: string[] = [];
  const given = input as Record<string, unknown>;
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const spec = Object.hasOwn(flow.variables, name) ? flow.variables[name] : undefined;
    if (spec === undefined) problems.push(`unknown global ${name}`);
    else if (spec.scope === "config")
      problems.push(`${name} is a config: its value comes from the environment (RunOptions.config), not from input`);
    else if (spec.scope !== "global") problems.push(`${name} is a local, not a global`);
    else if (!matchesType(value, spec.type))
      problems.push(
        `global ${name} must be ${/^[aeiou]/.test(spec.type) ? "an" : "a"} ${spec.type}, got ${describeType(value)}`,
      );
  }
  for (const [name, spec] of variableList(flow)) {
    const present = Object.hasOwn(given, name) && given[name] !== undefined;
    if (spec.scope === "global" && !("default" in spec) && !present) problems.push(`missing required global ${name}`);
  }
  return problems;
}

export function assertValidInput<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  input: unknown,
): void {
  const problems = checkInput(flow, input);
  if (problems.length > 0) throw new FlowInputError(flow.id, problems);
}

// "a url": of the type names only array and email take "an".
const article = (type: string): string => (/^[aeio]/.test(type) ? "an" : "a");

/**
 * Problems with the config values: unknown names, names that are not configs, missing ones and
 * values of the wrong type or form. Empty when they are good. Exported so a host can check an
 * environment's config once, before serving runs.
 */
export function checkConfig<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  config: unknown,
): string[] {
  if (typeof config !== "object" || config === null || Array.isArray(config))
    return ["config must be an object of config values"];
  const problems: string[] = [];
  const given = config as Record<string, unknown>;
  for (const [name, value] of Object.entries(given)) {
    const spec = Object.hasOwn(flow.variables, name) ? flow.variables[name] : undefined;
    if (spec === undefined || spec.scope !== "config") problems.push(`unknown config ${name}`);
    else if (!matchesType(value, spec.type)) {
      problems.push(`config ${name} must be ${article(spec.type)} ${spec.type}, got ${describeType(value)}`);
    }
  }
  for (const [name, spec] of variableList(flow)) {
    if (spec.scope === "config" && (!Object.hasOwn(given, name) || given[name] === undefined))
      problems.push(`missing config ${name}`);
  }
  return problems;
}

export function assertValidConfig<V extends Vars, S extends string, W extends string>(
  flow: FlowDefinition<V, S, W>,
  config: unknown,
): void {
  const problems = checkConfig(flow, config);
  if (problems.length > 0) throw new FlowConfigError(flow.id, problems);
}
