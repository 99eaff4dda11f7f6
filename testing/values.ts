// Test-file values as JavaScript values, and values as reports show them.
import type { SecretRef, Value, VarRef } from "../grammar/ast.js";
import type { VarType } from "../runtime/contract.js";
import { toStored } from "../runtime/types.js";

/** A literal value as JSON; undefined for a name or `secret.X`, which test files cannot hold (CF3010). */
export function jsonOf(value: Value): unknown {
  switch (value.kind) {
    case "String":
    case "Number":
    case "Boolean":
      return value.value;
    case "Null":
      return null;
    case "Object": {
      const object: Record<string, unknown> = {};
      for (const entry of value.entries) object[entry.key.value] = jsonOf(entry.value);
      return object;
    }
    case "Array":
      return value.items.map(jsonOf);
    case "VarRef":
    case "SecretRef":
      return undefined;
  }
}

/**
 * A test value as a variable of `type` stores it: a date_time written with an offset or as Unix
 * seconds in its canonical form. A value that does not fit is kept, for the run's input check.
 */
export function asStored(value: unknown, type: VarType | undefined): unknown {
  return type === undefined ? value : (toStored(value, type) ?? value);
}

/** The first name or `secret.X` inside a value, which test files cannot hold (CF3011). */
export function firstNonLiteral(value: Value): VarRef | SecretRef | undefined {
  switch (value.kind) {
    case "VarRef":
    case "SecretRef":
      return value;
    case "Object":
      for (const entry of value.entries) {
        const found = firstNonLiteral(entry.value);
        if (found !== undefined) return found;
      }
      return undefined;
    case "Array":
      for (const item of value.items) {
        const found = firstNonLiteral(item);
        if (found !== undefined) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** A JSON value on one line, as test files write it: `{ "a": [1, 2] }`. */
export function showJson(value: unknown): string {
  if (value === undefined) return "(unset)";
  if (Array.isArray(value)) return `[${value.map(showJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${showJson(item)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}
