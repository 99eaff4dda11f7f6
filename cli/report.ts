// Prints diagnostics for people (code frames), machines (JSON) and GitHub Actions (annotations).
import pc from "picocolors";
import { codeFrame } from "./code-frame.js";
import type { Diagnostic } from "../grammar/diagnostics.js";

export type ReportFormat = "pretty" | "json" | "github";
export const REPORT_FORMATS: readonly ReportFormat[] = ["pretty", "json", "github"];

/** Source text by file name, for code frames. */
export type Sources = ReadonlyMap<string, string>;

export function formatPretty(d: Diagnostic, source: string | undefined, color: boolean): string {
  const c = pc.createColors(color);
  const where = c.cyan(`${d.span.file}:${d.span.line}:${d.span.column}`);
  const severity = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  const lines = [`${where} - ${severity} ${c.gray(d.code)}: ${d.message}`];
  if (source !== undefined) {
    const paintMarker = d.severity === "error" ? c.red : c.yellow;
    lines.push(
      "",
      codeFrame(source, d.span, { color: (kind, text) => (kind === "gutter" ? c.gray(text) : paintMarker(text)) }),
    );
  }
  if (d.hint !== undefined) lines.push(`  ${c.bold("hint")}: ${d.hint}`);
  return lines.join("\n") + "\n";
}

export function toJson(d: Diagnostic): Record<string, unknown> {
  return {
    file: d.span.file,
    line: d.span.line,
    column: d.span.column,
    offset: d.span.offset,
    length: d.span.length,
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  };
}

// GitHub's workflow-command escaping: data escapes %, CR, LF; properties also ':' and ','.
const escapeData = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function formatGithub(d: Diagnostic): string {
  const props = [
    `file=${escapeProperty(d.span.file)}`,
    `line=${d.span.line}`,
    `col=${d.span.column}`,
    `title=${escapeProperty(d.code)}`,
  ].join(",");
  const text = d.hint === undefined ? d.message : `${d.message} (hint: ${d.hint})`;
  return `::${d.severity === "error" ? "error" : "warning"} ${props}::${escapeData(text)}\n`;
}

export interface Summary {
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
}

export function summarize(files: number, diagnostics: readonly Diagnostic[]): Summary {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  return { files, errors, warnings: diagnostics.length - errors };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

export function summaryLine(s: Summary, ms: number, color: boolean): string {
  const c = pc.createColors(color);
  const errors = plural(s.errors, "error");
  const warnings = plural(s.warnings, "warning");
  return `${plural(s.files, "file")} checked: ${s.errors > 0 ? c.red(errors) : errors}, ${s.warnings > 0 ? c.yellow(warnings) : warnings} (${Math.round(ms)} ms)\n`;
}

/** All diagnostics in one format; JSON is one document with a summary so tools can parse it whole. */
export function formatReport(
  diagnostics: readonly Diagnostic[],
  sources: Sources,
  format: ReportFormat,
  color: boolean,
): string {
  switch (format) {
    case "pretty":
      return diagnostics.map((d) => formatPretty(d, sources.get(d.span.file), color)).join("\n");
    case "github":
      return diagnostics.map(formatGithub).join("");
    case "json":
      return JSON.stringify({ diagnostics: diagnostics.map(toJson) }, null, 2) + "\n";
  }
}
