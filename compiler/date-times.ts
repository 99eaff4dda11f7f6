// date_time literals in their canonical form before emitting, so generated code stores and
// compares one form: `"2026-12-24T10:30:00+01:00"` is emitted as `"2026-12-24T09:30:00.000Z"`,
// and `<` on two canonical strings orders them as instants. Only checked flows get here, so
// every literal in a date_time place is a valid one.
import type { Expr, Flow, StringLiteral, Value, Widget } from "../grammar/ast.js";
import { toDateTime } from "../runtime/contract.js";

export function canonicalDateTimes(flow: Flow): Flow {
  const dated = new Set<string>();
  for (const decl of flow.declarations)
    if (decl.kind === "VarDecl" && decl.type.name === "date_time") dated.add(decl.name.name);
  if (dated.size === 0) return flow;
  const isDated = (expr: Expr): boolean => expr.kind === "VarRef" && dated.has(expr.name);

  const expr = (e: Expr): Expr => {
    if (e.kind === "Not") return { ...e, operand: expr(e.operand) };
    if (e.kind !== "Binary") return e;
    if (e.op === "and" || e.op === "or" || e.op === "contains")
      return { ...e, left: expr(e.left), right: expr(e.right) };
    if (isDated(e.left)) return { ...e, right: canonical(e.right) };
    return isDated(e.right) ? { ...e, left: canonical(e.left) } : e;
  };
  const widget = (w: Widget): Widget => {
    if (w.kind === "SetWidget")
      return {
        ...w,
        assignments: w.assignments.map((a) => (dated.has(a.target.name) ? { ...a, value: canonical(a.value) } : a)),
      };
    if (w.kind === "ConditionWidget")
      return { ...w, branches: w.branches.map((b) => ({ ...b, condition: expr(b.condition) })) };
    return w;
  };
  return {
    ...flow,
    declarations: flow.declarations.map((d) =>
      d.kind === "VarDecl" && dated.has(d.name.name) && d.default !== undefined
        ? { ...d, default: canonical(d.default) }
        : d,
    ),
    widgets: flow.widgets.map(widget),
  };
}

/** A plain string literal as its canonical date_time; any other value as it is. */
function canonical<T extends Value | Expr>(value: T): T {
  if (value.kind !== "String" || value.parts.some((p) => p.kind !== "Text")) return value;
  const text = toDateTime(value.value);
  if (text === undefined) return value;
  const literal: StringLiteral = { ...value, value: text, parts: [{ kind: "Text", value: text, span: value.span }] };
  return literal as T;
}
