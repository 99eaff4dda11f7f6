// Http widget settings: retry, timeout, url, JSONPath, body and content type, duplicate keys.
import type { HttpWidget, Key, KeyValue, StringLiteral, Value } from "../../grammar/ast.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import { describeType, typeOfValue } from "../types.js";
import type { Rule } from "./context.js";
import { jsonPathError } from "./jsonpath.js";

const MAX_TIMEOUT_MS = 10 * 60 * 1000;

export const retryRange: Rule = ({ report }) => ({
  http(w) {
    const count = w.retry?.count;
    if (count === undefined || (Number.isInteger(count.value) && count.value >= 1 && count.value <= 3)) return;
    report(
      diagnostic(
        "retryOutOfRange",
        count.span,
        [count.raw],
        "the Http Call widget retries 1, 2 or 3 times; remove `retry` for none",
      ),
    );
  },
});

export const timeoutRange: Rule = ({ report }) => ({
  http(w) {
    const duration = w.timeout?.duration;
    if (duration === undefined || (duration.ms >= 1 && duration.ms <= MAX_TIMEOUT_MS)) return;
    report(diagnostic("timeoutOutOfRange", duration.span, [duration.raw]));
  },
});

export const absoluteUrl: Rule = ({ typeOf, report }) => ({
  http(w) {
    const value = w.url?.value;
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
    for (const m of w.results?.mappings ?? []) {
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
      }
    }
  },
});

export const bodyOnGet: Rule = ({ report }) => ({
  http(w) {
    if (w.method?.method === "GET" && w.body !== undefined) {
      report(diagnostic("bodyOnGet", w.body.span, [], "send the data as `query` parameters, or use POST"));
    }
  },
});

/** The request's media type, lower case and without parameters; undefined when absent or interpolated. */
function contentType(w: HttpWidget): StringLiteral | undefined {
  // A `Content-Type` header counts when there is no `content_type` setting.
  const header = w.headers?.entries.find((kv) => kv.key.name.toLowerCase() === "content-type")?.value;
  const literal = w.contentType?.value ?? (header?.kind === "String" ? header : undefined);
  return literal?.parts.some((p) => p.kind === "Interpolation") ? undefined : literal;
}

function mediaType(literal: StringLiteral): string {
  return (literal.value.split(";")[0] ?? "").trim().toLowerCase();
}

/** A text body is sent as written, so any content type can describe it. */
export const contentTypeMatchesBody: Rule = ({ report }) => ({
  http(w) {
    const literal = contentType(w);
    if (literal === undefined || w.body === undefined || w.body.kind === "TextBody") return;
    const type = mediaType(literal);
    if (w.body.kind === "JsonBody" && type !== "application/json" && !type.endsWith("+json")) {
      report(
        diagnostic(
          "contentTypeMismatch",
          literal.span,
          [JSON.stringify(literal.value), "json"],
          'use "application/json" (or a +json type), or remove content_type: a json body sets it',
        ),
      );
    } else if (w.body.kind === "FormBody" && type !== "application/x-www-form-urlencoded") {
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
    const method = w.method?.method;
    if (w.retry === undefined || (method !== "POST" && method !== "PATCH")) return;
    if (w.headers?.entries.some((kv) => kv.key.name.toLowerCase() === "idempotency-key")) return;
    report(
      diagnostic(
        "retryWithoutIdempotencyKey",
        w.retry.span,
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
      if (w.kind === "SetWidget") for (const a of w.assignments) objects(a.value);
    },
    http(w) {
      check(keysOf(w.query?.entries), "query", same);
      check(keysOf(w.headers?.entries), "headers", (name) => name.toLowerCase());
      if (w.body?.kind === "FormBody") check(keysOf(w.body.entries), "the form body", same);
      if (w.body?.kind === "JsonBody") objects(w.body.value);
      // `authorization` and `content_type` are headers too.
      for (const kv of w.headers?.entries ?? []) {
        const name = kv.key.name.toLowerCase();
        if ((name === "authorization" && w.authorization) || (name === "content-type" && w.contentType)) {
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
