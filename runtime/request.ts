// Building one http step's request from its generated builders, and refusing requests that
// must never be sent (header injection, credentials in the URL, a body on GET).
import type { HttpMethod, HttpStep, SecretValues, Vars } from "./flow.js";
import { HTTP_STEP } from "./contract.js";
import { MASK } from "./redact.js";
import type { RunError } from "./trace.js";

export interface PreparedRequest {
  readonly method: HttpMethod;
  /** Absolute http(s) URL with the query appended, as the WHATWG URL parser serialises it. */
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Lower-case names of headers carrying credentials: never traced, dropped on a cross-origin redirect. */
  readonly credentials: readonly string[];
  readonly body: string | undefined;
  /** Whether a 3xx with a Location is followed; if not, it is the final response. */
  readonly followRedirects: boolean;
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

export function buildRequest<V extends Vars, S extends string, W extends string>(
  step: HttpStep<V, S, W>,
  vars: V,
  secrets: SecretValues<S>,
): BuildResult {
  let url: string;
  let query: ReadonlyArray<readonly [string, string]> = [];
  let headers: Array<readonly [string, string]> = [];
  let body: string | undefined;
  try {
    url = step.url(vars, secrets);
    if (step.query) query = step.query(vars, secrets);
    if (step.authorization) headers.push(["Authorization", step.authorization(vars, secrets)]);
    if (step.headers) headers = headers.concat(step.headers(vars, secrets));
    if (step.body) body = serialiseBody(step.body, vars, secrets);
  } catch (error) {
    return invalid(
      "invalid-request",
      `building the request failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const target = withQuery(url, query);
  if (typeof target !== "string") return target;
  if (body !== undefined && step.method === "GET")
    return invalid("invalid-request", "a GET request cannot carry a body");

  const contentType = step.contentType ?? (step.body ? CONTENT_TYPES[step.body.kind] : undefined);
  if (contentType !== undefined && !headers.some(([name]) => name.toLowerCase() === "content-type")) {
    headers.push(["Content-Type", contentType]);
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
  const followRedirects = step.followRedirects ?? HTTP_STEP.followRedirects.default;
  return { ok: true, request: { method: step.method, url: target, headers, credentials, body, followRedirects } };
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

/** Appends `query` pairs (URLSearchParams encoding) to the URL, keeping any query it already has. */
function withQuery(url: string, query: ReadonlyArray<readonly [string, string]>): string | BuildResult {
  const hash = url.indexOf("#");
  let base = hash === -1 ? url : url.slice(0, hash); // fetch never sends the fragment
  if (query.length > 0) {
    const encoded = new URLSearchParams(query.map(([k, v]) => [k, v])).toString();
    const separator = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    base += separator + encoded;
  }
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    return invalid("invalid-request", `URL ${JSON.stringify(base)} is not a valid absolute URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return invalid("invalid-request", `URL scheme ${parsed.protocol} is not http or https`);
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return invalid("invalid-request", "credentials in the URL are not supported; use authorization");
  }
  return parsed.href;
}

/** Headers as they may appear in a trace: credential values replaced by the mask. */
export function headersForTrace(request: PreparedRequest): ReadonlyArray<readonly [string, string]> {
  if (request.credentials.length === 0) return request.headers;
  return request.headers.map(([name, value]) => [
    name,
    request.credentials.includes(name.toLowerCase()) ? MASK : value,
  ]);
}
