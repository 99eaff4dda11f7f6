// The package's public surface, pinned: every entry of package.json's "exports", the values each of its
// conditions gives (imported by a fresh Node process, by the package's own name for the node condition)
// and every name its .d.ts exports (read by ts-morph's TypeScript, as api-extractor reads a report).
// An export added or removed by accident fails here. A deliberate change: edit the lists below and
// docs/api.md (the public surface and what is internal), in the same commit.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Project } from "ts-morph";
import { describe, expect, it } from "vitest";
import { ROOT } from "./compile-helpers.js";

const exec = promisify(execFile);

interface Entry {
  /** Values, as Object.keys of the module gives them. */
  readonly values: readonly string[];
  /** Names the types file exports beside the values: interfaces and type aliases. */
  readonly types: readonly string[];
}

/** Names separated by spaces. */
const words = (text: string): readonly string[] => text.split(/\s+/).filter((name) => name !== "");

const SURFACE: Readonly<Record<string, Entry>> = {
  ".": {
    values: words("START_EXIT WIDGETS check compile diff format graph hasErrors parse"),
    types: words(
      // The results and options of the functions.
      "CheckResult CompileOptions CompileResult DiffFormat DiffOptions DiffResult EmitKind FlowChange " +
        "FormatResult GraphFormat GraphOptions GraphResult OutputFile ParseResult " +
        // Diagnostics and the language description.
        "Diagnostic DiagnosticCode RelatedLocation Severity ExitLabel ExitSpec Requirement SettingSpec " +
        "ValueKind WidgetSpec " +
        // The syntax tree.
        "AnySetting ArrayValue Assignment BinaryExpr Body BooleanLiteral Comment ComparisonOp " +
        "ConditionWidget Declaration Duration EndWidget Exit ExitsOf Expr Flow FormBody HeaderSource " +
        "HttpWidget Identifier Interpolation JsonBody JsonPathSource Key KeyValue KeyValueBlock " +
        "LengthExpr Literal LogicalOp MethodName NotExpr NullLiteral NumberLiteral ObjectEntry " +
        "ObjectValue ResultMapping ResultSource ResultsBlock RouteWidget SecretDecl SecretRef SendWidget " +
        "SetWidget Setting SettingsOf Span StatusExit StatusMatch StatusSource StringLiteral " +
        "TemplatePart TextBody TextPart TypeRef Value VarDecl VarRef WhenBranch Widget WidgetKind ",
    ),
  },
  "./runtime": {
    values: words(
      "FlowConfigError FlowDefinitionError FlowInputError HTTP_METHODS HTTP_STEP MASK RUNTIME_DEFAULTS " +
        "SECRET_ENV_PREFIX UNDICI_DEFAULTS VAR_TYPES checkConfig checkInput crossFetchTransport dateTime " +
        "defaultTransport envSecrets fetchTransport realClock run staticSecrets undiciTransport ",
    ),
    types: words(
      // A flow definition.
      "BodySpec ConditionBranch ConditionStep EndStep FlowDefinition HttpMethod HttpStep ResultSource " +
        "ResultSpec RouteStep SecretValues SendStep SetStep StatusClass StatusExit StatusMatch Step " +
        "VarType VariableSpec Vars Bound DateTime " +
        // Running one.
        "Clock FetchInit FetchLike FetchResponse Run RunOptions RunResult RuntimeLimits SecretProvider " +
        "StepContext UndiciTransportOptions Transport TransportRequest Caller Abortable " +
        // What a run reports.
        "ErrorCode ExitName HttpAttemptEndEvent HttpAttemptStartEvent HttpRedirectEvent Outcome " +
        "RetryWait RunEndEvent RunError RunStartEvent StepEndEvent StepKind StepStartEvent TraceEvent " +
        "UnmatchedResult VariableChange ",
    ),
  },
  // For generated modules only: what the emitter may import (compiler/emit-ts.ts), nothing more.
  "./runtime/internal": {
    values: words("encodeSegment prop run toText"),
    types: words("FlowDefinition RunOptions RunResult"),
  },
  "./aws-lambda": {
    values: words(
      "CONNECT_KEYS LAMBDA_DEFAULTS connectClashes connectHandler connectOptionProblems envSecrets " +
        "flowHandler httpHandler secretsManagerSecrets secretsOnce sourcedSecrets staticSecrets ",
    ),
    types: words(
      "ConnectEvent ConnectHandler ConnectOptions ConnectResult FlowHandler FlowHandlerOptions " +
        "HttpEvent HttpHandler HttpOptions HttpResult LambdaContext LambdaOptions SecretProvider ",
    ),
  },
};

