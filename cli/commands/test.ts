// `callflow test`: runs .flowtest files against their flows with mocked HTTP and virtual time,
// prints one line per test and every failure, then `N passed, N failed`. With --coverage, the
// exits of each flow that no test took. Exit 0 all pass, 1 a test failed or coverage is below
// --min-coverage, 2 usage errors or a test file that does not check.
import path from "node:path";
import { performance } from "node:perf_hooks";
import pc from "picocolors";
import { hasErrors } from "../../grammar/diagnostics.js";
import { coveragePercent, flowCoverage, lcov, lcovProblem, type FlowCoverage } from "../../testing/coverage.js";
import { failureText, githubSummary, jsonReport, junit } from "../../testing/reports.js";
import { runTestFile, type TestFileResult } from "../../testing/run-file.js";
import { appendOutput, expandInputs, readSource, readSourceAt, toPosix, writeOutput } from "../files.js";
import { formatReport, printable } from "../report.js";
import type { Environment } from "../../project/project-file.js";
import { chooseEnvironment, openProject } from "../project.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandIO } from "./io.js";

export type TestReporter = "junit" | "github-summary";

export interface TestArgs {
  readonly patterns: readonly string[];
  readonly filter?: string;
  readonly format: "pretty" | "json";
  /** Report files besides the terminal's: JUnit XML (to --output), GitHub's job summary (appended). */
  readonly reporters: readonly TestReporter[];
  /** Where --reporter junit writes. */
  readonly output?: string;
  /** Where --reporter github-summary appends: GitHub sets GITHUB_STEP_SUMMARY in every step. */
  readonly stepSummary?: string;
  readonly coverage: boolean;
  /** Percent; a flow below it fails the run. */
  readonly minCoverage?: number;
  readonly coverageFormat: "text" | "lcov";
  readonly coverageOut?: string;
  /** Config values (and sources of secrets a test does not give) from this environment of callflow.json. */
  readonly env?: string;
  readonly project?: string;
}

/** Durations: `12 ms`, `10.0 s`, `4 min 10 s`, `2 h 46 min` (virtual totals run long). */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

export async function testCommand(args: TestArgs, io: CommandIO): Promise<number> {
  if (args.reporters.includes("junit") && args.output === undefined) {
    io.stderr("callflow test: --reporter junit needs --output FILE\n");
    return EXIT_USAGE;
  }
  if (args.reporters.includes("github-summary") && (args.stepSummary ?? "") === "") {
    io.stderr("callflow test: --reporter github-summary appends to $GITHUB_STEP_SUMMARY, which is not set\n");
    return EXIT_USAGE;
  }
  if ((args.coverageOut !== undefined) !== (args.coverageFormat === "lcov")) {
    io.stderr("callflow test: --coverage-format lcov and --coverage-out FILE go together\n");
    return EXIT_USAGE;
  }
  const started = performance.now();
  const files = await expandInputs(args.patterns, io.cwd, ["flowtest"]);
  if (files.length === 0) {
    io.stderr("callflow test: no .flowtest files found\n");
    return EXIT_USAGE;
  }
  let environment: Environment | undefined;
  if (args.env !== undefined) {
    const opened = await openProject(io, args.project);
    if (opened?.project === undefined) {
      io.stderr("callflow test: --env needs a readable callflow.json (run callflow check)\n");
      return EXIT_USAGE;
    }
    environment = chooseEnvironment(opened.project, args.env);
  }
  const results: TestFileResult[] = [];
  for (const file of files) {
    const source = await readSource(io.cwd, file);
    // A test file that is not UTF-8 does not check: reported, never guessed at.
    if ("invalid" in source)
      results.push({
        file,
        flowFile: undefined,
        diagnostics: [source.invalid],
        sources: new Map(),
        tests: [],
        skipped: 0,
      });
    else
      results.push(await runTestFile(source.text, file, { cwd: io.cwd, read: readSourceAt }, args.filter, environment));
  }

  const wantCoverage = args.coverage || args.minCoverage !== undefined || args.coverageFormat === "lcov";
  const coverage = wantCoverage ? coverageOf(results, io.cwd) : undefined;
  const broken = results.filter((r) => hasErrors(r.diagnostics));
  const tests = results.flatMap((r) => r.tests);
  const failed = tests.filter((t) => !t.passed).length;
  const below = (coverage ?? []).filter((c) => args.minCoverage !== undefined && coveragePercent(c) < args.minCoverage);

  const unwritable = coverage !== undefined && args.coverageOut !== undefined ? lcovProblem(coverage) : undefined;
  if (unwritable !== undefined) {
    io.stderr(`callflow test: cannot write ${args.coverageOut}: ${printable(unwritable)}\n`);
    return EXIT_USAGE;
  }

  if (args.format === "json") io.stdout(JSON.stringify(jsonReport(results, coverage), null, 2) + "\n");
  else printPretty(results, coverage, args, io, performance.now() - started);
  if (args.reporters.includes("junit") && args.output !== undefined)
    await writeOutput(path.resolve(io.cwd, args.output), junit(results));
  if (args.reporters.includes("github-summary") && args.stepSummary !== undefined)
    await appendOutput(path.resolve(io.cwd, args.stepSummary), githubSummary(results, coverage, args.minCoverage));
  if (coverage !== undefined && args.coverageOut !== undefined)
    await writeOutput(path.resolve(io.cwd, args.coverageOut), lcov(coverage));
  for (const c of below)
    io.stderr(
      `callflow test: ${printable(c.flowFile)}: exit coverage ${coveragePercent(c).toFixed(1)}% is below --min-coverage ${args.minCoverage}%\n`,
    );
  if (broken.length > 0) return EXIT_USAGE;
  return failed > 0 || below.length > 0 ? EXIT_FAILURE : EXIT_OK;
}

