// Prints diagnostics for people (code frames), machines (JSON), GitHub Actions (annotations) and
// code-scanning services (SARIF 2.1.0).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import pc from "picocolors";
import type { Span } from "../grammar/ast.js";
import { codeFrame, SourceLines } from "./code-frame.js";
import { messages, type Diagnostic } from "../grammar/diagnostics.js";

export type ReportFormat = "pretty" | "json" | "github" | "sarif";
export const REPORT_FORMATS: readonly ReportFormat[] = ["pretty", "json", "github", "sarif"];

/** Source text by file name, for code frames. */
export type Sources = ReadonlyMap<string, string>;

// C0 and C1 controls (ESC starts terminal sequences, CR rewrites a line), DEL and the Unicode line
// separators: a name or message from a file is printed with these escaped, so it cannot forge output.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Text from a file or a run, safe to print on a terminal: controls as `\u001b`, as JSON writes them. */
export function printable(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function formatPretty(d: Diagnostic, source: string | SourceLines | undefined, color: boolean): string {
  const c = pc.createColors(color);
  const where = c.cyan(`${printable(d.span.file)}:${d.span.line}:${d.span.column}`);
  const severity = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  const lines = [`${where} - ${severity} ${c.gray(d.code)}: ${printable(d.message)}`];
  const paintMarker = d.severity === "error" ? c.red : c.yellow;
  const frame = (span: Span): string =>
    codeFrame(source as string | SourceLines, span, {
      color: (kind, text) => (kind === "gutter" ? c.gray(text) : paintMarker(text)),
    });
  if (source !== undefined) lines.push("", frame(d.span));
  if (d.hint !== undefined) lines.push(`  ${c.bold("hint")}: ${printable(d.hint)}`);
  for (const related of d.related ?? []) {
    const at = c.cyan(`${printable(related.span.file)}:${related.span.line}:${related.span.column}`);
    lines.push("", `  ${at} - ${printable(related.message)}`);
    // A related place in the same file gets its own frame; another file's source is not at hand.
    if (source !== undefined && related.span.file === d.span.file) lines.push("", frame(related.span));
  }
  return lines.join("\n") + "\n";
}

/** A span as machines read it: start and end, 1-based lines and columns (end exclusive). */
function location(span: Span, lines: SourceLines | undefined): Record<string, unknown> {
  const end = lines?.end(span);
  return {
    file: span.file,
    line: span.line,
    column: span.column,
    ...(end === undefined ? {} : { endLine: end.line, endColumn: end.column }),
  };
}

export function toJson(d: Diagnostic, lines?: SourceLines): Record<string, unknown> {
  return {
    ...location(d.span, lines),
    offset: d.span.offset,
    length: d.span.length,
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
    ...(d.related === undefined
      ? {}
      : {
          related: d.related.map((r) => ({
            ...location(r.span, r.span.file === d.span.file ? lines : undefined),
            message: r.message,
          })),
        }),
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
  const related = (d.related ?? []).map((r) => ` (${r.message}: ${r.span.file}:${r.span.line}:${r.span.column})`);
  const text = (d.hint === undefined ? d.message : `${d.message} (hint: ${d.hint})`) + related.join("");
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

/** Splits each file into lines once, however many diagnostics it has. */
function lineCache(sources: Sources): (file: string) => SourceLines | undefined {
  const split = new Map<string, SourceLines | undefined>();
  return (file) => {
    if (!split.has(file)) {
      const source = sources.get(file);
      split.set(file, source === undefined ? undefined : new SourceLines(source));
    }
    return split.get(file);
  };
}

/**
 * Diagnostics reported per file, like a compiler that stops listing after so many: a file with
 * 200,000 mistakes would otherwise print megabytes. The summary still counts them all.
 */
export const MAX_REPORTED_PER_FILE = 100;

export interface Omitted {
  readonly file: string;
  readonly errors: number;
  readonly warnings: number;
}

/** The first MAX_REPORTED_PER_FILE diagnostics of each file, and counts of the rest. */
export function capPerFile(diagnostics: readonly Diagnostic[]): { shown: Diagnostic[]; omitted: Omitted[] } {
  const seen = new Map<string, number>();
  const omitted = new Map<string, { file: string; errors: number; warnings: number }>();
  const shown: Diagnostic[] = [];
  for (const d of diagnostics) {
    const file = d.span.file;
    const count = (seen.get(file) ?? 0) + 1;
    seen.set(file, count);
    if (count <= MAX_REPORTED_PER_FILE) {
      shown.push(d);
      continue;
    }
    let rest = omitted.get(file);
    if (rest === undefined) omitted.set(file, (rest = { file, errors: 0, warnings: 0 }));
    if (d.severity === "error") rest.errors++;
    else rest.warnings++;
  }
  return { shown, omitted: [...omitted.values()] };
}

function omittedLine(o: Omitted): string {
  const parts = [o.errors > 0 ? plural(o.errors, "error") : "", o.warnings > 0 ? plural(o.warnings, "warning") : ""];
  return `${printable(o.file)}: ${parts.filter((p) => p !== "").join(" and ")} more not shown (the first ${MAX_REPORTED_PER_FILE} of each file are)`;
}

/** Diagnostics as JSON objects (capped per file), with end positions where the source is known. */
export function jsonDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: Sources,
): { diagnostics: Record<string, unknown>[]; omitted?: Omitted[] } {
  const linesOf = lineCache(sources);
  const { shown, omitted } = capPerFile(diagnostics);
  const json = shown.map((d) => toJson(d, linesOf(d.span.file)));
  return omitted.length === 0 ? { diagnostics: json } : { diagnostics: json, omitted };
}

// ---------------------------------------------------------------- SARIF

/** What SARIF says about the tool that ran. */
export interface SarifTool {
  readonly version: string;
  /** The project's home page, where the docs folder is (`<homepage>/blob/main/docs/`). */
  readonly homepage: string;
  /** Folder that result URIs are relative to: the repository root, or the working folder outside one. */
  readonly root: string;
}

/** The repository root above `cwd` (the folder holding `.git`), or `cwd` itself outside a repository. */
export function repositoryRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

// A catalogue template with its placeholders left open reads as the rule's description; its key, in
// PascalCase as SARIF suggests, is the rule's readable name.
const RULES = new Map<string, { readonly name: string; readonly text: string }>(
  Object.entries(messages).map(([key, m]) => [
    m.code,
    { name: key[0]!.toUpperCase() + key.slice(1), text: (m.text as string).replace(/\{\d+\}/g, "…") },
  ]),
);

/** What each family of codes is about, and the docs page whose diagnostics table lists it. */
function ruleFamily(code: string): { readonly about: string; readonly page: string } {
  if (code.startsWith("CF3"))
    return {
      about: "A test file (.flowtest) does not check against its flow; `callflow test` refuses to run it.",
      page: "testing.md#formatting-and-checking-test-files",
    };
  if (code.startsWith("CF2"))
    return {
      about: "The flow parses but breaks a rule of the language: it does not compile until this is fixed.",
      page: "language.md#diagnostics",
    };
  return {
    about: "The flow cannot be read as written (a syntax error, or a method or type the runtime does not know).",
    page: "language.md#diagnostics",
  };
}

/** A rule as GitHub code scanning shows it: short and full descriptions, help text, a link to the code's table. */
function sarifRule(code: string, severity: Diagnostic["severity"], homepage: string): Record<string, unknown> {
  const { about, page } = ruleFamily(code);
  const { name, text } = RULES.get(code) ?? { name: code, text: code };
  const helpUri = `${homepage}/blob/main/docs/${page}`;
  return {
    id: code,
    name,
    shortDescription: { text },
    fullDescription: { text: `${text} ${about}` },
    help: {
      text: `${code}: ${text}\n\n${about} The message says what was found and where; every code is explained at ${helpUri}.`,
      markdown: `**${code}**: ${text}\n\n${about} The message says what was found and where; every code is explained in [the diagnostics table](${helpUri}).`,
    },
    helpUri,
    defaultConfiguration: { level: severity },
  };
}

/**
 * What code scanning matches a result by across commits: a hash of the rule, the file and the flagged
 * line's text (whitespace collapsed), not its number, so a result keeps its alert when lines move;
 * `:n` counts the same hash within the file. The shape is GitHub's `primaryLocationLineHash`.
 */
function fingerprints(
  diagnostics: readonly Diagnostic[],
  uri: (file: string) => string,
  linesOf: (file: string) => SourceLines | undefined,
): string[] {
  const seen = new Map<string, number>();
  return diagnostics.map((d) => {
    const line = linesOf(d.span.file)?.lines[d.span.line - 1]?.replace(/\s+/g, " ").trim() ?? d.message;
    const hash = createHash("sha256")
      .update(`${d.code}\0${uri(d.span.file)}\0${line}`)
      .digest("hex")
      .slice(0, 16);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return `${hash}:${occurrence}`;
  });
}

/**
 * One SARIF 2.1.0 log with one run: a rule per code used (in order of first use), a result per
 * diagnostic with its region (1-based lines and UTF-16 columns, end exclusive, as SARIF counts them)
 * and its related places. File names are given relative to `cwd`, URIs relative to `tool.root`.
 */
export function formatSarif(all: readonly Diagnostic[], sources: Sources, cwd: string, tool: SarifTool): string {
  const linesOf = lineCache(sources);
  // Capped like every other format: code scanning wants findings, not 200,000 syntax errors.
  const diagnostics = capPerFile(all).shown;
  const uri = (file: string): string =>
    path.relative(tool.root, path.resolve(cwd, file)).split(path.sep).map(encodeURIComponent).join("/");
  const physical = (span: Span): Record<string, unknown> => {
    const end = linesOf(span.file)?.end(span);
    return {
      artifactLocation: { uri: uri(span.file) },
      region: {
        startLine: span.line,
        startColumn: span.column,
        ...(end === undefined ? {} : { endLine: end.line, endColumn: end.column }),
      },
    };
  };
  const ruleIndex = new Map<string, number>();
  for (const d of diagnostics) if (!ruleIndex.has(d.code)) ruleIndex.set(d.code, ruleIndex.size);
  const rules = diagnostics
    .filter((d, i) => diagnostics.findIndex((other) => other.code === d.code) === i)
    .map((d) => sarifRule(d.code, d.severity, tool.homepage));
  const hashes = fingerprints(diagnostics, uri, linesOf);
  const results = diagnostics.map((d, i) => ({
    ruleId: d.code,
    ruleIndex: ruleIndex.get(d.code) ?? 0,
    level: d.severity,
    message: { text: d.hint === undefined ? d.message : `${d.message} Hint: ${d.hint}` },
    locations: [{ physicalLocation: physical(d.span) }],
    partialFingerprints: { primaryLocationLineHash: hashes[i] },
    ...(d.related === undefined
      ? {}
      : {
          relatedLocations: d.related.map((r, id) => ({
            id,
            physicalLocation: physical(r.span),
            message: { text: r.message },
          })),
        }),
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "callflow", version: tool.version, informationUri: tool.homepage, rules } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}

/** All diagnostics in one format, capped per file; JSON is one document so tools can parse it whole. */
export function formatReport(
  diagnostics: readonly Diagnostic[],
  sources: Sources,
  format: Exclude<ReportFormat, "sarif">,
  color: boolean,
): string {
  const linesOf = lineCache(sources);
  const { shown, omitted } = capPerFile(diagnostics);
  switch (format) {
    case "pretty":
      return [
        ...shown.map((d) => formatPretty(d, linesOf(d.span.file), color)),
        ...omitted.map((o) => `${omittedLine(o)}\n`),
      ].join("\n");
    case "github":
      return (
        shown.map(formatGithub).join("") + omitted.map((o) => `::notice::${escapeData(omittedLine(o))}\n`).join("")
      );
    case "json":
      return JSON.stringify(jsonDiagnostics(diagnostics, sources), null, 2) + "\n";
  }
}
