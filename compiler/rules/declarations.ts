// Declared names: no duplicates, every reference declared, every declaration used.
import type { Declaration, Identifier } from "../../grammar/ast.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import { didYouMean } from "../scope.js";
import type { Rule } from "./context.js";

/** Variables and secrets share one namespace, so `local X` and `secret X` clash too. */
export const duplicateDeclarations: Rule = ({ scope, report }) => {
  for (const { decl, first } of scope.duplicateDeclarations) {
    report(
      diagnostic(
        "duplicateDeclaration",
        decl.name.span,
        [decl.name.name],
        "rename one of them: variables and secrets share one namespace",
        [{ span: first.name.span, message: `'${first.name.name}' is first declared here` }],
      ),
    );
  }
  return {};
};

export const undeclaredReferences: Rule = ({ scope, suggestions, report }) => ({
  reference(ref) {
    const kind = ref.declaration?.kind;
    if (ref.secret) {
      if (kind === "SecretDecl") return;
      const hint =
        kind === "VarDecl"
          ? `'${ref.name}' is a variable: write ${ref.name} or {{${ref.name}}}`
          : (didYouMean(ref.name, scope.secrets.keys(), suggestions) ?? `declare it with \`secret ${ref.name}\``);
      report(diagnostic("undeclaredSecret", ref.span, [ref.name], hint));
    } else {
      if (kind === "VarDecl") return;
      const hint =
        kind === "SecretDecl"
          ? ref.write
            ? "a secret is read-only: declare a variable to hold this value"
            : `'${ref.name}' is a secret: write secret.${ref.name} or {{secret.${ref.name}}}`
          : (didYouMean(ref.name, scope.variables.keys(), suggestions) ??
            `declare it with \`local ${ref.name}: TYPE\` or \`global ${ref.name}: TYPE\``);
      report(diagnostic("undeclaredVariable", ref.span, [ref.name], hint));
    }
  },
});

/**
 * A declaration is used when any reference names it, read or written (a result or
 * `set` target counts). Globals are not exempt: the platform may fill a global, but a
 * flow that never mentions it does not need to declare it.
 */
export const unusedDeclarations: Rule = ({ scope, report }) => {
  // A reference of the wrong kind (a secret written as a variable) already gets an error; it still counts as a use.
  const used = new Set<Declaration>();
  return {
    reference(ref) {
      if (ref.declaration !== undefined) used.add(ref.declaration);
    },
    end() {
      for (const [name, decl] of scope.secrets) {
        if (!used.has(decl))
          report(diagnostic("unusedSecret", decl.name.span, [name], "remove it, or use it as {{secret." + name + "}}"));
      }
      for (const [name, decl] of scope.variables) {
        if (!used.has(decl))
          report(
            diagnostic("unusedVariable", decl.name.span, [name], "remove the declaration if the flow does not need it"),
          );
      }
    },
  };
};

/** Names of Object.prototype's properties: as a variable, secret or widget id they would alias them. */
export const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export const reservedNames: Rule = ({ flow, report }) => {
  const check = (name: Identifier): void => {
    if (RESERVED.has(name.name)) report(diagnostic("reservedName", name.span, [name.name], "choose another name"));
  };
  check(flow.id);
  return { declaration: (decl) => check(decl.name), widget: (w) => check(w.id) };
};
