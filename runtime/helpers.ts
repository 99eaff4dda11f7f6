// Small functions that generated builders call. They are the only runtime code that
// generated expressions depend on, so their behaviour is part of the compiled contract.

/** Text of a value interpolated into a string: strings as they are, JSON values serialised, an unset variable as "". */
export function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value) ?? "";
}

/** A value interpolated into a URL: percent-encoded so it cannot change the URL's structure. */
export function encodeSegment(value: unknown): string {
  return encodeURIComponent(toText(value));
}

/**
 * `value[key]` for a simple JSONPath step, as jsonpath-plus reads it: own properties of any
 * non-empty value, so `$.name.length` on a string is its length and inherited keys never match.
 */
export function prop(value: unknown, key: string | number): unknown {
  if (!value) return undefined;
  return Object.hasOwn(Object(value), key) ? (value as Record<string | number, unknown>)[key] : undefined;
}
