// The flow's symbol table and its references. Rules read both instead of walking the AST
// themselves, so "declared", "used" and "where a secret goes" mean one thing everywhere.
import type {
  AnySetting,
  Declaration,
  Expr,
  Flow,
  Identifier,
  SecretDecl,
  Span,
  StringLiteral,
  Value,
  VarDecl,
  Widget,
} from "../grammar/ast.js";
import { assignmentsOf, branchesOf, settingsOf, specOf } from "../grammar/widgets.js";
import { VAR_TYPES, type VarType } from "../runtime/contract.js";

export interface Scope {
  /** First declaration of each name, variable or secret. */
  readonly declarations: ReadonlyMap<string, Declaration>;
  /** The variables among `declarations`. */
  readonly variables: ReadonlyMap<string, VarDecl>;
  /** The secrets among `declarations`. */
  readonly secrets: ReadonlyMap<string, SecretDecl>;
  /** Index in `flow.widgets` of the first widget with each id. */
  readonly widgetIndex: ReadonlyMap<string, number>;
  /** Declarations whose name an earlier one has (either kind), in order, with that earlier one. */
  readonly duplicateDeclarations: readonly { readonly decl: Declaration; readonly first: Declaration }[];
  /** Widgets whose id an earlier one has, in order, with that earlier one. */
  readonly duplicateWidgets: readonly { readonly widget: Widget; readonly first: Widget }[];
}

/**
 * Builds the symbol table. Variables and secrets share one namespace: the first
 * declaration of a name wins. Duplicates are listed here, where they are found anyway:
 * on a large flow every lookup in a table of names is a trip to memory.
 */
export function buildScope(flow: Flow): Scope {
  const declarations = new Map<string, Declaration>();
  const variables = new Map<string, VarDecl>();
  const secrets = new Map<string, SecretDecl>();
  const duplicateDeclarations: { decl: Declaration; first: Declaration }[] = [];
  for (const decl of flow.declarations) {
    const name = decl.name.name;
    const first = declarations.get(name);
    if (first !== undefined) {
      duplicateDeclarations.push({ decl, first });
      continue;
    }
    declarations.set(name, decl);
    if (decl.kind === "VarDecl") variables.set(name, decl);
    else secrets.set(name, decl);
  }
  const widgetIndex = new Map<string, number>();
  const duplicateWidgets: { widget: Widget; first: Widget }[] = [];
  flow.widgets.forEach((widget, index) => {
    const first = widgetIndex.get(widget.id.name);
    if (first === undefined) widgetIndex.set(widget.id.name, index);
    else duplicateWidgets.push({ widget, first: flow.widgets[first] as Widget });
  });
  return { declarations, variables, secrets, widgetIndex, duplicateDeclarations, duplicateWidgets };
}

const varTypes: ReadonlySet<string> = new Set(VAR_TYPES);

/** Whether a type name is one the runtime knows (others are reported as CF1009). */
export function isVarType(name: string): name is VarType {
  return varTypes.has(name);
}

/** Looks up a variable's declared type, the shape type inference takes; undefined for unknown types. */
export function typeLookup(scope: Scope): (name: string) => VarType | undefined {
  return (name) => {
    const type = scope.variables.get(name)?.type.name;
    return type !== undefined && isVarType(type) ? type : undefined;
  };
}

/** Where a reference sits, which decides whether a secret may appear there. */
export type RefPlace =
  | "default"
  | "jsonPath"
  | "resultHeader"
  | "resultTarget"
  | "setTarget"
  | "setValue"
  | "condition"
  /** In a setting: its keyword (`url`, `headers`, `message`, ...). */
  | (string & {});

export interface Reference {
  readonly name: string;
  /** `secret.NAME` or `{{secret.NAME}}`; everything else names a variable. */
  readonly secret: boolean;
  /** The reference is assigned to (a result or `set` target) rather than read. */
  readonly write: boolean;
  readonly place: RefPlace;
  readonly span: Span;
  /** What the name resolves to in the scope (either kind), looked up once for every rule. */
  readonly declaration: Declaration | undefined;
}

/** Where collected references go: the scope to resolve them in, and a handler. */
export interface ReferenceSink {
  readonly scope: Scope;
  emit(ref: Reference): void;
}

function read(sink: ReferenceSink, name: string, secret: boolean, place: RefPlace, span: Span): void {
  sink.emit({ name, secret, write: false, place, span, declaration: sink.scope.declarations.get(name) });
}

function write(sink: ReferenceSink, target: Identifier, place: RefPlace): void {
  sink.emit({
    name: target.name,
    secret: false,
    write: true,
    place,
    span: target.span,
    declaration: sink.scope.declarations.get(target.name),
  });
}

function stringRefs(sink: ReferenceSink, s: StringLiteral, place: RefPlace): void {
  for (const part of s.parts) {
    if (part.kind === "Interpolation") read(sink, part.ref.name, part.ref.kind === "SecretRef", place, part.ref.span);
  }
}

