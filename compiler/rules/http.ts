// Http widget settings: retry, timeout, url, JSONPath, body and content type, duplicate keys.
import type { HttpWidget, Key, KeyValue, StatusMatch, StringLiteral, Value } from "../../grammar/ast.js";
import { diagnostic, type Diagnostic } from "../../grammar/diagnostics.js";
import { describeType, typeOfValue } from "../types.js";
import { HTTP_METHODS, HTTP_STEP, type Bound } from "../../runtime/contract.js";
import { assignmentsOf, resultMappingsOf, settingsOf, specOf, statusExitsOf } from "../../grammar/widgets.js";
import { orList } from "../types.js";
import type { Rule } from "./context.js";
import { jsonPathError, unboundedJsonPath } from "./jsonpath.js";

/**
 * Whole-number settings (`count`, `duration`) stay inside the runtime's contract bound of the
 * step field they fill, and at or above the least value the language accepts.
 */
export const settingBounds: Rule = ({ report }) => ({
  widget(w) {
    const settings = settingsOf(w);
    for (const spec of specOf(w).settings) {
      const setting = settings[spec.keyword];
      const bound = spec.field === undefined ? undefined : boundOf(spec.field);
      if (setting === undefined || bound === undefined) continue;
      if (setting.valueKind !== "count" && setting.valueKind !== "duration") continue;
      const value = setting.valueKind === "count" ? setting.value.value : setting.value.ms;
      const least = Math.max(bound.min, spec.least ?? bound.min);
      if (Number.isInteger(value) && value >= least && value <= bound.max) continue;
      if (setting.valueKind === "count") {
        report(
          diagnostic(
            "countOutOfRange",
            setting.value.span,
            [spec.keyword, least, bound.max, setting.value.raw],
            spec.least === undefined
              ? undefined
              : `the Http Call widget retries ${least} to ${bound.max} times; remove \`${spec.keyword}\` for none`,
          ),
        );
      } else {
        report(
          diagnostic("durationOutOfRange", setting.value.span, [
            spec.keyword,
            printDuration(least),
            printDuration(bound.max),
            setting.value.raw,
          ]),
        );
      }
    }
  },
});

/** The contract bound of an http step field, if it has one. */
function boundOf(field: string): Bound<number> | undefined {
  const bound: unknown = (HTTP_STEP as Readonly<Record<string, unknown>>)[field];
  return typeof bound === "object" && bound !== null && "max" in bound ? (bound as Bound<number>) : undefined;
}

/** Milliseconds as the shortest duration literal that spells them (`600000` → `10m`). */
function printDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A `method` the runtime's contract does not know (CF1008). */
export const knownMethods: Rule = ({ report }) => ({
  http(w) {
    const method = w.settings.method?.value;
    if (method === undefined || methods.has(method.name)) return;
    const near = HTTP_METHODS.find((m) => m === method.name.toUpperCase());
    report(
      diagnostic(
        "unknownMethod",
        method.span,
        [method.name, orList(HTTP_METHODS)],
        near === undefined ? undefined : `did you mean ${near}?`,
      ),
    );
  },
});

const methods: ReadonlySet<string> = new Set(HTTP_METHODS);

export const absoluteUrl: Rule = ({ typeOf, report }) => ({
  http(w) {
    const value = w.settings.url?.value;
    if (value === undefined) return;
    if (value.kind !== "String") {
      // A variable or secret holds its URL at run time; any other literal cannot be a URL.
      if (value.kind === "VarRef" || value.kind === "SecretRef") return;
      const type = typeOfValue(value, typeOf);
      report(
        diagnostic(
          "urlNotAbsolute",
          value.span,
          [type === undefined ? value.kind : describeType(type)],
          'write the URL as a string: url "https://..."',
        ),
      );
      return;
    }
    if (urlPrefixIsValid(value)) return;
    const text = value.value;
    const looksLikeHost = /^[a-z0-9-]+(\.[a-z0-9-]+)+(\/|$)/i.test(text);
    report(
      diagnostic(
        "urlNotAbsolute",
        value.span,
        [JSON.stringify(text)],
        looksLikeHost ? `did you mean "https://${text}"?` : "start it with https:// (or http://)",
      ),
    );
  },
});

