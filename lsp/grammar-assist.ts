// What the grammar allows next, read from the parsers' own grammar (Chevrotain's GAST, from the
// documented `getGAstProductions`): the tokens that may begin a rule. Completion offers the
// keywords among them, so a keyword is offered where the parser accepts it and is never restated
// here. (Chevrotain's `computeContentAssist`, which did this from a token prefix, is gone from its
// current major.)
import {
  Alternation,
  Alternative,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Rule,
  Terminal,
  type IProduction,
  type TokenType,
} from "chevrotain";
import { wordOf } from "../grammar/tokens.js";

interface GrammarSource {
  getGAstProductions(): Record<string, Rule>;
}

const cache = new WeakMap<GrammarSource, Map<string, readonly TokenType[]>>();

/** The token types that may begin `rule` of `parser`, in the order the grammar lists them. */
export function firstTokens(parser: GrammarSource, rule: string): readonly TokenType[] {
  let rules = cache.get(parser);
  if (rules === undefined) cache.set(parser, (rules = new Map()));
  let found = rules.get(rule);
  if (found === undefined) {
    const production = parser.getGAstProductions()[rule];
    if (production === undefined) throw new Error(`the grammar has no rule '${rule}'`);
    const first = new Set<TokenType>();
    firstOfSequence(production.definition, first, new Set());
    found = [...first];
    rules.set(rule, found);
  }
  return found;
}

/** The keywords that may begin `rule`, as written. */
export function firstKeywords(parser: GrammarSource, rule: string): string[] {
  return firstTokens(parser, rule).flatMap((type) => wordOf(type) ?? []);
}

/** Adds the FIRST set of a sequence; answers whether the whole sequence may match nothing. */
function firstOfSequence(productions: readonly IProduction[], into: Set<TokenType>, seen: Set<Rule>): boolean {
  for (const production of productions) if (!firstOf(production, into, seen)) return false;
  return true;
}

function firstOf(production: IProduction, into: Set<TokenType>, seen: Set<Rule>): boolean {
  if (production instanceof Terminal) {
    into.add(production.terminalType);
    return false;
  }
  if (production instanceof NonTerminal) {
    const rule = production.referencedRule;
    // A rule reached again through itself adds nothing new (the grammar is LL: no left recursion).
    if (seen.has(rule)) return false;
    seen.add(rule);
    return firstOfSequence(rule.definition, into, seen);
  }
  if (production instanceof Alternation) {
    let empty = false;
    for (const alternative of production.definition) empty = firstOf(alternative, into, seen) || empty;
    return empty;
  }
  if (
    production instanceof Option ||
    production instanceof Repetition ||
    production instanceof RepetitionWithSeparator
  ) {
    firstOfSequence(production.definition, into, seen);
    return true;
  }
  if (
    production instanceof Alternative ||
    production instanceof RepetitionMandatory ||
    production instanceof RepetitionMandatoryWithSeparator
  )
    return firstOfSequence(production.definition, into, seen);
  return false;
}
