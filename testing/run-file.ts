// One .flowtest file: parse it, load and check its flow, run its tests (those whose name
// contains the filter), with a guard that fails any test during which a socket is opened.
import diagnosticsChannel from "node:diagnostics_channel";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Flow } from "../grammar/ast.js";
import { hasErrors, type Diagnostic, diagnostic } from "../grammar/diagnostics.js";
import { parseFlowTest } from "../grammar/flowtest-build.js";
import type { FlowTestFile } from "../grammar/flowtest-ast.js";
import { checkFlowTest } from "./check.js";
import { loadFlow, type LoadedFlow } from "../loader/load-flow.js";
import { runTest, type SocketGuard, type TestResult } from "./run-test.js";
import { resolveFlowTarget } from "./target.js";
import type { Environment } from "../project/project-file.js";

export interface TestFileResult {
  readonly file: string;
  /** The flow under test, relative to the working directory; undefined when the header could not be read. */
  readonly flowFile: string | undefined;
  /** Syntax and check diagnostics of the test file (and the flow's, when it has errors). */
  readonly diagnostics: readonly Diagnostic[];
  /** Sources by file name, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
  /** Absent when the file does not check. */
  readonly flow?: Flow;
  readonly tests: readonly TimedTestResult[];
  /** Tests left out by the filter. */
  readonly skipped: number;
}

/** A test's result with the real time its run and checks took. */
export interface TimedTestResult extends TestResult {
  readonly realMs: number;
}

/**
 * Reads the flow at an absolute path, naming it `name` in diagnostics: its text, or the diagnostic that says it is
 * not valid UTF-8. Rejects with an Error whose message says why it cannot be read (a missing file, a FIFO).
 */
export type ReadFlow = (absolute: string, name: string) => Promise<{ text: string } | { invalid: Diagnostic }>;

/** Where a test file is and how its flow is read. */
export interface TestFileContext {
  /** The working directory: `file` and the flow's name in diagnostics are relative to it. */
  readonly cwd: string;
  readonly read: ReadFlow;
}

/** Parses and checks a test file and its flow; `flowFile` and `loaded` are there when both check. */
export async function loadTestFile(
  source: string,
  file: string,
  context: TestFileContext,
): Promise<{
  parsed: FlowTestFile | undefined;
  flowFile?: string;
  loaded?: LoadedFlow;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}> {
  const sources = new Map([[file, source]]);
  const { file: parsed, diagnostics } = parseFlowTest(source, file);
  const all = [...diagnostics];
  if (parsed === undefined || hasErrors(all)) return { parsed, diagnostics: all, sources };
  const testPath = path.resolve(context.cwd, file);
  const target = resolveFlowTarget(parsed, testPath);
  if ("refused" in target) {
    all.push(target.refused);
    return { parsed, diagnostics: all, sources };
  }
  const flowFile = path.relative(context.cwd, target.path).split(path.sep).join("/");
  let flowSource: string;
  try {
    const read = await context.read(target.real, flowFile);
    if ("invalid" in read) {
      all.push(diagnostic("flowHasErrors", parsed.target.span, [flowFile]), read.invalid);
      return { parsed, flowFile, diagnostics: all, sources };
    }
    flowSource = read.text;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    all.push(diagnostic("flowNotFound", parsed.target.span, [flowFile, reason]));
    return { parsed, flowFile, diagnostics: all, sources };
  }
  sources.set(flowFile, flowSource);
  const { diagnostics: flowDiagnostics, loaded } = await loadFlow(flowSource, flowFile);
  if (loaded === undefined || hasErrors(flowDiagnostics)) {
    all.push(
      diagnostic("flowHasErrors", parsed.target.span, [flowFile]),
      ...flowDiagnostics.filter((d) => d.severity === "error"),
    );
    return { parsed, flowFile, diagnostics: all, sources };
  }
  all.push(...checkFlowTest(parsed, loaded.ast));
  return { parsed, flowFile, loaded, diagnostics: all, sources };
}

export async function runTestFile(
  source: string,
  file: string,
  context: TestFileContext,
  filter?: string,
  environment?: Environment,
): Promise<TestFileResult> {
  const { parsed, flowFile, loaded, diagnostics, sources } = await loadTestFile(source, file, context);
  if (parsed === undefined || loaded === undefined || hasErrors(diagnostics))
    return { file, flowFile, diagnostics, sources, tests: [], skipped: 0 };
  const selected = parsed.tests.filter((test) => filter === undefined || test.name.value.includes(filter));
  const guard: SocketGuard = { opened: false };
  // Every TCP connection Node opens is announced on this channel, whatever library opens it.
  const onSocket = (): void => {
    guard.opened = true;
  };
  diagnosticsChannel.subscribe("net.client.socket", onSocket);
  const tests: TimedTestResult[] = [];
  try {
    for (const test of selected) {
      const started = performance.now();
      const result = await runTest(test, loaded, `${file}\0${test.name.value}`, guard, environment);
      tests.push({ ...result, realMs: performance.now() - started });
    }
  } finally {
    diagnosticsChannel.unsubscribe("net.client.socket", onSocket);
  }
  return {
    file,
    flowFile,
    diagnostics,
    sources,
    flow: loaded.ast,
    tests,
    skipped: parsed.tests.length - selected.length,
  };
}
