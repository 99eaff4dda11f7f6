// The variable types at run time. A value has a declared type only when it already is
// one: nothing is parsed or coerced, so `"5"` is not a number and `1` is not a boolean; an
// email, url or phone is a string of that form, a currency or percentage a number in range
// (contract.ts says which forms).
import { fitsFormat, fitsNumberFormat } from "./contract.js";
import type { VarType } from "./flow.js";

/** How a value is named in error messages: the JSON kind, never the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && !Number.isFinite(value)) return "non-finite number";
  return typeof value;
}

export function matchesType(value: unknown, type: VarType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "json":
      return (
        value !== undefined && typeof value !== "function" && typeof value !== "symbol" && typeof value !== "bigint"
      );
    case "array":
      return Array.isArray(value);
    case "email":
    case "url":
    case "phone":
      return typeof value === "string" && fitsFormat(type, value);
    case "currency":
    case "percentage":
      return typeof value === "number" && Number.isFinite(value) && fitsNumberFormat(type, value);
  }
}
