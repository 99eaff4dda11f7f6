// `callflow run FLOW.flow`: compiles the flow in memory, imports the generated module and runs it
// through the runtime with live HTTP, printing a timeline (or, with --json, the trace as JSON
// lines). Exit 0 when a terminal widget is reached, 1 when the run fails, 2 for wrong usage,
// compile errors and globals that do not match the declarations.
import path from "node:path";
import type { VarDecl } from "../../grammar/ast.js";
import {
  checkInput,
  SECRET_ENV_PREFIX,
  type SecretProvider,
  type TraceEvent,
  type VarType,
} from "../../runtime/index.js";
import { hasErrors } from "../../grammar/diagnostics.js";
import {
  FORMAT_DESCRIPTIONS,
  fitsFormat,
  fitsNumberFormat,
  isCheckedType,
  toDateTime,
} from "../../runtime/contract.js";
import { InputError, readSource, toPosix, writeOutput, type SourceText } from "../files.js";
import { loadFlow, type LoadedFlow } from "../../loader/load-flow.js";
import { formatReport } from "../report.js";
import { liveOutput, Timeline } from "../timeline.js";
import { configFor, configsOf } from "../../project/environments.js";
import { resolveSecrets } from "../../project/secrets.js";
import { chooseEnvironment, openProject } from "../project.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export interface RunArgs {
  readonly file: string;
  /** `NAME=VALUE`, one per `--global`. */
  readonly globals: readonly string[];
  /** `NAME=ENVVAR`: read secret NAME from ENVVAR instead of `CALLFLOW_SECRET_NAME`. */
  readonly secrets: readonly string[];
  /** The trace as JSON lines on stdout instead of the timeline. */
  readonly json: boolean;
  readonly maxSteps?: number;
  /** Cancels the run (the CLI aborts it on Ctrl-C): the request in flight stops and the run fails as cancelled. */
  readonly signal?: AbortSignal;
  /** Write a .flowtest file here that reproduces the run (testing/record.ts). */
  readonly record?: string;
  /** Config values and secret sources from this environment of callflow.json (default: its defaultEnvironment). */
  readonly env?: string;
  readonly project?: string;
  /** `NAME=VALUE`, one per `--config`: overrides for local experiments. */
  readonly configs?: readonly string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function runCommand(args: RunArgs, io: CommandIO): Promise<number> {
  const absolute = path.resolve(io.cwd, args.file);
  const file = toPosix(path.relative(io.cwd, absolute)) || args.file;
  let read: SourceText;
  try {
    read = await readSource(io.cwd, file);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.stderr(`callflow run: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if ("invalid" in read) {
    io.stderr(formatReport([read.invalid], new Map(), "pretty", io.color) + "\n");
    return EXIT_USAGE;
  }
  const source = read.text;
  const { diagnostics, loaded } = await loadFlow(source, file);
  // Diagnostics go to stderr so stdout stays a clean timeline or JSON stream.
  if (diagnostics.length > 0)
    io.stderr(formatReport(diagnostics, new Map([[file, source]]), "pretty", io.color) + "\n");
  if (loaded === undefined || hasErrors(diagnostics)) {
    io.stderr(`callflow run: ${file} has errors; nothing was run.\n`);
    return EXIT_USAGE;
  }

  // Every problem with the command line is reported at once, each naming its global or secret.
  const problems: string[] = [];
  const input = parseGlobals(loaded, args.globals, problems);
  let secrets = secretProvider(loaded, args.secrets, io.env, problems);
  // The environment: callflow.json's, when the flow has configs or --env names one.
  const opened =
    args.env !== undefined || configsOf(loaded.ast).length > 0 ? await openProject(io, args.project) : undefined;
  if (args.env !== undefined && opened?.project === undefined) {
    io.stderr("callflow run: --env needs a readable callflow.json (run callflow check)\n");
    return EXIT_USAGE;
  }
  const environment = opened?.project === undefined ? undefined : chooseEnvironment(opened.project, args.env);
  const config = configFor(loaded.ast, environment, args.configs ?? [], problems);
  if (environment !== undefined) {
    // Every secret is read before the first request; a missing one names its source, never a value.
    const resolved = await resolveSecrets(environment, loaded.definition.secrets, io.env);
    problems.push(...resolved.problems);
    secrets = (name) => resolved.values.get(name);
  }
  if (problems.length > 0) {
    for (const problem of problems) io.stderr(`callflow run: ${problem}\n`);
    return EXIT_USAGE;
  }
  for (const name of loaded.definition.secrets) {
    if ((await secrets(name)) === undefined) {
      io.stderr(
        `callflow run: warning: secret ${name} has no value; set ${SECRET_ENV_PREFIX}${name} or map it with --secret ${name}=ENVVAR\n`,
      );
    }
  }

  const timeline = args.json
    ? undefined
    : new Timeline({ write: io.stdout, color: io.color, live: liveOutput(io.isTTY, io.env) });
  // The recorder prints .flowtest text, whose printer checks it with the .flowtest parser: loaded only for --record.
  const recorder =
    args.record === undefined
      ? undefined
      : // cross-fetch as a plain fetch: it hands the recorder decoded bodies.
        new (await import("../../testing/record.js")).Recorder(
          loaded.definition,
          (await import("cross-fetch")).default,
        );
  const onEvent = (event: TraceEvent): void => {
    recorder?.onEvent(event);
    if (timeline === undefined) io.stdout(JSON.stringify(event) + "\n");
    else timeline.event(event);
  };
  let result;
  try {
    result = await loaded.run(input, {
      config,
      secrets,
      onEvent,
      ...(args.maxSteps === undefined ? {} : { maxSteps: args.maxSteps }),
      ...(args.signal === undefined ? {} : { signal: args.signal }),
      ...(recorder === undefined
        ? {}
        : { transport: recorder.fetch, onSend: (message: string) => recorder.onSend(message) }),
    });
  } finally {
    timeline?.close();
  }
  if (recorder !== undefined && args.record !== undefined) {
    const target = path.resolve(io.cwd, args.record);
    const used = new Map<string, string>();
    for (const name of loaded.definition.secrets) {
      const value = await secrets(name);
      if (typeof value === "string") used.set(name, value);
    }
    const flowPath = toPosix(path.relative(path.dirname(target), absolute));
    const name = `recorded run of ${path.basename(file)}`;
    const recording = recorder.flowTest(flowPath, name, input, used, result, config);
    if ("problem" in recording) {
      io.stderr(
        `callflow run: cannot record the run as a test, so ${args.record} is not written: ${recording.problem}\n`,
      );
      return EXIT_USAGE;
    }
    await writeOutput(target, recording.text);
    io.stderr(`callflow run: recorded the run as a test in ${args.record}\n`);
  }
  return result.outcome.kind === "failed" ? EXIT_FAILURE : EXIT_OK;
}

function describeDecl(decl: VarDecl): string {
  return `${decl.type.name}, declared at ${decl.span.file}:${decl.span.line}`;
}

/** `--global NAME=VALUE` arguments as typed input; what does not fit goes to `problems`. */
function parseGlobals(loaded: LoadedFlow, args: readonly string[], problems: string[]): Record<string, unknown> {
  const decls = new Map<string, VarDecl>();
  for (const decl of loaded.ast.declarations) if (decl.kind === "VarDecl") decls.set(decl.name.name, decl);
  const globals = [...decls.values()].filter((decl) => decl.scope === "global").map((decl) => decl.name.name);
  const input: Record<string, unknown> = {};
  const given = new Set<string>();
  const before = problems.length;

  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      problems.push(`--global ${arg}: expected NAME=VALUE`);
      continue;
    }
    const name = arg.slice(0, eq);
    const text = arg.slice(eq + 1);
    const decl = decls.get(name);
    if (decl === undefined || decl.scope !== "global") {
      const what =
        decl === undefined
          ? `unknown global '${name}'`
          : decl.scope === "config"
            ? `'${name}' is a config, set by the environment (--env, or --config for local experiments), not a global`
            : `'${name}' is a local, not a global`;
      problems.push(
        `${what}: ${loaded.ast.id.name} takes ${globals.length === 0 ? "no globals" : `the globals ${globals.join(", ")}`}`,
      );
      continue;
    }
    if (given.has(name)) {
      problems.push(`global '${name}' is given more than once`);
      continue;
    }
    given.add(name);
    // The flow was checked, so its declared types are the runtime's.
    const type = decl.type.name as VarType;
    const value = parseValue(text, type);
    if (value === undefined) {
      // A masked global's value is never echoed, even a wrong one.
      const shown = decl.masked ? "the value given" : JSON.stringify(text);
      problems.push(`global '${name}' (${describeDecl(decl)}): ${shown} is not ${article(type)}`);
      continue;
    }
    input[name] = value.value;
  }
  for (const decl of decls.values()) {
    if (decl.scope === "global" && decl.default === undefined && !given.has(decl.name.name)) {
      problems.push(
        `missing required global '${decl.name.name}' (${describeDecl(decl)}): add --global ${decl.name.name}=VALUE`,
      );
    }
  }
  // The runtime's own check, which `run` would otherwise throw from; the messages above are clearer.
  if (problems.length === before) problems.push(...checkInput(loaded.definition, input));
  return input;
}

function article(type: VarType): string {
  if (isCheckedType(type)) return FORMAT_DESCRIPTIONS[type];
  if (type === "array") return "a JSON array";
  return type === "json" ? "valid JSON" : `a ${type}`;
}

/** A command-line string as a value of the declared type; undefined when it is not one. */
function parseValue(text: string, type: VarType): { value: unknown } | undefined {
  switch (type) {
    case "string":
      return { value: text };
    case "number": {
      const number = text.trim() === "" ? Number.NaN : Number(text);
      return Number.isFinite(number) ? { value: number } : undefined;
    }
    case "boolean":
      return text === "true" ? { value: true } : text === "false" ? { value: false } : undefined;
    case "json":
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return undefined;
      }
    case "array": {
      const parsed = parseValue(text, "json");
      return parsed !== undefined && Array.isArray(parsed.value) ? parsed : undefined;
    }
    case "email":
    case "url":
    case "phone":
      return fitsFormat(type, text) ? { value: text } : undefined;
    case "currency":
    case "percentage": {
      const number = text.trim() === "" ? Number.NaN : Number(text);
      return Number.isFinite(number) && fitsNumberFormat(type, number) ? { value: number } : undefined;
    }
    case "date_time": {
      // Unix seconds or ISO 8601 with an offset, as a result maps them; stored in canonical form.
      const seconds = parseValue(text, "number");
      const value = toDateTime(seconds === undefined ? text : seconds.value);
      return value === undefined ? undefined : { value };
    }
  }
}

/**
 * Secrets come from the environment only, never from the command line, where they would land
 * in shell history and process listings: `CALLFLOW_SECRET_NAME`, or the variable `--secret
 * NAME=ENVVAR` names. Messages never repeat what follows `=`, in case it is a value after all.
 */
function secretProvider(
  loaded: LoadedFlow,
  mappings: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  problems: string[],
): SecretProvider {
  const declared = new Set(loaded.definition.secrets);
  const sources = new Map<string, string>();
  for (const mapping of mappings) {
    const eq = mapping.indexOf("=");
    const name = mapping.slice(0, Math.max(eq, 0));
    const variable = mapping.slice(eq + 1);
    if (eq <= 0 || !ENV_NAME.test(variable)) {
      const shown = ENV_NAME.test(name) ? name : "NAME";
      problems.push(
        `--secret ${shown}=…: expected NAME=ENVVAR, where ENVVAR names an environment variable holding the value (never the value itself)`,
      );
    } else if (!declared.has(name)) {
      problems.push(
        `--secret ${name}: ${loaded.ast.id.name} declares ${declared.size === 0 ? "no secrets" : `the secrets ${[...declared].join(", ")}`}`,
      );
    } else if (sources.has(name)) {
      problems.push(`--secret ${name} is given more than once`);
    } else if (env[variable] === undefined) {
      problems.push(`--secret ${name}: the environment variable it names is not set`);
    } else {
      sources.set(name, variable);
    }
  }
  return (name) => env[sources.get(name) ?? SECRET_ENV_PREFIX + name];
}