type Conditions = Readonly<Record<string, string>>;
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  name: string;
  exports: Readonly<Record<string, Conditions>>;
};
const entries = Object.entries(pkg.exports);
const sorted = (names: readonly string[]): string[] => [...names].sort();

/** Object.keys of each module, imported by one fresh Node process (no test framework in between). */
async function keysOf(specifiers: readonly string[]): Promise<string[][]> {
  const script = `
    const specifiers = ${JSON.stringify(specifiers)};
    const modules = await Promise.all(specifiers.map((s) => import(s)));
    console.log(JSON.stringify(modules.map((m) => Object.keys(m))));`;
  const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
  return JSON.parse(stdout) as string[][];
}

const fileUrl = (file: string): string => pathToFileURL(path.join(ROOT, file)).href;

describe("the public surface", () => {
  it("is these entries, each with types and a JavaScript file", () => {
    expect(entries.map(([subpath]) => subpath)).toEqual(Object.keys(SURFACE));
    for (const [subpath, conditions] of entries) {
      expect(Object.keys(conditions), subpath).toContain("types");
      expect(Object.keys(conditions), subpath).toContain("default");
    }
  });

  it.each(entries)("%s exports these values, under every condition", async (subpath, conditions) => {
    const byName = subpath === "." ? pkg.name : `${pkg.name}${subpath.slice(1)}`;
    const files = Object.entries(conditions).filter(([condition]) => condition !== "types");
    // By name, as a user's module imports it on Node; then each condition's file.
    const [named, ...each] = await keysOf([byName, ...files.map(([, file]) => fileUrl(file))]);
    const expected = SURFACE[subpath]?.values ?? [];
    expect(sorted(named ?? []), `${byName}: a new export is a public API decision (see this file's head)`).toEqual(
      sorted(expected),
    );
    files.forEach(([condition, file], i) =>
      expect(sorted(each[i] ?? []), `${condition}: ${file}`).toEqual(sorted(expected)),
    );
  });

  it.each(entries)("%s declares these names in its .d.ts", (subpath, conditions) => {
    const project = new Project({ skipAddingFilesFromTsConfig: true });
    const declared = project.addSourceFileAtPath(path.join(ROOT, conditions["types"] ?? "")).getExportedDeclarations();
    const entry = SURFACE[subpath];
    expect(sorted([...declared.keys()])).toEqual(sorted([...(entry?.values ?? []), ...(entry?.types ?? [])]));
  });

  it("refuses a deep import of a built file by path", async () => {
    const script = `await import("${pkg.name}/dist/runtime/helpers.js").catch((error) => console.log(error.code));`;
    const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT });
    expect(stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("gives generated modules the very run applications import, on Node and elsewhere", async () => {
    const internal = pkg.exports["./runtime/internal"] ?? {};
    const runtime = pkg.exports["./runtime"] ?? {};
    const script = (a: string, b: string): string => `
      const [a, b] = await Promise.all([import(${JSON.stringify(a)}), import(${JSON.stringify(b)})]);
      console.log(a.run === b.run);`;
    for (const condition of ["node", "default"]) {
      const [a, b] = [internal[condition] ?? "", runtime[condition] ?? ""].map(fileUrl);
      const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script(a!, b!)]);
      expect(stdout.trim(), condition).toBe("true");
    }
  });
});
