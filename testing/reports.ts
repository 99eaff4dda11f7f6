// Test results for machines: JUnit XML for CI systems and a JSON document for tools.
import { coveragePercent, type FlowCoverage } from "./coverage.js";
import type { Failure, TestResult } from "./run-test.js";
import type { TestFileResult, TimedTestResult } from "./run-file.js";

const XML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // In attributes a parser turns tabs and line breaks into spaces unless they are character references.
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};

// Everything outside XML 1.0's `Char` production (C0 controls but tab and line breaks, lone surrogates,
// U+FFFE, U+FFFF) cannot be written at all, not even as a reference: each becomes U+FFFD.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Text as XML character data: a carriage return kept as a reference (parsers would drop it). */
function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, "\ufffd").replace(/[&<>\r]/g, (c) => XML_ESCAPES[c]!);
}

/** Text as an attribute value, whitespace kept as written. */
function xmlAttr(text: string): string {
  return text.replace(NOT_XML_CHAR, "\ufffd").replace(/[&<>"'\t\n\r]/g, (c) => XML_ESCAPES[c]!);
}

export function failureText(failure: Failure): string {
  const lines = [`${failure.span.file}:${failure.span.line}:${failure.span.column}  ${failure.message}`];
  if (failure.expected !== undefined) lines.push(`- expected: ${failure.expected.replace(/\n/g, "\n-           ")}`);
  if (failure.actual !== undefined) lines.push(`+ actual:   ${failure.actual.replace(/\n/g, "\n+           ")}`);
  return lines.join("\n");
}

/** Why a test file does not check: its errors, one a line. */
const errorsText = (file: TestFileResult): string =>
  file.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code}: ${d.message}`)
    .join("\n");

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * One testsuite per test file, one testcase per test. `time` is real seconds (what CI dashboards
 * chart); the virtual time a test's run took, waits included, is its `virtual_time` property.
 */
export function junit(files: readonly TestFileResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = files.flatMap((f) => f.tests);
  const failed = (tests: readonly TestResult[]): number => tests.filter((t) => !t.passed).length;
  const errors = (f: TestFileResult): number => (f.diagnostics.some((d) => d.severity === "error") ? 1 : 0);
  const total = (tests: readonly TimedTestResult[]): string => seconds(tests.reduce((sum, t) => sum + t.realMs, 0));
  out.push(
    `<testsuites name="callflow test" tests="${all.length}" failures="${failed(all)}" errors="${files.reduce((n, f) => n + errors(f), 0)}" time="${total(all)}">`,
  );
  for (const file of files) {
    out.push(
      `  <testsuite name="${xmlAttr(file.file)}" file="${xmlAttr(file.file)}" tests="${file.tests.length}" failures="${failed(file.tests)}" errors="${errors(file)}" skipped="${file.skipped}" time="${total(file.tests)}">`,
    );
    const broken = file.diagnostics.filter((d) => d.severity === "error");
    if (broken.length > 0) {
      const text = errorsText(file);
      out.push(
        `    <testcase name="(test file)" classname="${xmlAttr(file.file)}" file="${xmlAttr(file.file)}">`,
        `      <error message="${xmlAttr(broken[0]!.message)}">${xmlText(text)}</error>`,
        "    </testcase>",
      );
    }
    for (const test of file.tests) {
      out.push(
        `    <testcase name="${xmlAttr(test.name)}" classname="${xmlAttr(file.file)}" file="${xmlAttr(test.span.file)}" line="${test.span.line}" time="${seconds(test.realMs)}">`,
        `      <properties><property name="virtual_time" value="${seconds(test.virtualMs)}"/></properties>`,
      );
      for (const failure of test.failures)
        out.push(
          `      <failure message="${xmlAttr(failure.message)}" type="expectation">${xmlText(failureText(failure))}</failure>`,
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

// ---------------------------------------------------------------- GitHub job summary

// A control character (and the Unicode line separators) as `\u001b`, as JSON writes it: never raw in a report.
const escapeControls = (text: string): string =>
  text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * Text as inline Markdown on one line: what could start emphasis, code, a link, HTML, an entity, math
 * (`$`), a mention, strikethrough or a table cell is backslash-escaped (CommonMark allows it for any
 * ASCII punctuation).
 */
function markdownText(text: string): string {
  return escapeControls(text.replace(/[\\`*_[\]<>|~&!$@]/g, (c) => `\\${c}`)).replace(/[\t\n]/g, " ");
}

