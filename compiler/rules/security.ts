// Secrets stay secret: no literal credentials, no secrets in URLs, none where values leave the flow.
import type { KeyValue, TemplatePart, Value } from "../../grammar/ast.js";
import { visit } from "../../grammar/visitor.js";
import { assignmentsOf } from "../../grammar/widgets.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import type { RefPlace } from "../scope.js";
import type { Rule } from "./context.js";

const SENSITIVE_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"]);
const SENSITIVE_WORDS = ["token", "secret", "password", "key"];

/**
 * Header names whose values are credentials. `*key*` would also catch `Idempotency-Key`,
 * whose value is a request id, not a credential, so idempotency headers are exempt.
 */
export function isSensitiveHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (SENSITIVE_HEADERS.has(lower)) return true;
  return !lower.includes("idempotency") && SENSITIVE_WORDS.some((word) => lower.includes(word));
}

const SEPARATORS = /^[\s=:;,]*$/;

/**
 * Whether a value spells out a credential. Variables and secrets are fine, and so is a
 * string built from interpolations whose literal words only label the next one: a
 * scheme (`"Bearer {{secret.T}}"`), a cookie name (`"sid={{secret.S}}"`), a key prefix.
 * Any other literal word with a letter or digit is treated as part of a credential.
 */
export function isLiteralCredential(value: Value): boolean {
  switch (value.kind) {
    case "VarRef":
    case "SecretRef":
    case "Null":
      return false;
    case "String":
      return hasLiteralWord(value.parts);
    case "Number":
    case "Boolean":
    case "Object":
    case "Array":
      return true;
  }
}

function hasLiteralWord(parts: readonly TemplatePart[]): boolean {
  return parts.some((part, i) => {
    if (part.kind !== "Text") return false;
    const labelsNext = parts[i + 1]?.kind === "Interpolation";
    for (const match of part.value.matchAll(/[^\s=:;,]+/g)) {
      if (!/[A-Za-z0-9]/.test(match[0])) continue;
      const rest = part.value.slice(match.index + match[0].length);
      if (!(labelsNext && SEPARATORS.test(rest))) return true;
    }
    return false;
  });
}

export const literalCredentials: Rule = ({ report }) => ({
  http(w) {
    if (w.settings.authorization && isLiteralCredential(w.settings.authorization.value)) {
      report(
        diagnostic(
          "literalCredential",
          w.settings.authorization.value.span,
          ["authorization"],
          'declare `secret NAME` and write "Bearer {{secret.NAME}}"',
        ),
      );
    }
    for (const kv of w.settings.headers?.value.entries ?? []) {
      // A name with `{{...}}` in it is reported as such (plainKeys), not guessed at.
      if (isSensitiveHeader(kv.key.name) && !INTERPOLATED.test(kv.key.name) && isLiteralCredential(kv.value)) {
        report(
          diagnostic(
            "literalCredential",
            kv.value.span,
            [`header ${JSON.stringify(kv.key.name)}`],
            "declare `secret NAME` and write secret.NAME",
          ),
        );
      }
    }
  },
});

export const secretsInUrls: Rule = ({ report }) => ({
  reference(ref) {
    if (!ref.secret || (ref.place !== "url" && ref.place !== "query")) return;
    report(
      diagnostic(
        "secretInUrl",
        ref.span,
        [ref.name, ref.place === "url" ? "URL" : "query string"],
        "send it in `authorization` or a header instead",
      ),
    );
  },
});

/**
 * Places whose values leave the flow: spoken or sent to the caller, stored in a variable
 * (and from there anywhere), or handed to a queue. Secrets belong in requests only.
 */
const LEAKS: Partial<Record<RefPlace, string>> = {
  message: "a send message",
  setValue: "a set value",
  condition: "a condition",
  queue: "a route queue",
  default: "a default value",
};

export const secretsThatLeave: Rule = ({ report }) => ({
  reference(ref) {
    const place = LEAKS[ref.place];
    if (ref.secret && place !== undefined) {
      report(
        diagnostic(
          "secretNotAllowed",
          ref.span,
          [place],
          "secrets may appear in url, query, authorization, headers and body only",
        ),
      );
    }
  },
});

const INTERPOLATED = /\{\{.*?\}\}/;

/** Query keys, header names and form keys are sent as written: `{{...}}` in them is an error. */
export const plainKeys: Rule = ({ report }) => {
  const check = (entries: readonly KeyValue[] | undefined, what: string): void => {
    for (const kv of entries ?? []) {
      if (INTERPOLATED.test(kv.key.name))
        report(diagnostic("interpolationNotAllowed", kv.key.span, [what], "write the name as it should be sent"));
    }
  };
  return {
    http(w) {
      check(w.settings.query?.value.entries, "A query key");
      check(w.settings.headers?.value.entries, "A header name");
      const body = w.settings.body?.value;
      if (body?.kind === "FormBody") check(body.entries, "A form key");
    },
  };
};

/**
 * A masked variable's value may only be copied into another masked one (by `set` or a default):
 * copied into an unmasked variable, it would be shown in traces, timelines and diffs.
 */
export const maskedCopies: Rule = ({ scope, report }) => {
  const check = (value: Value, target: string, what: string): void => {
    const into = scope.variables.get(target);
    if (into === undefined || into.masked) return;
    visit(value, {
      VarRef(ref) {
        if (scope.variables.get(ref.name)?.masked !== true) return;
        report(
          diagnostic("maskedIntoUnmasked", ref.span, [what, ref.name, target], `declare '${target}' masked`, [
            { span: into.name.span, message: `'${target}' is declared here` },
          ]),
        );
      },
    });
  };
  return {
    declaration(decl) {
      if (decl.kind === "VarDecl" && decl.default !== undefined) check(decl.default, decl.name.name, "The default");
    },
    widget(w) {
      for (const a of assignmentsOf(w)) check(a.value, a.target.name, "The set value");
    },
  };
};
