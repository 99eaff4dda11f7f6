// The flow's symbol table and its references. Rules read both instead of walking the AST
// themselves, so "declared", "used" and "where a secret goes" mean one thing everywhere.
import type {
  ExitLabel,
  Expr,
  Flow,
  Identifier,
  SecretDecl,
  Span,
  StringLiteral,
  Value,
  VarDecl,
  VarType,
  Widget,
} from "../grammar/ast.js";

export interface Scope {
  /** First declaration of each variable name; later duplicates are reported by a rule. */
  readonly variables: ReadonlyMap<string, VarDecl>;
  readonly secrets: ReadonlyMap<string, SecretDecl>;
  /** First widget with each id. */
  readonly widgets: ReadonlyMap<string, Widget>;
}

/** Builds the symbol table. Variables and secrets share one namespace: the first declaration of a name wins. */
export function buildScope(flow: Flow): Scope {
  const variables = new Map<string, VarDecl>();
  const secrets = new Map<string, SecretDecl>();
  for (const decl of flow.declarations) {
    const name = decl.name.name;
    if (variables.has(name) || secrets.has(name)) continue;
    if (decl.kind === "VarDecl") variables.set(name, decl);
    else secrets.set(name, decl);
  }
  const widgets = new Map<string, Widget>();
  for (const widget of flow.widgets) {
    if (!widgets.has(widget.id.name)) widgets.set(widget.id.name, widget);
  }
  return { variables, secrets, widgets };
}

/** Looks up a variable's declared type; the shape type inference takes. */
export function typeLookup(scope: Scope): (name: string) => VarType | undefined {
  return (name) => scope.variables.get(name)?.type.name;
}

/** The outgoing edges of a widget, in source order: `when` branches count as exits. */
export function widgetExits(widget: Widget): { readonly label: ExitLabel; readonly target: Identifier }[] {
  switch (widget.kind) {
    case "HttpWidget":
      return [widget.success, widget.fail].filter((exit) => exit !== undefined);
    case "ConditionWidget":
      return [...widget.branches.map((b) => ({ label: "when" as const, target: b.target })), ...(widget.else ? [widget.else] : [])];
    case "SetWidget":
    case "SendWidget":
      return widget.next ? [widget.next] : [];
    case "RouteWidget":
    case "EndWidget":
      return [];
  }
}

/** Where a reference sits, which decides whether a secret may appear there. */
export type RefPlace =
  | "default"
  | "url"
  | "query"
  | "authorization"
  | "header"
  | "contentType"
  | "body"
  | "jsonPath"
  | "resultHeader"
  | "resultTarget"
  | "setTarget"
  | "setValue"
  | "condition"
  | "message"
  | "queue";

export interface Reference {
  readonly name: string;
  /** `secret.NAME` or `{{secret.NAME}}`; everything else names a variable. */
  readonly secret: boolean;
  /** The reference is assigned to (a result or `set` target) rather than read. */
  readonly write: boolean;
  readonly place: RefPlace;
  readonly span: Span;
}

/** Every variable and secret reference in the flow: declarations first, then widget by widget. */
export function collectReferences(flow: Flow): Reference[] {
  const refs: Reference[] = [];

  const read = (name: string, secret: boolean, place: RefPlace, span: Span): void => {
    refs.push({ name, secret, write: false, place, span });
  };
  const write = (target: Identifier, place: RefPlace): void => {
    refs.push({ name: target.name, secret: false, write: true, place, span: target.span });
  };
  const str = (s: StringLiteral, place: RefPlace): void => {
    for (const part of s.parts) {
      if (part.kind === "Interpolation") read(part.ref.name, part.ref.kind === "SecretRef", place, part.ref.span);
    }
  };
  const value = (v: Value, place: RefPlace): void => {
    switch (v.kind) {
      case "String":
        str(v, place);
        return;
      case "VarRef":
        read(v.name, false, place, v.span);
        return;
      case "SecretRef":
        read(v.name, true, place, v.span);
        return;
      case "Object":
        for (const entry of v.entries) value(entry.value, place);
        return;
      case "Array":
        for (const item of v.items) value(item, place);
        return;
      case "Number":
      case "Boolean":
      case "Null":
        return;
    }
  };
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case "Binary":
        expr(e.left);
        expr(e.right);
        return;
      case "Not":
        expr(e.operand);
        return;
      default:
        value(e, "condition");
    }
  };

  for (const decl of flow.declarations) {
    if (decl.kind === "VarDecl" && decl.default !== undefined) value(decl.default, "default");
  }
  for (const w of flow.widgets) {
    switch (w.kind) {
      case "HttpWidget":
        if (w.url) value(w.url.value, "url");
        for (const kv of w.query?.entries ?? []) value(kv.value, "query");
        if (w.authorization) value(w.authorization.value, "authorization");
        for (const kv of w.headers?.entries ?? []) value(kv.value, "header");
        if (w.contentType) str(w.contentType.value, "contentType");
        if (w.body?.kind === "JsonBody") value(w.body.value, "body");
        else if (w.body?.kind === "TextBody") str(w.body.value, "body");
        else for (const kv of w.body?.entries ?? []) value(kv.value, "body");
        for (const m of w.results?.mappings ?? []) {
          if (m.source.kind === "JsonPathSource") str(m.source.path, "jsonPath");
          else if (m.source.kind === "HeaderSource") str(m.source.name, "resultHeader");
          write(m.target, "resultTarget");
        }
        break;
      case "ConditionWidget":
        for (const branch of w.branches) expr(branch.condition);
        break;
      case "SetWidget":
        for (const a of w.assignments) {
          write(a.target, "setTarget");
          value(a.value, "setValue");
        }
        break;
      case "SendWidget":
        if (w.message) str(w.message.value, "message");
        break;
      case "RouteWidget":
        if (w.queue) str(w.queue.value, "queue");
        break;
      case "EndWidget":
        break;
    }
  }
  return refs;
}

/** The closest candidate by edit distance, if it is close enough to be a likely typo. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost));
    }
    previous = current;
  }
  return previous[b.length];
}

/** "did you mean 'x'?" when there is a close candidate. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const match = suggest(name, candidates);
  return match === undefined ? undefined : `did you mean '${match}'?`;
}
