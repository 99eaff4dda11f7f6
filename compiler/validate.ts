// Semantic validation: every rule runs over the parsed flow and reports diagnostics.
import type { Flow } from "../grammar/ast.js";
import { sortDiagnostics } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import type { Rule, RuleContext } from "./rules/context.js";
import { duplicateDeclarations, undeclaredReferences, unusedDeclarations } from "./rules/declarations.js";
import {
  absoluteUrl,
  bodyOnGet,
  contentTypeMatchesBody,
  duplicateKeys,
  retryNeedsIdempotencyKey,
  retryRange,
  timeoutRange,
  validJsonPaths,
} from "./rules/http.js";
import { literalCredentials, secretsInUrls, secretsThatLeave } from "./rules/security.js";
import { duplicateWidgets, missingStart, plainStrings, requiredParts, unknownExitTargets, unreachableWidgets } from "./rules/structure.js";
import { assignmentTypes, conditionTypes, defaultTypes, resultTypes } from "./rules/types.js";
import { buildScope, collectReferences, typeLookup } from "./scope.js";

export const rules: readonly Rule[] = [
  missingStart,
  duplicateWidgets,
  unknownExitTargets,
  requiredParts,
  plainStrings,
  unreachableWidgets,
  duplicateDeclarations,
  undeclaredReferences,
  unusedDeclarations,
  defaultTypes,
  assignmentTypes,
  resultTypes,
  conditionTypes,
  retryRange,
  timeoutRange,
  absoluteUrl,
  validJsonPaths,
  bodyOnGet,
  contentTypeMatchesBody,
  retryNeedsIdempotencyKey,
  duplicateKeys,
  literalCredentials,
  secretsInUrls,
  secretsThatLeave,
];

/** Runs every rule and returns the diagnostics sorted by position. Never throws. */
export function validate(flow: Flow): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const scope = buildScope(flow);
  const ctx: RuleContext = {
    flow,
    scope,
    refs: collectReferences(flow),
    typeOf: typeLookup(scope),
    report: (d) => diagnostics.push(d),
  };
  for (const rule of rules) rule(ctx);
  return sortDiagnostics(diagnostics);
}