/**
 * Per flow, across every test file that tests it. A flow is named relative to the working directory
 * with POSIX separators, however its test files were named (absolute, `../`), so one flow is one entry.
 */
function coverageOf(results: readonly TestFileResult[], cwd: string): FlowCoverage[] {
  const byFlow = new Map<string, TestFileResult[]>();
  for (const result of results)
    if (result.flow !== undefined && result.flowFile !== undefined) {
      const flowFile = toPosix(path.relative(cwd, path.resolve(cwd, result.flowFile)));
      byFlow.set(flowFile, [...(byFlow.get(flowFile) ?? []), result]);
    }
  return [...byFlow]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([flowFile, files]) =>
      flowCoverage(
        files[0]!.flow!,
        flowFile,
        files.flatMap((f) => f.tests.flatMap((t) => t.exits)),
      ),
    );
}

function printPretty(
  results: readonly TestFileResult[],
  coverage: readonly FlowCoverage[] | undefined,
  args: TestArgs,
  io: CommandIO,
  realMs: number,
): void {
  const c = pc.createColors(io.color);
  const out: string[] = [];
  for (const result of results) {
    if (hasErrors(result.diagnostics)) {
      out.push(` ${c.red("✗")} ${printable(result.file)} ${c.red("does not check")}`);
      continue;
    }
    const count = `${result.tests.length} test${result.tests.length === 1 ? "" : "s"}${result.skipped > 0 ? `, ${result.skipped} skipped` : ""}`;
    out.push(
      ` ${result.tests.every((t) => t.passed) ? c.green("✓") : c.red("✗")} ${printable(result.file)} ${c.gray(`(${count})`)}`,
    );
    for (const test of result.tests)
      out.push(
        `   ${test.passed ? c.green("✓") : c.red("✗")} ${printable(test.name)} ${c.gray(duration(test.virtualMs))}`,
      );
  }
  const diagnostics = results.flatMap((r) => r.diagnostics);
  if (diagnostics.length > 0) {
    const sources = new Map(results.flatMap((r) => [...r.sources]));
    io.stdout(out.join("\n") + "\n\n");
    out.length = 0;
    io.stdout(formatReport(diagnostics, sources, "pretty", io.color) + "\n");
  }
  const failing = results.flatMap((r) => r.tests.filter((t) => !t.passed).map((t) => ({ file: r.file, test: t })));
  if (failing.length > 0) {
    out.push("", c.red(c.bold(`Failed tests (${failing.length})`)));
    for (const { file, test } of failing) {
      out.push(
        "",
        ` ${c.red(c.bold("FAIL"))} ${printable(file)} > ${printable(test.name)}  ${c.gray(`${printable(test.span.file)}:${test.span.line}:${test.span.column}`)}`,
      );
      for (const failure of test.failures) {
        // Lines split here are the report's own; within each, what came from files and runs is escaped.
        const [head = "", ...rest] = failureText(failure).split("\n").map(printable);
        out.push(`   ${c.red("✗")} ${head}`);
        for (const line of rest) out.push(`     ${line.startsWith("-") ? c.green(line) : c.red(line)}`);
      }
    }
  }
  if (coverage !== undefined) {
    out.push("", c.bold("Exit coverage"));
    for (const flow of coverage) {
      const pct = coveragePercent(flow);
      const low = args.minCoverage !== undefined && pct < args.minCoverage;
      out.push(
        `   ${printable(flow.flowFile)}  ${(low ? c.red : c.green)(`${flow.covered}/${flow.total} exits (${pct.toFixed(1)}%)`)}`,
      );
      for (const exit of flow.exits.filter((e) => e.count === 0)) {
        const label = exit.condition === undefined ? exit.label : `when ${exit.condition}`;
        out.push(
          `     ${c.yellow(`${printable(flow.flowFile)}:${exit.span.line}:${exit.span.column}`)}  ${exit.widget}  ${printable(label)} -> ${exit.target}`,
        );
      }
    }
  }
  const tests = results.flatMap((r) => r.tests);
  const passed = tests.filter((t) => t.passed).length;
  const failed = tests.length - passed;
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  const virtual = tests.reduce((sum, t) => sum + t.virtualMs, 0);
  out.push(
    "",
    c.gray(`Duration ${duration(virtual)} virtual, ${Math.round(realMs)} ms real`),
    `${failed > 0 ? c.red(`${passed} passed`) : c.green(`${passed} passed`)}, ${failed > 0 ? c.red(`${failed} failed`) : `${failed} failed`}${skipped > 0 ? `, ${skipped} skipped` : ""}`,
  );
  io.stdout(out.join("\n") + "\n");
}
