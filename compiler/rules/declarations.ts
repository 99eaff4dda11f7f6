// Declared names: no duplicates, every reference declared, every declaration used.
import { diagnostic } from "../diagnostics.js";
import { didYouMean } from "../scope.js";
import type { Rule } from "./context.js";

/** Variables and secrets share one namespace, so `local X` and `secret X` clash too. */
export const duplicateDeclarations: Rule = ({ flow, scope, report }) => {
  for (const decl of flow.declarations) {
    const name = decl.name.name;
    const first = scope.variables.get(name) ?? scope.secrets.get(name);
    if (first !== undefined && first !== decl) {
      report(diagnostic("duplicateDeclaration", decl.name.span, [name], `first declared on line ${first.name.span.line}; variables and secrets share one namespace`));
    }
  }
};

export const undeclaredReferences: Rule = ({ refs, scope, report }) => {
  for (const ref of refs) {
    if (ref.secret) {
      if (scope.secrets.has(ref.name)) continue;
      const hint = scope.variables.has(ref.name)
        ? `'${ref.name}' is a variable: write ${ref.name} or {{${ref.name}}}`
        : (didYouMean(ref.name, scope.secrets.keys()) ?? `declare it with \`secret ${ref.name}\``);
      report(diagnostic("undeclaredSecret", ref.span, [ref.name], hint));
    } else {
      if (scope.variables.has(ref.name)) continue;
      const hint = scope.secrets.has(ref.name)
        ? ref.write
          ? "a secret is read-only: declare a variable to hold this value"
          : `'${ref.name}' is a secret: write secret.${ref.name} or {{secret.${ref.name}}}`
        : (didYouMean(ref.name, scope.variables.keys()) ?? `declare it with \`local ${ref.name}: TYPE\` or \`global ${ref.name}: TYPE\``);
      report(diagnostic("undeclaredVariable", ref.span, [ref.name], hint));
    }
  }
};

/**
 * A declaration is used when any reference names it, read or written (a result or
 * `set` target counts). Globals are not exempt: the platform may fill a global, but a
 * flow that never mentions it does not need to declare it.
 */
export const unusedDeclarations: Rule = ({ refs, scope, report }) => {
  // A reference of the wrong kind (a secret written as a variable) already gets an error; it still counts as a use.
  const used = new Set(refs.map((ref) => ref.name));
  for (const [name, decl] of scope.secrets) {
    if (!used.has(name)) report(diagnostic("unusedSecret", decl.name.span, [name], "remove it, or use it as {{secret." + name + "}}"));
  }
  for (const [name, decl] of scope.variables) {
    if (!used.has(name)) report(diagnostic("unusedVariable", decl.name.span, [name], "remove the declaration if the flow does not need it"));
  }
};
