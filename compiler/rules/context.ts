// What every rule receives (the flow, its symbol table, a sink) and what it hands back:
// handlers for the one walk validate() makes over the flow.
import type { Declaration, Flow, HttpWidget, Widget } from "../../grammar/ast.js";
import type { Diagnostic } from "../../grammar/diagnostics.js";
import type { Reference, Scope, SuggestionBudget } from "../scope.js";
import type { TypeLookup } from "../types.js";

export interface RuleContext {
  readonly flow: Flow;
  readonly scope: Scope;
  readonly typeOf: TypeLookup;
  /** Shared by the "did you mean" hints of all rules (see SUGGESTION_COMPARISONS). */
  readonly suggestions: SuggestionBudget;
  report(diagnostic: Diagnostic): void;
}

/**
 * Handlers called during the walk: each declaration in order, then each widget in order,
 * with the references of each (see widgetReferences in scope.ts) right after it, then
 * `end`. One walk instead of one per rule: on a large flow, reading the AST from memory
 * costs more than the checks themselves.
 */
export interface RuleHandlers {
  declaration?(decl: Declaration): void;
  widget?(widget: Widget): void;
  /** Http widgets only, after `widget`: most rules are about them, and the others need not be called. */
  http?(widget: HttpWidget): void;
  reference?(ref: Reference): void;
  end?(): void;
}

/**
 * A rule runs its whole-flow checks when called and returns the handlers for the rest.
 * It reports what it finds and never throws.
 */
export type Rule = (ctx: RuleContext) => RuleHandlers;
