// Front end in one call: parse, then validate when the syntax is sound.
import type { Comment, Flow } from "../grammar/ast.js";
import { parse } from "../grammar/parse.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../grammar/diagnostics.js";
import { validate } from "./validate.js";

export interface CheckResult {
  readonly flow: Flow | undefined;
  readonly comments: readonly Comment[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Semantic rules run only on a file that parsed without errors: on a recovered tree they
 * would report follow-on mistakes (a widget that failed to parse is "unknown", and so on).
 */
export function checkSource(source: string, file: string): CheckResult {
  const parsed = parse(source, file);
  if (parsed.flow === undefined || hasErrors(parsed.diagnostics)) return parsed;
  return {
    flow: parsed.flow,
    comments: parsed.comments,
    diagnostics: sortDiagnostics([...parsed.diagnostics, ...validate(parsed.flow)]),
  };
}
