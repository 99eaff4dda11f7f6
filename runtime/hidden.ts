// Redaction by construction. Builders are called twice: once with the real values, to send,
// and once with every secret and masked value replaced by one marker, to show. The marker is
// lower-case letters and digits, which nothing the runtime or the URL parser does changes
// (percent and form encoding, JSON escaping, normalisation, lower-cased hosts), so wherever a
// hidden value went in the real text, the marker is in the same place in its twin; the twin
// with the marker replaced by `••••` is what traces show. Searching for values
// (runtime/redact.ts) remains as a second line for what servers send back.
import { randomBytes } from "node:crypto";
import { MASK } from "./redact.js";

let marker: string | undefined;

/**
 * The marker, random once per process (drawing random bytes per run cost a third of a run's own
 * time): text cannot contain it by chance. It never reaches output; text a server sends that held
 * it could only make the runtime hide more, never less.
 */
export function runMarker(): string {
  return (marker ??= `hidden${randomBytes(12).toString("hex")}x`);
}

/** `text` with every marker shown as the mask. */
export function hideMarker(text: string, marker: string): string {
  return text.includes(marker) ? text.replaceAll(marker, MASK) : text;
}

/** Whether a twin value holds the marker anywhere (keys included); a value too deep to serialise counts as holding it. */
export function holdsMarker(value: unknown, marker: string): boolean {
  if (typeof value === "string") return value.includes(marker);
  if (value === null || typeof value !== "object") return false;
  try {
    return JSON.stringify(value).includes(marker);
  } catch {
    return true;
  }
}

/** A twin value as traces show it: the marker as the mask in every string (keys included). */
export function hideMarkerDeep(value: unknown, marker: string): unknown {
  if (typeof value === "string") return hideMarker(value, marker);
  if (value === null || typeof value !== "object") return value;
  try {
    // The marker needs no JSON escaping and the mask is valid JSON string text, so the swap keeps it JSON.
    return JSON.parse(hideMarker(JSON.stringify(value), marker)) as unknown;
  } catch {
    return MASK;
  }
}
