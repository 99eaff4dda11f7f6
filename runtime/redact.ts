// Hiding secrets and masked values. One redactor per run collects every secret value it
// resolves and every masked variable's value, and every trace event, error message and
// outcome passes through it before leaving the runtime.
import { setOwn } from "./own-property.js";

export const MASK = "••••";

/**
 * Masked values shorter than this are hidden where they are shown as a variable, but not
 * searched for inside other text: hiding every "42" would mangle ports, statuses and times.
 * Secrets are searched for whatever their length.
 */
export const MIN_MASKED_SEARCH_LENGTH = 4;

/** The forms a value takes once it has been put into a URL, a form body or a JSON string. */
function encodedForms(value: string): string[] {
  const forms = [value, new URLSearchParams([["", value]]).toString().slice(1), JSON.stringify(value).slice(1, -1)];
  // Both throw on a lone surrogate, which such a value could never have been sent as anyway.
  if (!/\p{Surrogate}/u.test(value)) {
    forms.push(encodeURIComponent(value), encodeURI(value)); // encodeURI: close to what the URL parser does to raw text
  }
  return forms;
}

export class Redactor {
  readonly #needles = new Set<string>();
  #pattern: RegExp | undefined;
  #stale = false;

  /** True while there is nothing to hide, so callers can skip work. */
  get empty(): boolean {
    return this.#needles.size === 0;
  }

  addSecret(value: string): void {
    for (const form of encodedForms(value)) this.#add(form);
  }

  /** A masked variable's value; string leaves of JSON values are hidden too. */
  addMasked(value: unknown): void {
    if (typeof value === "string") {
      if (value.length >= MIN_MASKED_SEARCH_LENGTH) for (const form of encodedForms(value)) this.#add(form);
    } else if (value !== null && typeof value === "object") {
      for (const item of Object.values(value)) this.addMasked(item);
    }
  }

  #add(needle: string): void {
    if (needle === "" || this.#needles.has(needle)) return;
    this.#needles.add(needle);
    this.#stale = true;
  }

  text(value: string): string {
    if (this.#needles.size === 0) return value;
    if (this.#stale || this.#pattern === undefined) {
      // Longest first, so a value is replaced whole rather than around a shorter one inside it.
      const alternatives = [...this.#needles]
        .sort((a, b) => b.length - a.length)
        .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      this.#pattern = new RegExp(alternatives.join("|"), "g");
      this.#stale = false;
    }
    return value.replace(this.#pattern, MASK);
  }

  /**
   * A JSON-like value with every string in it (keys included) redacted. Parts with nothing to
   * hide are shared rather than copied, so a trace without secrets in it costs no allocation.
   */
  deep<T>(value: T): T {
    if (this.#needles.size === 0) return value;
    return this.#walk(value) as T;
  }

  #walk(value: unknown): unknown {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = this.#walk(value[i]);
        if (item !== value[i]) (copy ??= value.slice())[i] = item;
      }
      return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = this.#walk(record[key]);
      const newKey = this.text(key);
      if (copy === undefined && (item !== record[key] || newKey !== key)) {
        copy = {};
        for (let j = 0; j < i; j++) setOwn(copy, keys[j]!, record[keys[j]!]);
      }
      if (copy !== undefined) setOwn(copy, newKey, item);
    }
    return copy ?? value;
  }
}
