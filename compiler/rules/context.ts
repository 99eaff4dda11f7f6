// What every rule receives: the flow, its symbol table and references, and a sink.
import type { Flow } from "../../grammar/ast.js";
import type { Diagnostic } from "../diagnostics.js";
import type { Reference, Scope } from "../scope.js";
import type { TypeLookup } from "../types.js";

export interface RuleContext {
  readonly flow: Flow;
  readonly scope: Scope;
  readonly refs: readonly Reference[];
  readonly typeOf: TypeLookup;
  report(diagnostic: Diagnostic): void;
}

/** A rule reports what it finds and never throws. */
export type Rule = (ctx: RuleContext) => void;
