// An environment's findings against the project's flows: every config has a value of its type and
// form, every secret a source, and no key is unknown (a typo). Each is located in callflow.json, with
// the declaration in the flow as a related location.
import type { Flow, VarDecl } from "../grammar/ast.js";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import { didYouMean, SUGGESTION_COMPARISONS } from "../compiler/scope.js";
import { describeType as describeVarType } from "../compiler/types.js";
import {
  fitsFormat,
  fitsNumberFormat,
  FORMAT_DESCRIPTIONS,
  isCheckedType,
  toDateTime,
  VAR_TYPES,
  type VarType,
} from "../runtime/contract.js";
import type { Environment, Project } from "./project-file.js";

const TYPES: ReadonlySet<string> = new Set(VAR_TYPES);

/** The configs a flow declares (with a known type). */
export function configsOf(flow: Flow): VarDecl[] {
  return flow.declarations.filter(
    (d): d is VarDecl => d.kind === "VarDecl" && d.scope === "config" && TYPES.has(d.type.name),
  );
}

/**
 * A config value from callflow.json as the flow stores it, or undefined when it does not fit: the
 * same checks as a literal of the type (a url is an absolute http(s) URL, a date_time has an offset).
 */
export function storedConfig(value: unknown, type: VarType): unknown {
  switch (type) {
    case "string":
      return typeof value === "string" ? value : undefined;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : undefined;
    case "boolean":
      return typeof value === "boolean" ? value : undefined;
    case "json":
      return value;
    case "array":
      return Array.isArray(value) ? value : undefined;
    case "email":
    case "url":
    case "phone":
      return typeof value === "string" && fitsFormat(type, value) ? value : undefined;
    case "currency":
    case "percentage":
      return typeof value === "number" && Number.isFinite(value) && fitsNumberFormat(type, value) ? value : undefined;
    case "date_time":
      return typeof value === "string" ? toDateTime(value) : undefined;
  }
}

/** How a JSON value is named in messages: its kind, never the value (a masked config's stays hidden). */
function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return typeof value === "string" ? "a string of another form" : `a ${typeof value}`;
}

export interface FlowOfProject {
  readonly flow: Flow;
}

/** Findings of the named environments (all when `names` is empty) against the flows. */
export function checkEnvironments(
  project: Project,
  flows: readonly FlowOfProject[],
  names: readonly string[],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const configs = new Map<string, { decl: VarDecl; flow: Flow }[]>();
  const secrets = new Map<string, { span: VarDecl["span"]; flow: Flow }[]>();
  for (const { flow } of flows) {
    for (const decl of configsOf(flow)) {
      const list = configs.get(decl.name.name) ?? [];
      list.push({ decl, flow });
      configs.set(decl.name.name, list);
    }
    for (const decl of flow.declarations) {
      if (decl.kind !== "SecretDecl") continue;
      const list = secrets.get(decl.name.name) ?? [];
      list.push({ span: decl.name.span, flow });
      secrets.set(decl.name.name, list);
    }
  }
  const chosen =
    names.length === 0 ? [...project.environments.values()] : names.map((n) => project.environments.get(n));
  for (const env of chosen) if (env !== undefined) checkEnvironment(env, configs, secrets, diagnostics);
  return diagnostics;
}

function checkEnvironment(
  env: Environment,
  configs: ReadonlyMap<string, readonly { decl: VarDecl; flow: Flow }[]>,
  secrets: ReadonlyMap<string, readonly { span: VarDecl["span"]; flow: Flow }[]>,
  diagnostics: Diagnostic[],
): void {
  const budget = { remaining: SUGGESTION_COMPARISONS };
  for (const [name, uses] of configs) {
    const given = env.config.get(name);
    for (const { decl, flow } of uses) {
      const related = [{ span: decl.name.span, message: `'${name}' is declared here` }];
      if (given === undefined) {
        diagnostics.push(
          diagnostic(
            "missingConfig",
            env.configSpan,
            [env.name, name, flow.id.name],
            `add "${name}" to environments.${env.name}.config`,
            related,
          ),
        );
        continue;
      }
      const type = decl.type.name as VarType;
      if (storedConfig(given.value, type) !== undefined) continue;
      const expected = isCheckedType(type) ? FORMAT_DESCRIPTIONS[type] : describeVarType(type);
      diagnostics.push(
        diagnostic(
          "configValueMismatch",
          given.span,
          [name, env.name, expected, jsonKind(given.value)],
          undefined,
          related,
        ),
      );
      break; // one finding per value, however many flows declare it
    }
  }
  for (const [name, given] of env.config) {
    if (configs.has(name)) continue;
    const hint =
      didYouMean(name, configs.keys(), budget) ?? "remove it, or declare `config " + name + ": TYPE` in a flow";
    diagnostics.push(diagnostic("unknownConfigKey", given.keySpan, [env.name, name], hint));
  }
  for (const [name, uses] of secrets) {
    if (env.secrets.has(name)) continue;
    const first = uses[0]!; // a name is listed with the flows that declare it
    diagnostics.push(
      diagnostic(
        "missingSecretSource",
        env.secretsSpan,
        [env.name, name, first.flow.id.name],
        `add "${name}": { "env": "VARIABLE" } or { "file": "/path" } to environments.${env.name}.secrets`,
        [{ span: first.span, message: `secret '${name}' is declared here` }],
      ),
    );
  }
  for (const [name, given] of env.secrets) {
    if (secrets.has(name)) continue;
    const hint = didYouMean(name, secrets.keys(), budget) ?? "remove it if no flow needs it";
    diagnostics.push(diagnostic("unknownSecretKey", given.keySpan, [env.name, name], hint));
  }
}

/**
 * A flow's config from an environment (only the configs it declares) with `--config NAME=VALUE`
 * overrides on top; what is missing or does not fit goes to `problems`, naming the config, never its value.
 */
export function configFor(
  flow: Flow,
  env: Environment | undefined,
  overrides: readonly string[],
  problems: string[],
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const decls = new Map(configsOf(flow).map((d) => [d.name.name, d]));
  const given = new Map<string, unknown>();
  for (const [name, located] of env?.config ?? []) if (decls.has(name)) given.set(name, located.value);
  for (const arg of overrides) {
    const eq = arg.indexOf("=");
    const name = eq <= 0 ? "" : arg.slice(0, eq);
    const decl = decls.get(name);
    if (decl === undefined) {
      problems.push(
        eq <= 0
          ? `--config ${arg}: expected NAME=VALUE`
          : `--config ${name}: flow ${flow.id.name} has no config ${name}`,
      );
      continue;
    }
    given.set(name, parseOverride(arg.slice(eq + 1), decl.type.name as VarType));
  }
  for (const [name, decl] of decls) {
    const where = env === undefined ? "give it with --config or --env" : `environment ${env.name}`;
    if (!given.has(name)) {
      problems.push(`config ${name} has no value (${where})`);
      continue;
    }
    const stored = storedConfig(given.get(name), decl.type.name as VarType);
    const type = decl.type.name as VarType;
    const expected = isCheckedType(type) ? FORMAT_DESCRIPTIONS[type] : describeVarType(type);
    if (stored === undefined) problems.push(`config ${name} must be ${expected} (${where})`);
    else Object.defineProperty(config, name, { value: stored, enumerable: true, writable: true, configurable: true });
  }
  return config;
}

/** Text as a value of the type: strings as written, everything else as JSON (`42`, `true`, `["a"]`). */
function parseOverride(text: string, type: VarType): unknown {
  if (type === "string" || type === "email" || type === "url" || type === "phone" || type === "date_time") return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
