// Semantic validation: every rule runs over the parsed flow and reports diagnostics.
import type { Declaration, Flow, HttpWidget, Widget } from "../grammar/ast.js";
import { diagnostic, sortDiagnostics } from "../grammar/diagnostics.js";
import type { Diagnostic } from "../grammar/diagnostics.js";
import type { Rule, RuleContext, RuleHandlers } from "./rules/context.js";
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

/** What every rule reads, but where to report. */
function contextOf(flow: Flow): Omit<RuleContext, "report"> {
  const scope = buildScope(flow);
  return { flow, scope, typeOf: typeLookup(scope), suggestions: { remaining: SUGGESTION_COMPARISONS } };
}

/**
 * Runs every rule and returns the diagnostics sorted by position. Never throws: a rule that throws
 * becomes one CF2999 naming it (as Langium's validation registry does). The order in which rules
 * report does not show: a code belongs to one rule, and the stable sort keeps one rule's diagnostics
 * at the same place in the order it reported them.
 */
export function validate(flow: Flow, checks: readonly Rule[] = rules): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const ctx: RuleContext = { ...contextOf(flow), report: (d) => void diagnostics.push(d) };
  const scope = ctx.scope;
  const onDeclaration: Guarded<Declaration>[] = [];
  const onWidget: Guarded<Widget>[] = [];
  const onHttp: Guarded<HttpWidget>[] = [];
  const onReference: Guarded<Reference>[] = [];
  const onEnd: Guarded<void>[] = [];
  // A rule that throws is reported once, as CF2999 naming it, and called no more: the others still run.
  const failed = new Set<Rule>();
  const fail = (rule: Rule, error: unknown): void => {
    if (failed.has(rule)) return;
    failed.add(rule);
    const reason = error instanceof Error ? error.name : typeof error;
    diagnostics.push(diagnostic("ruleFailed", flow.id.span, [rule.name || "anonymous", reason]));
  };
  const call = <T>(handlers: readonly Guarded<T>[], value: T): void => {
    for (const { rule, handle } of handlers) {
      if (failed.has(rule)) continue;
      try {
        handle(value);
      } catch (error) {
        fail(rule, error);
      }
    }
  };
  for (const rule of checks) {
    let handlers: RuleHandlers;
    try {
      handlers = rule(ctx);
    } catch (error) {
      fail(rule, error);
      continue;
    }
    if (handlers.declaration) onDeclaration.push({ rule, handle: handlers.declaration });
    if (handlers.widget) onWidget.push({ rule, handle: handlers.widget });
    if (handlers.http) onHttp.push({ rule, handle: handlers.http });
    if (handlers.reference) onReference.push({ rule, handle: handlers.reference });
    if (handlers.end) onEnd.push({ rule, handle: handlers.end });
  }
  const references: ReferenceSink = {
    scope,
    emit(ref) {
      call(onReference, ref);
    },
  };
  for (const decl of flow.declarations) {
    call(onDeclaration, decl);
    declarationReferences(decl, references);
  }
  for (const widget of flow.widgets) {
    call(onWidget, widget);
    if (widget.kind === "HttpWidget") call(onHttp, widget);
    widgetReferences(widget, references);
  }
  call(onEnd, undefined);
  return sortDiagnostics(diagnostics);
}

/** A rule's handler, kept with its rule so a throw can name it. */
interface Guarded<T> {
  readonly rule: Rule;
  readonly handle: (value: T) => void;
}

/** CF2006 for each widget whose id an earlier one has: the one semantic error a drawing cannot show. */
export function duplicateWidgetIds(flow: Flow): Diagnostic[] {
  const found: Diagnostic[] = [];
  duplicateWidgets({ ...contextOf(flow), report: (d) => void found.push(d) });
  return found;
}
