// Semantic validation: every rule runs over the parsed flow and reports diagnostics.
import type { Declaration, Flow, HttpWidget, Widget } from "../grammar/ast.js";
import { sortDiagnostics } from "../grammar/diagnostics.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import type { Rule, RuleContext } from "./rules/context.js";
import {
  duplicateDeclarations,
  reservedNames,
  undeclaredReferences,
  unusedDeclarations,
} from "./rules/declarations.js";
import {
  absoluteUrl,
  bodyOnGet,
  contentTypeMatchesBody,
  duplicateKeys,
  retryNeedsIdempotencyKey,
  knownMethods,
  settingBounds,
  statusExits,
  validJsonPaths,
} from "./rules/http.js";
import { configDeclarations, pinnedOrigins } from "./rules/config.js";
import { literalCredentials, maskedCopies, plainKeys, secretsInUrls, secretsThatLeave } from "./rules/security.js";
import {
  duplicateWidgets,
  missingStart,
  plainStrings,
  requiredParts,
  unknownExitTargets,
  unreachableWidgets,
  loops,
} from "./rules/structure.js";
import { assignmentTypes, conditionTypes, defaultTypes, knownTypes, resultTypes } from "./rules/types.js";
import { buildScope, declarationReferences, SUGGESTION_COMPARISONS, typeLookup, widgetReferences } from "./scope.js";
import type { Reference, ReferenceSink } from "./scope.js";

export const rules: readonly Rule[] = [
  missingStart,
  duplicateWidgets,
  unknownExitTargets,
  requiredParts,
  plainStrings,
  unreachableWidgets,
  loops,
  duplicateDeclarations,
  undeclaredReferences,
  unusedDeclarations,
  knownTypes,
  defaultTypes,
  assignmentTypes,
  resultTypes,
  conditionTypes,
  knownMethods,
  settingBounds,
  statusExits,
  absoluteUrl,
  validJsonPaths,
  bodyOnGet,
  contentTypeMatchesBody,
  retryNeedsIdempotencyKey,
  duplicateKeys,
  literalCredentials,
  secretsInUrls,
  secretsThatLeave,
  plainKeys,
  maskedCopies,
  reservedNames,
  configDeclarations,
  pinnedOrigins,
];

/**
 * Runs every rule and returns the diagnostics sorted by position. Never throws. The order
 * in which rules report does not show: a code belongs to one rule, and the stable sort
 * keeps one rule's diagnostics at the same place in the order it reported them.
 */
/** What every rule reads, but where to report. */
function contextOf(flow: Flow): Omit<RuleContext, "report"> {
  const scope = buildScope(flow);
  return { flow, scope, typeOf: typeLookup(scope), suggestions: { remaining: SUGGESTION_COMPARISONS } };
}

export function validate(flow: Flow): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ctx: RuleContext = { ...contextOf(flow), report: (d) => void diagnostics.push(d) };
  const scope = ctx.scope;
  const onDeclaration: ((decl: Declaration) => void)[] = [];
  const onWidget: ((widget: Widget) => void)[] = [];
  const onHttp: ((widget: HttpWidget) => void)[] = [];
  const onReference: ((ref: Reference) => void)[] = [];
  const onEnd: (() => void)[] = [];
  for (const rule of rules) {
    const handlers = rule(ctx);
    if (handlers.declaration) onDeclaration.push(handlers.declaration);
    if (handlers.widget) onWidget.push(handlers.widget);
    if (handlers.http) onHttp.push(handlers.http);
    if (handlers.reference) onReference.push(handlers.reference);
    if (handlers.end) onEnd.push(handlers.end);
  }
  const references: ReferenceSink = {
    scope,
    emit(ref) {
      for (const handler of onReference) handler(ref);
    },
  };
  for (const decl of flow.declarations) {
    for (const handler of onDeclaration) handler(decl);
    declarationReferences(decl, references);
  }
  for (const widget of flow.widgets) {
    for (const handler of onWidget) handler(widget);
    if (widget.kind === "HttpWidget") for (const handler of onHttp) handler(widget);
    widgetReferences(widget, references);
  }
  for (const handler of onEnd) handler();
  return sortDiagnostics(diagnostics);
}

/** CF2006 for each widget whose id an earlier one has: the one semantic error a drawing cannot show. */
export function duplicateWidgetIds(flow: Flow): Diagnostic[] {
  const found: Diagnostic[] = [];
  duplicateWidgets({ ...contextOf(flow), report: (d) => void found.push(d) });
  return found;
}
