// The front end's diagnostics as LSP diagnostics: code, severity, range, the hint, related places,
// a link to the code's row in docs/language.md, and the `Unnecessary` tag where code can go.
import { readFileSync } from "node:fs";
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { messages, type Diagnostic } from "../grammar/diagnostics.js";
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
  // dist/lsp/ when built, lsp/ when run from source.
  for (const relative of ["../../docs/language.md", "../docs/language.md"]) {
    const url = new URL(relative, moduleUrl);
    let text: string;
    try {
      text = readFileSync(url, "utf8");
    } catch {
      continue;
    }
    text.split("\n").forEach((line, index) => {
      const code = /^\| (CF\d{4}) \|/.exec(line)?.[1];
      if (code !== undefined) links.set(code, `${url.href}#L${index + 1}`);
    });
    break;
  }
  return links;
}

export function toLspDiagnostic(
  d: Diagnostic,
  document: TextDocument,
  links: ReadonlyMap<string, string>,
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
      location: { uri: document.uri, range: rangeOf(document, r.span) },
      message: r.message,
    }));
  if (d.hint !== undefined) result.data = { hint: d.hint } satisfies DiagnosticData;
  return result;
}
