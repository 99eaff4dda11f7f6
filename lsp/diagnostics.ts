// The front end's diagnostics as LSP diagnostics: code, severity, range, the hint, related places,
// a link to the code's row in docs/language.md, and the `Unnecessary` tag where code can go.
import { readFileSync } from "node:fs";
import {
  DiagnosticSeverity,
  DiagnosticTag,
  type Diagnostic as LspDiagnostic,
  type Location,
} from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { messages, type Diagnostic } from "../grammar/diagnostics.js";
import type { Span } from "../grammar/spans.js";
import { rangeOf } from "./positions.js";

/** Unreachable widgets, unused secrets and variables: editors fade them. */
const UNNECESSARY: ReadonlySet<string> = new Set([
  messages.unreachableWidget.code,
  messages.unusedSecret.code,
  messages.unusedVariable.code,
]);

/** What a code action needs from a diagnostic the client sends back. */
export interface DiagnosticData {
  readonly hint?: string;
}

/**
 * Links to each code's row of the diagnostics table, as `file:///.../docs/language.md#L130` (the
 * line fragment editors and GitHub understand). The docs are found next to the running callflow:
 * in a checkout of the repository; an installed package has no docs, and then no links.
 */
export function docsLinks(moduleUrl: string): ReadonlyMap<string, string> {
  const links = new Map<string, string>();
  // dist/lsp/ when built, lsp/ when run from source. The test files' codes (CF3xxx) are in testing.md.
  for (const folder of ["../../docs/", "../docs/"]) {
    for (const name of ["language.md", "testing.md", "environments.md"]) {
      const url = new URL(folder + name, moduleUrl);
      let text: string;
      try {
        text = readFileSync(url, "utf8");
      } catch {
        continue;
      }
      text.split("\n").forEach((line, index) => {
        const code = /^\| (CF\d{4}) \|/.exec(line)?.[1];
        if (code !== undefined && !links.has(code)) links.set(code, `${url.href}#L${index + 1}`);
      });
    }
    if (links.size > 0) break;
  }
  return links;
}

/**
 * `elsewhere` places a related span in another file (a test file's flow); a related span it does
 * not place is in the document itself.
 */
export function toLspDiagnostic(
  d: Diagnostic,
  document: TextDocument,
  links: ReadonlyMap<string, string>,
  elsewhere: (span: Span) => Location | undefined = () => undefined,
): LspDiagnostic {
  const result: LspDiagnostic = {
    range: rangeOf(document, d.span),
    severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: d.code,
    source: "callflow",
    message: d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`,
  };
  const link = links.get(d.code);
  if (link !== undefined) result.codeDescription = { href: link };
  if (UNNECESSARY.has(d.code)) result.tags = [DiagnosticTag.Unnecessary];
  if (d.related !== undefined)
    result.relatedInformation = d.related.map((r) => ({
      location: elsewhere(r.span) ?? { uri: document.uri, range: rangeOf(document, r.span) },
      message: r.message,
    }));
  if (d.hint !== undefined) result.data = { hint: d.hint } satisfies DiagnosticData;
  return result;
}
