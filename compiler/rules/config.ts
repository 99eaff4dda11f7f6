// `config` values belong to the environment: they have no default, nothing assigns them, and where a
// request goes (scheme, host and port) is built from literals, configs and secrets only (what authors
// and operators set), so no run input and no response can send a request, or the credentials it
// carries, to a server of its choosing.
import type { HttpWidget, StringLiteral, Value } from "../../grammar/ast.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import { visit } from "../../grammar/visitor.js";
import type { Scope } from "../scope.js";
import type { Rule } from "./context.js";

export const configDeclarations: Rule = ({ report }) => ({
  declaration(decl) {
    if (decl.kind === "VarDecl" && decl.scope === "config" && decl.default !== undefined)
      report(
        diagnostic(
          "configDefault",
          decl.default.span,
          [decl.name.name],
          "give its value per environment in callflow.json (or `config { }` in a test)",
        ),
      );
  },
  reference(ref) {
    const decl = ref.declaration;
    if (!ref.write || decl?.kind !== "VarDecl" || decl.scope !== "config") return;
    report(
      diagnostic("configReadOnly", ref.span, [ref.name], "assign a local instead", [
        { span: decl.name.span, message: `'${ref.name}' is declared here` },
      ]),
    );
  },
});

/** The first variable in a URL that helps decide its origin and is not a config, or undefined when there is none. */
export function unpinnedOrigin(url: Value, scope: Scope): { name: string; span: StringLiteral["span"] } | undefined {
  const isConfig = (name: string): boolean => scope.variables.get(name)?.scope === "config";
  if (url.kind === "VarRef") return isConfig(url.name) ? undefined : { name: url.name, span: url.span };
  // A secret is the environment's too (a webhook URL is often one): set by operators, never by a run.
  if (url.kind !== "String") return undefined;
  // The origin ends at the first `/`, `?` or `#` after the scheme's `://` (or after a config, which
  // holds a whole base URL); until then every interpolation can change where the request goes.
  let afterScheme = false;
  for (const part of url.parts) {
    if (part.kind === "Interpolation") {
      const ref = part.ref;
      if (ref.kind === "VarRef" && !isConfig(ref.name)) return { name: ref.name, span: part.span };
      afterScheme = true;
      continue;
    }
    let text = part.value;
    if (!afterScheme) {
      const scheme = text.indexOf("://");
      if (scheme === -1) continue;
      afterScheme = true;
      text = text.slice(scheme + 3);
    }
    if (/[/?#]/.test(text)) return undefined;
  }
  return undefined;
}

/** Whether the request sends a secret or a masked variable anywhere (URL, query, headers, authorization, body). */
function carriesHidden(w: HttpWidget, scope: Scope): boolean {
  let hidden = false;
  const { url, query, headers, authorization, body } = w.settings;
  for (const setting of [url, query, headers, authorization, body]) {
    if (setting === undefined || hidden) continue;
    visit(setting, {
      SecretRef() {
        hidden = true;
      },
      VarRef(ref) {
        if (scope.variables.get(ref.name)?.masked === true) hidden = true;
      },
    });
  }
  return hidden;
}

export const pinnedOrigins: Rule = ({ scope, report }) => ({
  http(w) {
    const url = w.settings.url?.value;
    if (url === undefined) return;
    const unpinned = unpinnedOrigin(url, scope);
    if (unpinned === undefined) return;
    const hint =
      "declare `config NAME: url` and start the URL with {{NAME}}: the environment decides where requests go";
    report(
      diagnostic(
        carriesHidden(w, scope) ? "unpinnedOriginWithSecret" : "unpinnedOrigin",
        unpinned.span,
        [w.id.name, unpinned.name],
        hint,
      ),
    );
  },
});
