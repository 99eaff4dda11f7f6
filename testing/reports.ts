// Test results for machines: JUnit XML for CI systems and a JSON document for tools.
import type { FlowCoverage } from "./coverage.js";
import type { Failure, TestResult } from "./run-test.js";
import type { TestFileResult } from "./run-file.js";

const XML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Text as XML character data or an attribute value; characters XML 1.0 forbids are dropped. */
function xml(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "").replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

export function failureText(failure: Failure): string {
  const lines = [`${failure.span.file}:${failure.span.line}:${failure.span.column}  ${failure.message}`];
  if (failure.expected !== undefined) lines.push(`- expected: ${failure.expected.replace(/\n/g, "\n-           ")}`);
  if (failure.actual !== undefined) lines.push(`+ actual:   ${failure.actual.replace(/\n/g, "\n+           ")}`);
  return lines.join("\n");
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** One testsuite per test file, one testcase per test; `time` is virtual seconds. */
export function junit(files: readonly TestFileResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = files.flatMap((f) => f.tests);
  const failed = (tests: readonly TestResult[]): number => tests.filter((t) => !t.passed).length;
  const errors = (f: TestFileResult): number => (f.diagnostics.some((d) => d.severity === "error") ? 1 : 0);
  const total = (tests: readonly TestResult[]): string => seconds(tests.reduce((sum, t) => sum + t.virtualMs, 0));
  out.push(
    `<testsuites name="callflow test" tests="${all.length}" failures="${failed(all)}" errors="${files.reduce((n, f) => n + errors(f), 0)}" time="${total(all)}">`,
  );
  for (const file of files) {
    out.push(
      `  <testsuite name="${xml(file.file)}" file="${xml(file.file)}" tests="${file.tests.length}" failures="${failed(file.tests)}" errors="${errors(file)}" skipped="${file.skipped}" time="${total(file.tests)}">`,
    );
    const broken = file.diagnostics.filter((d) => d.severity === "error");
    if (broken.length > 0) {
      const text = broken
        .map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code}: ${d.message}`)
        .join("\n");
      out.push(
        `    <testcase name="(test file)" classname="${xml(file.file)}" file="${xml(file.file)}">`,
        `      <error message="${xml(broken[0]!.message)}">${xml(text)}</error>`,
        "    </testcase>",
      );
    }
    for (const test of file.tests) {
      const head = `    <testcase name="${xml(test.name)}" classname="${xml(file.file)}" file="${xml(test.span.file)}" line="${test.span.line}" time="${seconds(test.virtualMs)}"`;
      if (test.passed) {
        out.push(`${head}/>`);
        continue;
      }
      out.push(`${head}>`);
      for (const failure of test.failures)
        out.push(
          `      <failure message="${xml(failure.message)}" type="expectation">${xml(failureText(failure))}</failure>`,
        );
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/** Everything a tool needs, one document. */
export function jsonReport(files: readonly TestFileResult[], coverage: readonly FlowCoverage[] | undefined): unknown {
  const tests = files.flatMap((f) => f.tests);
  return {
    passed: tests.filter((t) => t.passed).length,
    failed: tests.filter((t) => !t.passed).length,
    skipped: files.reduce((n, f) => n + f.skipped, 0),
    files: files.map((f) => ({
      file: f.file,
      flow: f.flowFile ?? null,
      diagnostics: f.diagnostics.map((d) => ({
        file: d.span.file,
        line: d.span.line,
        column: d.span.column,
        code: d.code,
        severity: d.severity,
        message: d.message,
      })),
      tests: f.tests.map((t) => ({
        name: t.name,
        file: t.span.file,
        line: t.span.line,
        column: t.span.column,
        status: t.passed ? "passed" : "failed",
        virtualMs: t.virtualMs,
        failures: t.failures.map((x) => ({
          file: x.span.file,
          line: x.span.line,
          column: x.span.column,
          message: x.message,
          ...(x.expected === undefined ? {} : { expected: x.expected }),
          ...(x.actual === undefined ? {} : { actual: x.actual }),
        })),
      })),
    })),
    ...(coverage === undefined
      ? {}
      : {
          coverage: coverage.map((c) => ({
            flow: c.flowFile,
            covered: c.covered,
            total: c.total,
            exits: c.exits.map((e) => ({
              widget: e.widget,
              exit: e.label,
              target: e.target,
              ...(e.condition === undefined ? {} : { condition: e.condition }),
              line: e.span.line,
              column: e.span.column,
              count: e.count,
            })),
          })),
        }),
  };
}