function valueRefs(sink: ReferenceSink, v: Value, place: RefPlace): void {
  switch (v.kind) {
    case "String":
      stringRefs(sink, v, place);
      return;
    case "VarRef":
      read(sink, v.name, false, place, v.span);
      return;
    case "SecretRef":
      read(sink, v.name, true, place, v.span);
      return;
    case "Object":
      for (const entry of v.entries) valueRefs(sink, entry.value, place);
      return;
    case "Array":
      for (const item of v.items) valueRefs(sink, item, place);
      return;
    case "Number":
    case "Boolean":
    case "Null":
      return;
  }
}

function exprRefs(sink: ReferenceSink, e: Expr): void {
  switch (e.kind) {
    case "Binary":
      exprRefs(sink, e.left);
      exprRefs(sink, e.right);
      return;
    case "Not":
      exprRefs(sink, e.operand);
      return;
    case "Length":
      valueRefs(sink, e.target, "condition");
      return;
    default:
      valueRefs(sink, e, "condition");
  }
}

/** The variable and secret references in a declaration (its default value). */
export function declarationReferences(decl: Declaration, sink: ReferenceSink): void {
  if (decl.kind === "VarDecl" && decl.default !== undefined) valueRefs(sink, decl.default, "default");
}

/** The references in one setting's value; the place is the setting's keyword. */
function settingRefs(sink: ReferenceSink, setting: AnySetting): void {
  const place = setting.keyword;
  switch (setting.valueKind) {
    case "value":
      return valueRefs(sink, setting.value, place);
    case "string":
    case "plainString":
      return stringRefs(sink, setting.value, place);
    case "keyValues":
      for (const kv of setting.value.entries) valueRefs(sink, kv.value, place);
      return;
    case "body": {
      const body = setting.value;
      if (body.kind === "JsonBody") valueRefs(sink, body.value, place);
      else if (body.kind === "TextBody") stringRefs(sink, body.value, place);
      else for (const kv of body.entries) valueRefs(sink, kv.value, place);
      return;
    }
    case "results":
      for (const m of setting.value.mappings) {
        if (m.source.kind === "JsonPathSource") stringRefs(sink, m.source.path, "jsonPath");
        else if (m.source.kind === "HeaderSource") stringRefs(sink, m.source.name, "resultHeader");
        write(sink, m.target, "resultTarget");
      }
      return;
    case "method":
    case "count":
    case "duration":
    case "flag":
      return;
  }
}

/** The variable and secret references in a widget, in source order of its description. */
export function widgetReferences(w: Widget, sink: ReferenceSink): void {
  for (const branch of branchesOf(w)) exprRefs(sink, branch.condition);
  for (const a of assignmentsOf(w)) {
    write(sink, a.target, "setTarget");
    valueRefs(sink, a.value, "setValue");
  }
  const settings = settingsOf(w);
  for (const spec of specOf(w).settings) {
    const setting = settings[spec.keyword];
    if (setting !== undefined) settingRefs(sink, setting);
  }
}

/**
 * How many name comparisons the "did you mean" hints of one validation may make. Every
 * unknown name is compared with every known one: on a huge flow with thousands of
 * mistakes that is quadratic (minutes for 10,000 unknown names among 50,000 known ones).
 * A real flow stays far below the limit; past it, hints only say how to declare the name.
 */
export const SUGGESTION_COMPARISONS = 1_000_000;

/** What is left of the comparisons, shared by all hints of one validation. */
export interface SuggestionBudget {
  remaining: number;
}

/**
 * The closest candidate by edit distance, if it is close enough to be a likely typo (the
 * first of equally close ones). Undefined as well when the budget runs out first.
 */
export function suggest(
  name: string,
  candidates: Iterable<string>,
  budget: SuggestionBudget = { remaining: Infinity },
): string | undefined {
  const target = name.toLowerCase();
  let best: string | undefined;
  // A candidate must be within `bound`: the limit at first, then closer than the best.
  let bound = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    if (budget.remaining <= 0) return undefined;
    budget.remaining--;
    // The difference in length is a lower bound of the distance (names are ASCII, so
    // lowercasing keeps lengths).
    if (Math.abs(candidate.length - target.length) > bound) continue;
    const d = editDistance(target, candidate.toLowerCase(), bound);
    if (d <= bound) {
      best = candidate;
      bound = d - 1;
      if (bound < 0) break;
    }
  }
  return best;
}

// Two rows of the distance table, reused: names are short, and this runs per candidate.
let previousRow = new Int32Array(64);
let currentRow = new Int32Array(64);

/** Levenshtein distance, one row at a time; `bound + 1` as soon as it must exceed `bound`. */
function editDistance(a: string, b: string, bound: number): number {
  if (previousRow.length <= b.length) {
    previousRow = new Int32Array(2 * b.length + 2);
    currentRow = new Int32Array(2 * b.length + 2);
  }
  let previous = previousRow;
  let current = currentRow;
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const d = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    // A row's smallest distance never decreases in the rows below it.
    if (rowMin > bound) return bound + 1;
    [previous, current] = [current, previous];
  }
  return previous[b.length] as number;
}

/** "did you mean 'x'?" when there is a close candidate. */
export function didYouMean(name: string, candidates: Iterable<string>, budget: SuggestionBudget): string | undefined {
  const match = suggest(name, candidates, budget);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}
