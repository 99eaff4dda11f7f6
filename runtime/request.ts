// Building one http step's request from its generated builders, and refusing requests that
// must never be sent (header injection, credentials in the URL, a body on GET).
import type { HttpMethod, HttpStep, SecretValues, Vars } from "./flow.js";
import { hideMarker } from "./hidden.js";
import { MASK } from "./redact.js";
import type { RunError } from "./trace.js";

export interface PreparedRequest {
  readonly method: HttpMethod;
  /** Absolute http(s) URL with the query appended, as the WHATWG URL parser serialises it. */
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /**
   * Lower-case names of headers carrying credentials (a secret, a masked value, Authorization):
   * dropped on a cross-origin redirect.
   */
  readonly credentials: readonly string[];
  readonly body: string | undefined;
  /** The URL built with hidden values as the run's marker (runtime/hidden.ts): what traces show, once masked. */
  readonly traceUrl: string;
  /** The headers as traces show them: credentials as `••••`, hidden parts of other values too. */
  readonly traceHeaders: ReadonlyArray<readonly [string, string]>;
  /** The body holds a secret or masked value: it is never re-sent to another origin. */
  readonly bodyHidden: boolean;
}

/** The values builders are called with to render a request's twin: secrets and masked values as `marker`. */
export interface TwinValues<V extends Vars, S extends string> {
  readonly vars: V;
  readonly secrets: SecretValues<S>;
  readonly marker: string;
}

export type BuildResult =
  { readonly ok: true; readonly request: PreparedRequest } | { readonly ok: false; readonly error: RunError };

const CONTENT_TYPES = {
  json: "application/json",
  form: "application/x-www-form-urlencoded",
  text: "text/plain; charset=utf-8",
} as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LINE_BREAK_OR_NUL = /[\r\n\0]/;
/** What fetch implementations accept in a header value: tab, visible ASCII, Latin-1. */
const NOT_HEADER_TEXT = /[^\t\x20-\x7e\x80-\xff]/;

function invalid(code: RunError["code"], message: string): BuildResult {
  return { ok: false, error: { code, message } };
}

interface Parts {
  readonly url: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
  readonly headers: Array<readonly [string, string]>;
  readonly body: string | undefined;
}

function assemble<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  vars: V,
  secrets: SecretValues<S>,
): Parts {
  const url = step.url(vars, secrets);
  const query = step.query ? step.query(vars, secrets) : [];
  let headers: Array<readonly [string, string]> = [];
  if (step.authorization) headers.push(["Authorization", step.authorization(vars, secrets)]);
  if (step.headers) headers = headers.concat(step.headers(vars, secrets));
  const body = step.body ? serialiseBody(step.body, vars, secrets) : undefined;
  return { url, query, headers, body };
}

/**
 * The request from the step's builders. With `twin`, the builders are called a second time with
 * hidden values as the marker, and what traces and errors show comes from that rendering.
 */
