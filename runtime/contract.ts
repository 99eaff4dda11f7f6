// The contract between compiled flows and the runtime, stated once: the methods and variable
// types a FlowDefinition may use, and the bounds and defaults of its http steps. The runtime
// checks definitions against it (validate.ts), the compiler's checker reports source that would
// break it, and docs/language.md's settings table is tested against it. Imports nothing.

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const VAR_TYPES = [
  "string",
  "number",
  "boolean",
  "json",
  "array",
  "email",
  "url",
  "phone",
  "currency",
  "percentage",
] as const;
export type VarType = (typeof VAR_TYPES)[number];

/** Types that are strings of a checked form: a value fits only when `fitsFormat` says so. */
export const STRING_FORMATS = ["email", "url", "phone"] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

export function isStringFormat(type: string): type is StringFormat {
  return (STRING_FORMATS as readonly string[]).includes(type);
}

// An address with one @, no spaces, and a dotted domain: what a mail system can route, not RFC 5322.
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/;
// E.164: a plus and 8 to 15 digits, the first not 0.
const PHONE = /^\+[1-9]\d{7,14}$/;

/** Whether `text` has the form of `format`: an email address, an absolute http(s) URL, an E.164 number. */
export function fitsFormat(format: StringFormat, text: string): boolean {
  switch (format) {
    case "email":
      return text.length <= 254 && EMAIL.test(text);
    case "url": {
      if (!URL.canParse(text)) return false;
      const { protocol, hostname } = new URL(text);
      return (protocol === "http:" || protocol === "https:") && hostname !== "";
    }
    case "phone":
      return PHONE.test(text);
  }
}

/**
 * Types that are numbers of a checked range. A currency amount is a number of whole cents: flows
 * store and compare amounts but never compute with them, so refusing a sub-cent value where it
 * arrives keeps every amount exact to the cent. A percentage is 0 to 100 (12.5 is 12.5%).
 */
export const NUMBER_FORMATS = ["currency", "percentage"] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

export function isNumberFormat(type: string): type is NumberFormat {
  return (NUMBER_FORMATS as readonly string[]).includes(type);
}

/** Whether a finite `value` fits `format`. */
export function fitsNumberFormat(format: NumberFormat, value: number): boolean {
  switch (format) {
    case "currency": {
      // Within float noise of a whole number of cents: 0.29 is 28.999999999999996 cents.
      const cents = value * 100;
      return Number.isFinite(cents) && Math.abs(cents - Math.round(cents)) < 1e-6;
    }
    case "percentage":
      return value >= 0 && value <= 100;
  }
}

/** How a checked type's form is described in messages. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<StringFormat | NumberFormat, string>> = {
  email: "an email address (name@domain.tld)",
  url: "an absolute http or https URL",
  phone: "an E.164 phone number (+ and 8 to 15 digits)",
  currency: "an amount in whole cents (at most two decimals)",
  percentage: "a percentage from 0 to 100",
};

/** A whole-number bound: `min` to `max` inclusive; `default` applies when the field is absent. */
export interface Bound<T> {
  readonly min: number;
  readonly max: number;
  readonly default: T;
  /** How the value is counted, for messages: "" for counts, "ms" for durations. */
  readonly unit: "" | "ms";
}

/**
 * Bounds and defaults of the optional fields of an http step, by field name. `retry` counts
 * attempts after a failed one; `timeoutMs` is per attempt (absent: the host's
 * `RunOptions.timeoutMs`, whose default is this default); `followRedirects` is on unless false.
 */
export const HTTP_STEP = {
  retry: { min: 0, max: 3, default: 0, unit: "" } satisfies Bound<number>,
  timeoutMs: { min: 1, max: 10 * 60 * 1000, default: 10_000, unit: "ms" } satisfies Bound<number>,
  followRedirects: { default: true },
} as const;
