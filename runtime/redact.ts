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

/** Nesting the redactor walks: well past any event holding response data (`maxJsonDepth`), far from the stack's limit. */
const MAX_WALK_DEPTH = 1000;

/** A value parsed in one part of a URL, as the WHATWG parser re-encodes it there; undefined when it does not parse. */
function inUrl(prefix: string, value: string, part: (url: URL) => string): string | undefined {
  try {
    return part(new URL(prefix + value));
  } catch {
    return undefined;
  }
}

/**
 * The forms a value takes once the runtime, a fetch implementation or the URL parser has put it
 * into a URL, a form body or a JSON string, each also lower-cased (hosts are; some encoders
 * write lower-case hex).
 */
function encodedForms(value: string): string[] {
  const forms = [
    value,
    new URLSearchParams([["", value]]).toString().slice(1),
    JSON.stringify(value).slice(1, -1),
    // JSON as servers that escape everything beyond ASCII write it.
    JSON.stringify(value)
      .slice(1, -1)
      .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`),
  ];
  // Both throw on a lone surrogate, which such a value could never have been sent as anyway.
  if (!/\p{Surrogate}/u.test(value)) {
    const component = encodeURIComponent(value);
    forms.push(component, encodeURI(value));
    // Raw or component-encoded text as the URL parser normalises it in a path, a query and a
    // host. A form shorter than the value lost part of it (a dot segment, what follows a `/` in
    // a host): not a form of the whole value, and possibly short enough to mask unrelated text.
    const parsed = [value, component].flatMap((text) => [
      inUrl("http://h/", text, (url) => url.pathname.slice(1)),
      inUrl("http://h/?", text, (url) => url.search.slice(1)),
      inUrl("http://", text, (url) => url.hostname),
    ]);
    for (const form of parsed) if (form !== undefined && form.length >= value.length) forms.push(form);
    // The value as a whole URL, serialised (dot segments removed, host lower-cased).
    const href = inUrl("", value, (url) => url.href);
    if (href !== undefined) forms.push(href, href.endsWith("/") ? href.slice(0, -1) : href);
  }
  for (const form of forms.slice()) forms.push(form.toLowerCase());
  return forms;
}

/**
 * Runs of one process resolve the same few secrets over and over; building their forms and
 * patterns once per run would cost more than the redaction itself. Bounded, and holding only
 * values the secret provider hands out anyway.
 */
const CACHE_LIMIT = 256;
const formsCache = new Map<string, readonly string[]>();
const patternCache = new Map<string, readonly [RegExp, RegExp]>();

function cached<K, T>(cache: Map<K, T>, key: K, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** A test pattern (no `g` flag, so no lastIndex state) and a replace pattern for the needles. */
function patterns(needles: ReadonlySet<string>): readonly [RegExp, RegExp] {
  // Longest first, so a value is replaced whole rather than around a shorter one inside it.
  const source = [...needles]
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("|");
  return cached(patternCache, source, () => [new RegExp(source), new RegExp(source, "g")]);
}

export class Redactor {
  /** Created with the first needle: most runs have none. In insertion order: a prefix is an earlier state. */
  #needles: Set<string> | undefined;
  #shortest = Number.POSITIVE_INFINITY;
  #patterns: readonly [RegExp, RegExp] | undefined;
  /** The last redactor `asOf` made, for the events that share its version. */
  #earlier: Redactor | undefined;

  /** How many values it hides: it only grows, so this names the redactor's state at a moment. */
  get version(): number {
    return this.#needles?.size ?? 0;
  }

  /** The redactor as it was at `version`: exactly what it hid then, no more. */
  asOf(version: number): Redactor {
    if (version === this.version) return this;
    if (version === 0) return NOTHING; // the events before the first secret: most often the only earlier state
    if (this.#earlier?.version === version) return this.#earlier;
    const earlier = new Redactor();
    let left = version;
    for (const needle of this.#needles ?? []) {
      if (left-- === 0) break;
      earlier.#add(needle);
    }
    return (this.#earlier = earlier);
  }

  addSecret(value: string): void {
    for (const form of cached(formsCache, value, () => encodedForms(value))) this.#add(form);
  }

  /**
   * A masked variable's value: a string or a number (as text), and the string and number leaves
   * of a JSON value, walked without recursion so no depth can overflow the stack.
   */
  addMasked(value: unknown): void {
    const pending = [value];
    while (pending.length > 0) {
      const item = pending.pop();
      const text = typeof item === "string" ? item : typeof item === "number" ? String(item) : undefined;
      if (text !== undefined) {
        if (text.length >= MIN_MASKED_SEARCH_LENGTH)
          for (const form of cached(formsCache, text, () => encodedForms(text))) this.#add(form);
      } else if (item !== null && typeof item === "object") {
        for (const child of Object.values(item)) pending.push(child);
      }
    }
  }

  #add(needle: string): void {
    if (needle === "" || this.#needles?.has(needle)) return;
    (this.#needles ??= new Set()).add(needle);
    this.#shortest = Math.min(this.#shortest, needle.length);
    this.#patterns = undefined;
  }

  /** Whether there is anything to hide: a run without secrets or masked values redacts nothing. */
  get active(): boolean {
    return this.#needles !== undefined;
  }

  text(value: string): string {
    // Most strings in a trace are short field values: too short to hold any needle.
    if (this.#needles === undefined || value.length < this.#shortest) return value;
    const found = (this.#patterns ??= patterns(this.#needles));
    return found[0].test(value) ? value.replace(found[1], MASK) : value;
  }

  /**
   * A user-data value (a variable's value, JSON a server sent) with every string in it redacted,
   * its keys included: a server's JSON can carry text in its keys. Never for a trace event as a
   * whole, whose keys and vocabulary are the runtime's (runtime/redact-trace.ts). Parts with
   * nothing to hide are shared rather than copied, so a value without secrets costs no allocation.
   */
  deep<T>(value: T): T {
    if (this.#needles === undefined) return value;
    return this.#walk(value, 0) as T;
  }

  #walk(value: unknown, depth: number): unknown {
    if (typeof value === "string") return this.text(value);
    if (value === null || typeof value !== "object") return value;
    // Response data is at most `maxJsonDepth` deep; deeper values (a host's input) are hidden whole.
    if (depth > MAX_WALK_DEPTH) return MASK;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = this.#walk(value[i], depth + 1);
        if (item !== value[i]) (copy ??= value.slice())[i] = item;
      }
      return copy ?? value;
    }
    // Keys and values as two lists rather than `record[key]`: a keyed read over every event's
    // keys is megamorphic, and that slows node:http too (runtime/options.ts).
    const keys = Object.keys(value);
    const values = Object.values(value);
    let copy: Record<string, unknown> | undefined;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = this.#walk(values[i], depth + 1);
      const newKey = this.text(key);
      if (copy === undefined && (item !== values[i] || newKey !== key)) {
        copy = {};
        for (let j = 0; j < i; j++) setOwn(copy, keys[j]!, values[j]);
      }
      if (copy !== undefined) setOwn(copy, newKey, item);
    }
    return copy ?? value;
  }
}

/** A redactor that hides nothing; never given a value. */
const NOTHING = new Redactor();
