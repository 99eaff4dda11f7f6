// `callflow`: the tools as functions. Each takes source text and the file name it is reported
// under, returns values and never prints or touches the file system. The runtime that
// applications import is `callflow/runtime`. Documented with examples in docs/api.md, which also
// says what is public; test/public-api.test.ts pins the list.
import type { Comment, Flow } from "../grammar/ast.js";
import { hasErrors, type Diagnostic } from "../grammar/diagnostics.js";
import { parse as parseFlow } from "../grammar/parse.js";
import { formatSource } from "../grammar/printer.js";
import { checkSource } from "../compiler/check.js";
import { compile as compileFlow, type EmitKind, type OutputFile } from "../compiler/compile.js";
import { diffFlows, renderDiff, type DiffFormat, type FlowChange } from "../review/diff.js";
import { graph as drawGraph, type GraphFormat } from "../review/graph.js";

// The syntax tree, named one by one: the builder's `SettingValues` (a setting's value node by value kind) stays
// internal; `Setting<K>["value"]` names the same types.
export type {
  Identifier,
  StringLiteral,
  TextPart,
  Interpolation,
  TemplatePart,
  NumberLiteral,
  BooleanLiteral,
  NullLiteral,
  VarRef,
  SecretRef,
  ObjectEntry,
  ObjectValue,
  ArrayValue,
  Literal,
  Value,
  ComparisonOp,
  LogicalOp,
  BinaryExpr,
  NotExpr,
  LengthExpr,
  Expr,
  VarDecl,
  TypeRef,
  SecretDecl,
  Declaration,
  Exit,
  StatusMatch,
  StatusExit,
  KeyValue,
  Key,
  Duration,
  JsonPathSource,
  StatusSource,
  HeaderSource,
  ResultSource,
  ResultMapping,
  MethodName,
  KeyValueBlock,
  JsonBody,
  FormBody,
  TextBody,
  Body,
  ResultsBlock,
  Setting,
  AnySetting,
  SettingsOf,
  ExitsOf,
  HttpWidget,
  WhenBranch,
  ConditionWidget,
  Assignment,
  SetWidget,
  SendWidget,
  RouteWidget,
  EndWidget,
  Widget,
  WidgetKind,
  Flow,
  Comment,
  ExitLabel,
  ValueKind,
  Span,
} from "../grammar/ast.js";
export {
  hasErrors,
  type Diagnostic,
  type DiagnosticCode,
  type RelatedLocation,
  type Severity,
} from "../grammar/diagnostics.js";
export {
  WIDGETS,
  START_EXIT,
  type ExitSpec,
  type Requirement,
  type SettingSpec,
  type WidgetSpec,
} from "../grammar/language.js";
export type { EmitKind, OutputFile, FlowChange, DiffFormat, GraphFormat };

export interface ParseResult {
  /** As much of the flow as could be read; undefined when not even `flow NAME` could be. */
  readonly flow: Flow | undefined;
  readonly comments: readonly Comment[];
  /** Syntax diagnostics (CF1xxx), sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads a flow: the syntax tree, its comments and syntax diagnostics. Never throws. */
export function parse(source: string, file: string): ParseResult {
  return parseFlow(source, file);
}

export interface CheckResult {
  /** As much of the flow as could be read; undefined when not even `flow NAME` could be. */
  readonly flow: Flow | undefined;
  readonly comments: readonly Comment[];
  /** Syntax diagnostics, then, when there are no syntax errors, every semantic rule's; sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses and, when the syntax is sound, runs every semantic rule: what `callflow check` reports. */
export function check(source: string, file: string): CheckResult {
  return checkSource(source, file);
}

export interface CompileOptions {
  /**
   * The module generated code imports the runtime from: `run`, three types and the helpers its expressions
   * call. Default `callflow/runtime/internal`.
   */
  readonly runtimeImport?: string;
  /** `ts` (default): one TypeScript module. `js`: an ES module and its `.d.ts`. */
  readonly emit?: EmitKind;
}

export interface CompileResult {
  /** The generated files, named after `file`; empty when there is any error. */
  readonly files: readonly OutputFile[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Checks a flow and generates its typed module. Give `file` relative to the project root: it
 * appears in the module, and output must not depend on the machine.
 */
export function compile(source: string, file: string, options: CompileOptions = {}): CompileResult {
  const { files, diagnostics } = compileFlow(source, { file, ...options });
  return { files, diagnostics };
}

export interface FormatResult {
  /** The canonical text; undefined when the source has syntax errors. */
  readonly text: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/** Lays a flow out as `callflow fmt` does, comments kept. Unchanged input gives identical output. */
export function format(source: string, file: string): FormatResult {
  return formatSource(source, file);
}

export interface DiffOptions {
  /** The old version's file name, when it differs from `file`. */
  readonly oldFile?: string;
  /** How `text` renders the changes: `text` (default), `markdown` or `json`. */
  readonly format?: DiffFormat;
}

export interface DiffResult {
  /** Semantic changes, in a stable order; empty when only layout or comments changed. */
  readonly changes: readonly FlowChange[];
  /** The changes rendered as `callflow diff` prints them; empty when either side has syntax errors. */
  readonly text: string;
  /** Syntax diagnostics of either side. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Compares two versions of a flow by meaning, as `callflow diff` does. */
export function diff(oldSource: string, newSource: string, file: string, options: DiffOptions = {}): DiffResult {
  const oldFile = options.oldFile ?? file;
  const before = parseFlow(oldSource, oldFile);
  const after = parseFlow(newSource, file);
  const diagnostics = [...before.diagnostics, ...after.diagnostics];
  if (before.flow === undefined || after.flow === undefined || hasErrors(diagnostics))
    return { changes: [], text: "", diagnostics };
  const changes = diffFlows(before.flow, after.flow);
  const text = renderDiff([{ oldPath: oldFile, newPath: file, status: "modified", changes }], options.format ?? "text");
  return { changes, text, diagnostics };
}

export interface GraphResult {
  /** The flowchart; undefined when the source has syntax errors. */
  readonly text: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

export interface GraphOptions {
  /** `mermaid` (default): a Mermaid flowchart. `dot`: Graphviz DOT. */
  readonly format?: GraphFormat;
}

/** Draws a flow as a Mermaid flowchart (default) or Graphviz DOT, as `callflow graph` does. */
export function graph(source: string, file: string, options: GraphOptions = {}): GraphResult {
  const parsed = parseFlow(source, file);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics))
    return { text: undefined, diagnostics: parsed.diagnostics };
  return { text: drawGraph(parsed.flow, options.format ?? "mermaid"), diagnostics: parsed.diagnostics };
}
