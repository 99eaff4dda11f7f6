// callflow.json: read (JSON with comments, as tsconfig.json), its shape checked, every value kept with
// its place in the file, so findings about an environment point into callflow.json.
import { parseTree, printParseErrorCode, type Node, type ParseError } from "jsonc-parser";
import { durationMs } from "../grammar/build-ast.js";
import { diagnostic, type Diagnostic } from "../grammar/diagnostics.js";
import { SourcePositions, type Span } from "../grammar/spans.js";
import type { SecretSource } from "./secret-source.js";

// Read here, defined beside their reader so a Lambda bundle can inline it without the JSON parser.
export type { SecretSource } from "./secret-source.js";

export interface Located<T> {
  readonly value: T;
  /** The value in callflow.json. */
  readonly span: Span;
  /** Its key. */
  readonly keySpan: Span;
}

export interface Environment {
  readonly name: string;
  /** The environment's name in callflow.json. */
  readonly span: Span;
  /** The `config` key when there is one, else the environment's name: where a missing value is reported. */
  readonly configSpan: Span;
  readonly secretsSpan: Span;
  /** Config values as written (JSON), by name, in file order. */
  readonly config: ReadonlyMap<string, Located<unknown>>;
  readonly secrets: ReadonlyMap<string, Located<SecretSource>>;
  /** How long a caller waits on a run here, in ms: `check` warns of paths that can take longer (docs/time-budgets.md). */
  readonly deadline?: Located<number>;
}

export type EmitKind = "ts" | "js";

export interface Project {
  /** callflow.json as diagnostics name it (relative to the working folder). */
  readonly file: string;
  /** The folder of callflow.json (absolute): `flows` and `compile.outDir` are relative to it. */
  readonly root: string;
  /** Globs of the project's flow files; default every .flow file below the root. */
  readonly flows: readonly string[];
  readonly compile: { readonly outDir?: string; readonly emit?: EmitKind };
  readonly defaultEnvironment?: Located<string>;
  readonly environments: ReadonlyMap<string, Environment>;
  /** `callflow serve`'s settings: the secret whose value callers send as their bearer token. */
  readonly serve: { readonly authSecret?: string; readonly deadline?: Located<number> };
}

export interface ProjectRead {
  /** Absent when the file is not JSON or its top level is not an object. */
  readonly project?: Project;
  readonly diagnostics: readonly Diagnostic[];
}

const TOP_KEYS = new Set(["$schema", "flows", "compile", "defaultEnvironment", "environments", "serve"]);

/** Reads callflow.json's text; `file` names it in diagnostics, `root` is its folder. */
export function readProject(text: string, file: string, root: string): ProjectRead {
  const positions = new SourcePositions(file, text);
  const at = (node: Node): Span => positions.span(node.offset, node.length);
  const keyOf = (node: Node): Span => at(node.parent?.children?.[0] ?? node);
  const diagnostics: Diagnostic[] = [];
  const shape = (node: Node, what: string, expected: string): void => {
    diagnostics.push(diagnostic("projectShape", at(node), [what, expected]));
  };
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  // One finding per place: an unclosed object nested in another is reported once for each.
  const seen = new Set<number>();
  for (const error of errors) {
    if (seen.has(error.offset)) continue;
    seen.add(error.offset);
    diagnostics.push(
      diagnostic("projectSyntax", positions.span(error.offset, error.length), [printParseErrorCode(error.error)]),
    );
  }
  if (tree === undefined || tree.type !== "object") {
    if (tree !== undefined) shape(tree, "callflow.json", "an object");
    return { diagnostics };
  }

  let flows: string[] = [];
  let compile: { outDir?: string; emit?: EmitKind } = {};
  let defaultEnvironment: Located<string> | undefined;
  const environments = new Map<string, Environment>();
  let serve: { authSecret?: string; deadline?: Located<number> } = {};
  for (const [key, value] of members(tree)) {
    const name = key.value as string;
    if (!TOP_KEYS.has(name)) {
      diagnostics.push(diagnostic("projectUnknownKey", at(key), [name, "callflow.json", [...TOP_KEYS].join(", ")]));
      continue;
    }
    switch (name) {
      case "flows":
        if (value.type !== "array" || !(value.children ?? []).every((c) => c.type === "string"))
          shape(value, "flows", "an array of globs");
        else flows = (value.children ?? []).map((c) => c.value as string);
        break;
      case "compile":
        compile = readCompile(value, shape, diagnostics, at);
        break;
      case "defaultEnvironment":
        if (value.type !== "string") shape(value, "defaultEnvironment", "an environment's name");
        else defaultEnvironment = { value: value.value as string, span: at(value), keySpan: at(key) };
        break;
      case "environments":
        if (value.type !== "object") {
          shape(value, "environments", "an object of environments by name");
          break;
        }
        for (const [envKey, envValue] of members(value)) {
          const environment = readEnvironment(envKey, envValue, shape, diagnostics, at, keyOf);
          if (environment !== undefined) environments.set(environment.name, environment);
        }
        break;
      case "serve":
        if (value.type !== "object") {
          shape(value, "serve", "an object");
          break;
        }
        for (const [serveKey, serveValue] of members(value)) {
          if (serveKey.value === "deadline") {
            const deadline = readDeadline(serveKey, serveValue, "serve.deadline", shape, at);
            if (deadline !== undefined) serve = { ...serve, deadline };
          } else if (serveKey.value !== "authSecret")
            diagnostics.push(
              diagnostic("projectUnknownKey", at(serveKey), [
                serveKey.value as string,
                "serve",
                "authSecret, deadline",
              ]),
            );
          else if (serveValue.type !== "string") shape(serveValue, "serve.authSecret", "a secret's name");
          else serve = { ...serve, authSecret: serveValue.value as string };
        }
        break;
    }
  }
  if (defaultEnvironment !== undefined && !environments.has(defaultEnvironment.value))
    diagnostics.push(
      diagnostic("unknownEnvironment", defaultEnvironment.span, [
        defaultEnvironment.value,
        file,
        [...environments.keys()].join(", ") || "(none)",
      ]),
    );
  const project: Project = {
    file,
    root,
    flows,
    compile,
    environments,
    serve,
    ...(defaultEnvironment === undefined ? {} : { defaultEnvironment }),
  };
  return { project, diagnostics };
}

