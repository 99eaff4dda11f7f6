// Test-file values as JavaScript values, and values as reports show them.
import type { Value } from "../grammar/ast.js";

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

/** Whether a value is written with literals only. */
export function isLiteral(value: Value): boolean {
  switch (value.kind) {
    case "VarRef":
    case "SecretRef":
      return false;
    case "Object":
      return value.entries.every((entry) => isLiteral(entry.value));
    case "Array":
      return value.items.every(isLiteral);
    default:
      return true;
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