export function buildRequest<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  vars: V,
  secrets: SecretValues<S>,
  twin?: TwinValues<V, S>,
): BuildResult {
  let parts: Parts;
  let shown: Parts;
  try {
    parts = assemble(step, vars, secrets);
    shown = twin === undefined ? parts : assemble(step, twin.vars, twin.secrets);
  } catch (error) {
    return invalid(
      "invalid-request",
      `building the request failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const marker = twin?.marker;
  const hide = (text: string): string => (marker === undefined ? text : hideMarker(text, marker));

  const target = withQuery(parts.url, parts.query);
  if (typeof target !== "string") {
    const shownBase = stripFragment(shown.url);
    const message =
      target === NOT_ABSOLUTE
        ? `URL ${JSON.stringify(hide(shownBase))} is not a valid absolute URL`
        : target === NOT_HTTP
          ? `URL scheme of ${JSON.stringify(hide(shownBase))} is not http or https`
          : "credentials in the URL are not supported; use authorization";
    return invalid("invalid-request", message);
  }
  if (parts.body !== undefined && step.method === "GET")
    return invalid("invalid-request", "a GET request cannot carry a body");
  // Most steps hide nothing in the URL (a secret goes in Authorization): no second parse then.
  const traceUrl = twin === undefined || sameText(parts, shown) ? target : traceWithQuery(shown.url, shown.query);

  const headers = parts.headers;
  const contentType = step.contentType ?? (step.body ? CONTENT_TYPES[step.body.kind] : undefined);
  if (contentType !== undefined && !headers.some(([name]) => name.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", contentType]);
    if (shown !== parts) shown.headers.push(["Content-Type", contentType]);
  }
  for (const [name, value] of headers) {
    if (!TOKEN.test(name))
      return invalid("invalid-header", `header name ${JSON.stringify(name)} is not a valid HTTP token`);
    if (LINE_BREAK_OR_NUL.test(value))
      return invalid("invalid-header", `header ${name} value contains CR, LF or NUL; not sent`);
    if (NOT_HEADER_TEXT.test(value))
      return invalid("invalid-header", `header ${name} value contains a character HTTP headers cannot carry; not sent`);
  }

  const credentials = step.secretHeaders.map((name) => name.toLowerCase());
  if (step.authorization) credentials.push("authorization");
  if (marker !== undefined) {
    for (const [name, value] of shown.headers)
      if (value.includes(marker) && !credentials.includes(name.toLowerCase())) credentials.push(name.toLowerCase());
  }
  const traceHeaders =
    credentials.length === 0
      ? shown.headers
      : shown.headers.map(([name, value]): readonly [string, string] => [
          name,
          credentials.includes(name.toLowerCase()) ? MASK : value,
        ]);
  const bodyHidden = marker !== undefined && shown.body !== undefined && shown.body.includes(marker);
  return {
    ok: true,
    request: {
      method: step.method,
      url: target,
      headers,
      credentials,
      body: parts.body,
      traceUrl,
      traceHeaders,
      bodyHidden,
    },
  };
}

function serialiseBody<V extends Vars, S extends string>(
  spec: NonNullable<HttpStep<V, S, string>["body"]>,
  vars: V,
  secrets: SecretValues<S>,
): string {
  switch (spec.kind) {
    case "json":
      // An unset variable as the whole body serialises as JSON null rather than nothing.
      return JSON.stringify(spec.build(vars, secrets)) ?? "null";
    case "form":
      return new URLSearchParams(spec.build(vars, secrets).map(([k, v]) => [k, v])).toString();
    case "text":
      return spec.build(vars, secrets);
  }
}

const NOT_ABSOLUTE = 1;
const NOT_HTTP = 2;
const HAS_CREDENTIALS = 3;

/** Whether two renderings have the same URL and query. */
function sameText(a: Parts, b: Parts): boolean {
  return (
    a.url === b.url &&
    a.query.length === b.query.length &&
    a.query.every(([k, v], i) => k === b.query[i]![0] && v === b.query[i]![1])
  );
}

function stripFragment(url: string): string {
  const hash = url.indexOf("#");
  return hash === -1 ? url : url.slice(0, hash); // fetch never sends the fragment
}

function appendQuery(url: string, query: ReadonlyArray<readonly [string, string]>): string {
  let base = stripFragment(url);
  if (query.length > 0) {
    const encoded = new URLSearchParams(query.map(([k, v]) => [k, v])).toString();
    const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    base += separator + encoded;
  }
  return base;
}

/** Appends `query` pairs (URLSearchParams encoding) to the URL, keeping any query it already has. */
function withQuery(
  url: string,
  query: ReadonlyArray<readonly [string, string]>,
): string | typeof NOT_ABSOLUTE | typeof NOT_HTTP | typeof HAS_CREDENTIALS {
  let parsed: URL;
  try {
    parsed = new URL(appendQuery(url, query));
  } catch {
    return NOT_ABSOLUTE;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return NOT_HTTP;
  if (parsed.username !== "" || parsed.password !== "") return HAS_CREDENTIALS;
  return parsed.href;
}

/**
 * The twin URL as the real one is built; when hidden values make it unparsable (a masked base
 * URL), the text as built, which shows the hidden part as the mask all the same.
 */
function traceWithQuery(url: string, query: ReadonlyArray<readonly [string, string]>): string {
  const text = appendQuery(url, query);
  try {
    return new URL(text).href;
  } catch {
    return text;
  }
}
