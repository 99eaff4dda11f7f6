// Type checks: defaults, `set` values, result targets and condition expressions.
import type { Expr, Value } from "../../grammar/ast.js";
import {
  FORMAT_DESCRIPTIONS,
  fitsFormat,
  fitsNumberFormat,
  isNumberFormat,
  isStringFormat,
  STRING_FORMATS,
  toDateTime,
  VAR_TYPES,
  type CheckedType,
  type VarType,
} from "../../runtime/contract.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import { describeType, isAssignable, isComparable, orList, typeOfExpr, typeOfValue } from "../types.js";
import type { ValueType } from "../types.js";
import { isVarType } from "../scope.js";
import { assignmentsOf, branchesOf, resultMappingsOf } from "../../grammar/widgets.js";
import type { Rule, RuleContext } from "./context.js";

/** A declared type the runtime's contract does not know (CF1009). */
export const knownTypes: Rule = ({ report }) => ({
  declaration(decl) {
    if (decl.kind === "VarDecl" && !isVarType(decl.type.name))
      report(diagnostic("unknownType", decl.type.span, [decl.type.name, orList(VAR_TYPES)]));
  },
});

export const defaultTypes: Rule = ({ typeOf, report }) => ({
  declaration(decl) {
    if (decl.kind !== "VarDecl" || decl.default === undefined) return;
    const declared = decl.type.name;
    const found = typeOfValue(decl.default, typeOf);
    if (found === undefined || !isVarType(declared) || isAssignable(found, declared)) return;
    if (formatChecked(decl.name.name, decl.default, declared, report)) return;
    report(
      diagnostic(
        "defaultTypeMismatch",
        decl.default.span,
        [decl.name.name, describeType(found), declared],
        mismatchHint(decl.default, declared),
      ),
    );
  },
});

export const assignmentTypes: Rule = ({ typeOf, report }) => ({
  widget(widget) {
    for (const a of assignmentsOf(widget)) {
      const declared = typeOf(a.target.name);
      const found = typeOfValue(a.value, typeOf);
      if (declared === undefined || found === undefined || isAssignable(found, declared)) continue;
      if (formatChecked(a.target.name, a.value, declared, report)) continue;
      report(
        diagnostic(
          "assignmentTypeMismatch",
          a.value.span,
          [a.target.name, describeType(found), declared],
          mismatchHint(a.value, declared),
        ),
      );
    }
  },
});

/** A JSONPath result can be anything (checked when the flow runs); status and headers have fixed types. */
export const resultTypes: Rule = ({ typeOf, report }) => ({
  http(widget) {
    for (const m of resultMappingsOf(widget)) {
      if (m.source.kind === "JsonPathSource") continue;
      const declared = typeOf(m.target.name);
      if (declared === undefined) continue;
      const [what, type, allowed]: [string, ValueType, readonly VarType[]] =
        m.source.kind === "StatusSource"
          ? ["response status", "number", ["number", "string", "json"]]
          : [
              `response header ${JSON.stringify(m.source.name.value)}`,
              "string",
              ["string", "json", ...STRING_FORMATS, "date_time"],
            ];
      if (allowed.includes(declared)) continue;
      report(
        diagnostic(
          "resultTypeMismatch",
          m.target.span,
          [what, describeType(type), m.target.name, declared],
          `map it to a ${allowed.join(" or ")} variable`,
        ),
      );
    }
  },
});

export const conditionTypes: Rule = (ctx) => ({
  widget(widget) {
    for (const branch of branchesOf(widget)) {
      checkExpr(ctx, branch.condition);
      requireBoolean(ctx, branch.condition, "A 'when' condition");
    }
  },
});

function checkExpr(ctx: RuleContext, expr: Expr): void {
  if (expr.kind === "Length") {
    const type = ctx.typeOf(expr.target.name);
    if (type !== undefined && type !== "array")
      ctx.report(
        diagnostic(
          "lengthOfNonArray",
          expr.span,
          [expr.target.name, describeType(type)],
          `declare '${expr.target.name}' as an array`,
        ),
      );
  } else if (expr.kind === "Not") {
    checkExpr(ctx, expr.operand);
    requireBoolean(ctx, expr.operand, "The operand of 'not'");
  } else if (expr.kind === "Binary") {
    checkExpr(ctx, expr.left);
    checkExpr(ctx, expr.right);
    if (expr.op === "and" || expr.op === "or") {
      requireBoolean(ctx, expr.left, `An operand of '${expr.op}'`);
      requireBoolean(ctx, expr.right, `An operand of '${expr.op}'`);
      return;
    }
    const left = typeOfExpr(expr.left, ctx.typeOf);
    const right = typeOfExpr(expr.right, ctx.typeOf);
    if (left === undefined || right === undefined) return;
    // A string literal opposite a date_time is checked as one (and compiled in canonical form).
    const [dated, other] = left === "date_time" ? [expr.left, expr.right] : [expr.right, expr.left];
    if (
      expr.op !== "contains" &&
      (left === "date_time") !== (right === "date_time") &&
      dated.kind === "VarRef" &&
      other.kind === "String" &&
      formatChecked(dated.name, other, "date_time", ctx.report)
    )
      return;
    if (isComparable(expr.op, left, right)) return;
    ctx.report(
      diagnostic(
        "comparisonTypeMismatch",
        expr.span,
        [expr.op, describeType(left), describeType(right)],
        comparisonHint(expr.op),
      ),
    );
  }
}

/** json is allowed where a boolean is needed: its value is only known when the flow runs. */
function requireBoolean(ctx: RuleContext, expr: Expr, what: string): void {
  const type = typeOfExpr(expr, ctx.typeOf);
  if (type === undefined || type === "boolean" || type === "json") return;
  ctx.report(
    diagnostic(
      "conditionNotBoolean",
      expr.span,
      [what, describeType(type)],
      'compare it, for example `x == "..."` or `n > 0`',
    ),
  );
}

function comparisonHint(op: string): string {
  if (op === "contains") return "'contains' needs a string on both sides, or a json value on the left";
  if (op === "==" || op === "!=") return "both sides must have the same type, unless one is json";
  return `'${op}' compares two numbers, two strings or two date_times`;
}

/**
 * A plain string literal stored in an email, url, phone or date_time variable (or compared with
 * a date_time), or a number literal in a currency or percentage one, is checked here, where its
 * value is known: true when it was (reported if it does not fit), false to report a type mismatch.
 */
function formatChecked(name: string, value: Value, declared: VarType, report: RuleContext["report"]): boolean {
  let fits: boolean;
  const plain = value.kind === "String" && value.parts.every((p) => p.kind === "Text");
  if (isStringFormat(declared) && plain && value.kind === "String") fits = fitsFormat(declared, value.value);
  else if (declared === "date_time" && plain && value.kind === "String") fits = toDateTime(value.value) !== undefined;
  else if (isNumberFormat(declared) && value.kind === "Number") fits = fitsNumberFormat(declared, value.value);
  else return false;
  if (!fits)
    report(
      diagnostic("valueDoesNotFitFormat", value.span, [
        name,
        describeType(declared),
        value.kind === "String" ? JSON.stringify(value.value) : value.raw,
        FORMAT_DESCRIPTIONS[declared as CheckedType],
      ]),
    );
  return true;
}

function mismatchHint(value: Value, declared: VarType): string | undefined {
  if (value.kind !== "String") return undefined;
  const text = value.value.trim();
  if (declared === "number" && text !== "" && Number.isFinite(Number(text))) return `write ${text} without quotes`;
  if (declared === "boolean" && (text === "true" || text === "false")) return `write ${text} without quotes`;
  return undefined;
}