type Shape = (node: Node, what: string, expected: string) => void;

/** An object node's members as key and value nodes, in file order. */
function members(object: Node): [Node, Node][] {
  const pairs: [Node, Node][] = [];
  for (const property of object.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key !== undefined && value !== undefined) pairs.push([key, value]);
  }
  return pairs;
}

function readCompile(
  value: Node,
  shape: Shape,
  diagnostics: Diagnostic[],
  at: (node: Node) => Span,
): { outDir?: string; emit?: EmitKind } {
  if (value.type !== "object") {
    shape(value, "compile", "an object");
    return {};
  }
  const compile: { outDir?: string; emit?: EmitKind } = {};
  for (const [key, item] of members(value)) {
    const name = key.value as string;
    if (name === "outDir") {
      if (item.type === "string") compile.outDir = item.value as string;
      else shape(item, "compile.outDir", "a folder");
    } else if (name === "emit") {
      if (item.value === "ts" || item.value === "js") compile.emit = item.value;
      else shape(item, "compile.emit", '"ts" or "js"');
    } else diagnostics.push(diagnostic("projectUnknownKey", at(key), [name, "compile", "outDir, emit"]));
  }
  return compile;
}

function readEnvironment(
  envKey: Node,
  envValue: Node,
  shape: Shape,
  diagnostics: Diagnostic[],
  at: (node: Node) => Span,
  keyOf: (node: Node) => Span,
): Environment | undefined {
  const name = envKey.value as string;
  if (envValue.type !== "object") {
    shape(envValue, `environment ${name}`, "an object with config and secrets");
    return undefined;
  }
  const config = new Map<string, Located<unknown>>();
  const secrets = new Map<string, Located<SecretSource>>();
  let configSpan = at(envKey);
  let secretsSpan = at(envKey);
  let deadline: Located<number> | undefined;
  for (const [key, value] of members(envValue)) {
    const part = key.value as string;
    if (part === "deadline") deadline = readDeadline(key, value, `${name}.deadline`, shape, at);
    else if (part === "config") {
      configSpan = at(key);
      if (value.type !== "object") shape(value, `${name}.config`, "an object of config values by name");
      else
        for (const [k, v] of members(value))
          config.set(k.value as string, { value: jsonValue(v), span: at(v), keySpan: at(k) });
    } else if (part === "secrets") {
      secretsSpan = at(key);
      if (value.type !== "object") {
        shape(value, `${name}.secrets`, "an object of secret sources by name");
        continue;
      }
      for (const [k, v] of members(value)) {
        const source = secretSource(v);
        if (source === undefined) shape(v, `secret ${String(k.value)}`, '{ "env": "VARIABLE" } or { "file": "/path" }');
        else secrets.set(k.value as string, { value: source, span: at(v), keySpan: keyOf(v) });
      }
    } else
      diagnostics.push(
        diagnostic("projectUnknownKey", at(key), [part, `environment ${name}`, "config, secrets, deadline"]),
      );
  }
  return {
    name,
    span: at(envKey),
    configSpan,
    secretsSpan,
    config,
    secrets,
    ...(deadline === undefined ? {} : { deadline }),
  };
}

/** A deadline written as a flow's durations are (`8s`, `1500ms`). */
function readDeadline(
  key: Node,
  value: Node,
  what: string,
  shape: Shape,
  at: (node: Node) => Span,
): Located<number> | undefined {
  const ms = value.type === "string" ? durationMs(value.value as string) : undefined;
  if (ms === undefined || ms < 1) {
    shape(value, what, 'a duration such as "8s" or "1500ms"');
    return undefined;
  }
  return { value: ms, span: at(value), keySpan: at(key) };
}

function secretSource(node: Node): SecretSource | undefined {
  const [only, ...rest] = node.type === "object" ? members(node) : [];
  if (only === undefined || rest.length > 0) return undefined;
  const [key, value] = only;
  if (value.type !== "string" || value.value === "") return undefined;
  if (key.value === "env") return { env: value.value as string };
  if (key.value === "file") return { file: value.value as string };
  return undefined;
}

/** A JSON node's value; objects with own keys only, so `__proto__` is a key like any other. */
function jsonValue(node: Node): unknown {
  switch (node.type) {
    case "object": {
      const object: Record<string, unknown> = {};
      for (const [k, v] of members(node))
        Object.defineProperty(object, k.value as string, {
          value: jsonValue(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return object;
    }
    case "array":
      return (node.children ?? []).map(jsonValue);
    default:
      return node.value as unknown;
  }
}

export { describeSource } from "./secret-source.js";
