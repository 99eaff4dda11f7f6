// Static types of values and expressions. `json` is the dynamic type: any value can be
// stored in a json variable and a json operand compares with anything, but a json value
// is not assignable to a string, number or boolean variable (the emitted TypeScript
// would not accept it either; a result mapping is the place to narrow it).
import type { ComparisonOp, Expr, Value } from "../grammar/ast.js";
import { isNumberFormat, isStringFormat, type VarType } from "../runtime/contract.js";

/** The type of a value: a declared type, or `null` for the null literal. */
export type ValueType = VarType | "null";

/** A variable's declared type, or undefined when it is not declared. */
export type TypeLookup = (name: string) => VarType | undefined;

/** The type of a value; undefined when it names an undeclared variable (reported elsewhere). */
export function typeOfValue(value: Value, lookup: TypeLookup): ValueType | undefined {
  switch (value.kind) {
    case "String":
    case "SecretRef":
      return "string";
    case "Number":
      return "number";
    case "Boolean":
      return "boolean";
    case "Null":
      return "null";
    case "Object":
      return "json";
    case "Array":
      return "array";
    case "VarRef":
      return lookup(value.name);
  }
}

/** The type of an expression: comparisons, logic and `not` are boolean, `items.length` a number. */
export function typeOfExpr(expr: Expr, lookup: TypeLookup): ValueType | undefined {
  if (expr.kind === "Length") return "number";
  return expr.kind === "Binary" || expr.kind === "Not" ? "boolean" : typeOfValue(expr, lookup);
}

/**
 * Email, url and phone values read and compare as strings; currency and percentage as numbers.
 * A date_time compares only with a date_time (a literal opposite one is checked in rules/types.ts).
 */
function asRead(type: ValueType): ValueType {
  return isStringFormat(type) ? "string" : isNumberFormat(type) ? "number" : type;
}

/**
 * Whether a value of type `from` may be stored in a variable of type `to`. A checked string
 * (email, url, phone) and a date_time (its canonical text) widen to string, a checked number
 * (currency, percentage) to number; a plain string or number into one is checked where it is a
 * literal (rules/types.ts), never here.
 */
export function isAssignable(from: ValueType, to: VarType): boolean {
  const widened = from === "date_time" ? "string" : asRead(from);
  return to === "json" || from === to || ((to === "string" || to === "number") && widened === to);
}

/** Whether `left op right` is well typed (see the contract in issue 2). */
export function isComparable(op: ComparisonOp, leftType: ValueType, rightType: ValueType): boolean {
  const left = asRead(leftType);
  const right = asRead(rightType);
  switch (op) {
    case "==":
    case "!=":
      return left === right || left === "json" || right === "json";
    case "<":
    case "<=":
    case ">":
    case ">=":
      return left === right && (left === "number" || left === "string" || left === "date_time");
    case "contains":
      return left === "json" || left === "array" || (left === "string" && right === "string");
  }
}

/** "a string", "null", ... for messages. */
export function describeType(type: ValueType): string {
  switch (type) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "json":
      return "a json value";
    case "array":
      return "an array";
    case "email":
      return "an email";
    case "url":
      return "a url";
    case "phone":
      return "a phone number";
    case "currency":
      return "a currency amount";
    case "percentage":
      return "a percentage";
    case "date_time":
      return "a date_time";
    case "null":
      return "null";
  }
}

/** `a, b or c`, as messages list choices. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1) ?? ""}`;
}