/** A fenced block that its text cannot close: the fence is longer than any run of backticks inside. */
function markdownBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${escapeControls(text).replace(/\t/g, " ")}\n${fence}`;
}

/** Failed tests whose failures the summary lists; GitHub takes at most 1 MiB of summary per step. */
export const SUMMARY_FAILURES = 20;

/**
 * `--reporter github-summary`: Markdown for a GitHub Actions job summary (appended to
 * `$GITHUB_STEP_SUMMARY`): the counts, a row per test file, the first failures and exit coverage.
 */
export function githubSummary(
  files: readonly TestFileResult[],
  coverage: readonly FlowCoverage[] | undefined,
  minCoverage: number | undefined,
): string {
  const tests = files.flatMap((f) => f.tests);
  const failed = tests.filter((t) => !t.passed).length;
  const skipped = files.reduce((n, f) => n + f.skipped, 0);
  const broken = files.filter((f) => f.diagnostics.some((d) => d.severity === "error"));
  const counts = [`${tests.length - failed} passed`, `${failed} failed`];
  if (skipped > 0) counts.push(`${skipped} skipped`);
  if (broken.length > 0) counts.push(`${broken.length} test file${broken.length === 1 ? "" : "s"} not checking`);
  const ok = failed === 0 && broken.length === 0;
  const out = [`## ${ok ? "✅" : "❌"} callflow test: ${counts.join(", ")}`, ""];
  out.push("| | test file | passed | failed |", "| --- | --- | ---: | ---: |");
  for (const file of files) {
    const fileFailed = file.tests.filter((t) => !t.passed).length;
    const fileBroken = broken.includes(file);
    const mark = fileBroken || fileFailed > 0 ? "❌" : "✅";
    out.push(
      fileBroken
        ? `| ${mark} | ${markdownText(file.file)} | does not check | |`
        : `| ${mark} | ${markdownText(file.file)} | ${file.tests.length - fileFailed} | ${fileFailed} |`,
    );
  }
  const failing = files.flatMap((f) => f.tests.filter((t) => !t.passed).map((test) => ({ file: f.file, test })));
  if (failing.length > 0) out.push("", "### Failed tests");
  for (const { file, test } of failing.slice(0, SUMMARY_FAILURES)) {
    out.push(
      "",
      `#### ${markdownText(file)} › ${markdownText(test.name)} (line ${test.span.line})`,
      "",
      markdownBlock(test.failures.map(failureText).join("\n")),
    );
  }
  if (failing.length > SUMMARY_FAILURES)
    out.push("", `${failing.length - SUMMARY_FAILURES} more failed tests are in the step's log.`);
  for (const file of broken) {
    out.push("", `#### ${markdownText(file.file)} does not check`, "", markdownBlock(errorsText(file)));
  }
  if (coverage !== undefined) {
    out.push("", "### Exit coverage", "", "| | flow | exits taken | |", "| --- | --- | ---: | ---: |");
    for (const flow of coverage) {
      const pct = coveragePercent(flow);
      const mark = minCoverage !== undefined && pct < minCoverage ? "❌" : "✅";
      out.push(`| ${mark} | ${markdownText(flow.flowFile)} | ${flow.covered}/${flow.total} | ${pct.toFixed(1)}% |`);
    }
  }
  return out.join("\n") + "\n\n";
}