/**
 * Only the literal text before the first interpolation is checked: `"{{api_base}}/x"` is
 * decided at run time, `"https://{{host}}/x"` and even `"ht{{rest}}"` may still become
 * valid, but `"crm.example.com/{{id}}"` and `"ftp://..."` cannot.
 */
function urlPrefixIsValid(url: StringLiteral): boolean {
  const first = url.parts[0];
  if (first?.kind === "Interpolation") return true;
  const prefix = first?.value ?? "";
  if (url.parts.length > 1) {
    const lower = prefix.toLowerCase();
    return /^https?:\/\//.test(lower) || "http://".startsWith(lower) || "https://".startsWith(lower);
  }
  if (!/^https?:\/\//i.test(prefix)) return false;
  try {
    return new URL(prefix).hostname !== "";
  } catch {
    return false;
  }
}

export const validJsonPaths: Rule = ({ report }) => ({
  http(w) {
    for (const m of resultMappingsOf(w)) {
      if (m.source.kind !== "JsonPathSource") continue;
      const path = m.source.path;
      const problem = path.parts.some((p) => p.kind === "Interpolation")
        ? "a JSONPath cannot interpolate {{...}}"
        : jsonPathError(path.value);
      if (problem !== undefined) {
        report(
          diagnostic(
            "invalidJsonPath",
            path.span,
            [JSON.stringify(path.value), problem],
            'for example "$.order.items[0].name"',
          ),
        );
        continue;
      }
      const unbounded = unboundedJsonPath(path.value);
      if (unbounded !== undefined)
        report(
          diagnostic(
            "unboundedJsonPath",
            path.span,
            [JSON.stringify(path.value), unbounded],
            "map the values with simpler paths and compare them in a condition widget",
          ),
        );
    }
  },
});

export const bodyOnGet: Rule = ({ report }) => ({
  http(w) {
    const body = w.settings.body;
    if (w.settings.method?.value.name === "GET" && body !== undefined) {
      report(diagnostic("bodyOnGet", body.span, [], "send the data as `query` parameters, or use POST"));
    }
  },
});

/** The request's media type, lower case and without parameters; undefined when absent or interpolated. */
function contentType(w: HttpWidget): StringLiteral | undefined {
  // A `Content-Type` header counts when there is no `content_type` setting.
  const header = w.settings.headers?.value.entries.find((kv) => kv.key.name.toLowerCase() === "content-type")?.value;
  const literal = w.settings.content_type?.value ?? (header?.kind === "String" ? header : undefined);
  return literal?.parts.some((p) => p.kind === "Interpolation") ? undefined : literal;
}

function mediaType(literal: StringLiteral): string {
  return (literal.value.split(";")[0] ?? "").trim().toLowerCase();
}

/** A text body is sent as written, so any content type can describe it. */
export const contentTypeMatchesBody: Rule = ({ report }) => ({
  http(w) {
    const literal = contentType(w);
    const body = w.settings.body?.value;
    if (literal === undefined || body === undefined || body.kind === "TextBody") return;
    const type = mediaType(literal);
    if (body.kind === "JsonBody" && type !== "application/json" && !type.endsWith("+json")) {
      report(
        diagnostic(
          "contentTypeMismatch",
          literal.span,
          [JSON.stringify(literal.value), "json"],
          'use "application/json" (or a +json type), or remove content_type: a json body sets it',
        ),
      );
    } else if (body.kind === "FormBody" && type !== "application/x-www-form-urlencoded") {
      report(
        diagnostic(
          "contentTypeMismatch",
          literal.span,
          [JSON.stringify(literal.value), "form"],
          'use "application/x-www-form-urlencoded", or remove content_type: a form body sets it',
        ),
      );
    }
  },
});

export const retryNeedsIdempotencyKey: Rule = ({ report }) => ({
  http(w) {
    const method = w.settings.method?.value.name;
    if (w.settings.retry === undefined || (method !== "POST" && method !== "PATCH")) return;
    if (w.settings.headers?.value.entries.some((kv) => kv.key.name.toLowerCase() === "idempotency-key")) return;
    report(
      diagnostic(
        "retryWithoutIdempotencyKey",
        w.settings.retry.span,
        [method],
        'add headers { "Idempotency-Key" = "..." } with a value that stays the same across attempts',
      ),
    );
  },
});

export const duplicateKeys: Rule = ({ report }) => {
  const check = (keys: readonly Key[], where: string, normalize: (name: string) => string): void => {
    const seen = new Set<string>();
    for (const key of keys) {
      const name = normalize(key.name);
      if (seen.has(name))
        report(diagnostic("duplicateKey", key.span, [key.name, where], "the later value wins; remove one"));
      seen.add(name);
    }
  };
  const keysOf = (entries: readonly KeyValue[] | undefined): Key[] => (entries ?? []).map((kv) => kv.key);
  const same = (name: string): string => name;
  const objects = (value: Value): void => {
    if (value.kind === "Object") {
      check(
        value.entries.map((e) => ({ kind: "Key", name: e.key.value, quoted: true, span: e.key.span })),
        "a JSON object",
        same,
      );
      for (const e of value.entries) objects(e.value);
    } else if (value.kind === "Array") {
      for (const item of value.items) objects(item);
    }
  };

  return {
    declaration(decl) {
      if (decl.kind === "VarDecl" && decl.default !== undefined) objects(decl.default);
    },
    widget(w) {
      for (const a of assignmentsOf(w)) objects(a.value);
    },
    http(w) {
      check(keysOf(w.settings.query?.value.entries), "query", same);
      check(keysOf(w.settings.headers?.value.entries), "headers", (name) => name.toLowerCase());
      const body = w.settings.body?.value;
      if (body?.kind === "FormBody") check(keysOf(body.entries), "the form body", same);
      if (body?.kind === "JsonBody") objects(body.value);
      // `authorization` and `content_type` are headers too.
      for (const kv of w.settings.headers?.value.entries ?? []) {
        const name = kv.key.name.toLowerCase();
        if (
          (name === "authorization" && w.settings.authorization) ||
          (name === "content-type" && w.settings.content_type)
        ) {
          const setting = name === "authorization" ? "authorization" : "content_type";
          report(
            diagnostic(
              "duplicateKey",
              kv.key.span,
              [kv.key.name, `headers and the \`${setting}\` setting`],
              `keep only the \`${setting}\` setting`,
            ),
          );
        }
      }
    },
  };
};

/**
 * Status exits: each status 100-599 and each class 1xx-5xx, never a 2xx (that is `success`),
 * and each status, class or failure routed once per widget. A status inside a class is allowed:
 * the status wins.
 */
export const statusExits: Rule = ({ report }) => ({
  http(w) {
    const seen = new Map<string, StatusMatch>();
    for (const exit of statusExitsOf(w)) {
      for (const match of exit.statuses) {
        const problem = statusProblem(match);
        if (problem !== undefined) {
          report(problem);
          continue;
        }
        const first = seen.get(match.text);
        if (first === undefined) seen.set(match.text, match);
        else
          report(
            diagnostic("duplicateStatus", match.span, [match.text, w.id.name], "remove one of them", [
              { span: first.span, message: `${match.text} is first routed here` },
            ]),
          );
      }
    }
  },
});

function statusProblem(match: StatusMatch): Diagnostic | undefined {
  const { text, span } = match;
  if (text === "timeout" || text === "network_error") return undefined;
  if (text.endsWith("xx")) {
    if (!/^[1-5]xx$/.test(text)) return diagnostic("unknownStatusClass", span, [text]);
    return text === "2xx" ? diagnostic("successStatus", span, [text], "use `success -> WIDGET`") : undefined;
  }
  const code = Number(text);
  if (!Number.isInteger(code) || code < 100 || code > 599) return diagnostic("statusOutOfRange", span, [text]);
  return code >= 200 && code <= 299 ? diagnostic("successStatus", span, [text], "use `success -> WIDGET`") : undefined;
}
