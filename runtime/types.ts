// The variable types at run time. A value has a declared type only when it already is
// one: nothing is parsed or coerced, so `"5"` is not a number and `1` is not a boolean; an
// email, url or phone is a string of that form, a currency or percentage a number in range, a
// date_time a string in its canonical form (contract.ts says which forms). Values from outside
// (responses, the command line, test files) go through `toStored`, which normalises a date_time.
import { fitsFormat, fitsNumberFormat, toDateTime, type DateTime } from "./contract.js";
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
    case "date_time":
      return typeof value === "string" && toDateTime(value) === value;
  }
}

/**
 * A value from outside as a variable of `type` stores it, or undefined when it does not fit:
 * a date_time from an ISO 8601 string with an offset or Unix seconds, in its canonical form.
 */
export function toStored(value: unknown, type: VarType): unknown {
  if (type === "date_time") return toDateTime(value);
  return matchesType(value, type) ? value : undefined;
}

/**
 * A date_time input for a run, from an ISO 8601 string with an offset or a `Date`; throws a
 * RangeError for anything else, so a host's bad value fails where it was made.
 */
export function dateTime(value: string | Date): DateTime {
  const stored = toDateTime(value instanceof Date ? value.toISOString() : value);
  if (stored === undefined)
    throw new RangeError("expected an ISO 8601 date and time with an offset, years 0000 to 9999");
  return stored;
}
