// A syntax check for the JSONPath dialect jsonpath-plus evaluates. jsonpath-plus itself
// accepts any string (it never reports a syntax error), so the check is done here. Filters and
// scripts are parsed with jsep, the parser jsonpath-plus's safe evaluator uses, set up the same way.
import jsep from "jsep";
import jsepAssignment from "@jsep-plugin/assignment";
import jsepRegex from "@jsep-plugin/regex";
import { JSONPath } from "jsonpath-plus";
import { scanUnquoted, splitUnion, SCRIPT_AT, unboundedPathReason, type ScriptNode } from "../../runtime/contract.js";

jsep.plugins.register(jsepRegex, jsepAssignment);
jsep.addUnaryOp("typeof");
jsep.addUnaryOp("void");

const NAME = /^[^.[\]\s'"()]+/;
const INDEX = /^-?\d+$/;
const SLICE = /^(-?\d+)?:(-?\d+)?(:(-?\d+)?)?$/;
const QUOTED = /^('([^'\\]|\\.)*'|"([^"\\]|\\.)*")$/;

/** Why evaluating `path` (a valid JSONPath) could take more than time linear in the response body. */
export function unboundedJsonPath(path: string): string | undefined {
  return unboundedPathReason(JSONPath.toPathArray(path), (script) => jsep(script) as ScriptNode);
}

/** Why `path` is not a valid JSONPath, or undefined when it is. */
export function jsonPathError(path: string): string | undefined {
  if (!path.startsWith("$")) return "it must start with '$'";
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === "[") {
      const close = closingBracket(path, i);
      if (close === undefined) return `'[' at position ${i} is never closed`;
      const problem = selectorError(path.slice(i + 1, close));
      if (problem !== undefined) return problem;
      i = close + 1;
    } else if (c === ".") {
      const descent = path[i + 1] === ".";
      i += descent ? 2 : 1;
      // `..[0]` and `..*` are fine; after a single dot a name or `*` must follow.
      if (descent && path[i] === "[") continue;
      if (path[i] === "*") {
        i += 1;
        continue;
      }
      const name = NAME.exec(path.slice(i));
      if (name === null)
        return `'${descent ? ".." : "."}' at position ${i - (descent ? 2 : 1)} must be followed by a name`;
      i += name[0].length;
    } else {
      return `unexpected '${c}' at position ${i}`;
    }
  }
  return undefined;
}

/** The index of the `]` closing the `[` at `open`, skipping quoted strings and parentheses. */
function closingBracket(path: string, open: number): number | undefined {
  let depth = 0;
  const at = scanUnquoted(path, open + 1, (c) => {
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else return c === "]" && depth === 0;
    return false;
  });
  return at >= 0 && at < path.length ? at : undefined;
}

function selectorError(inner: string): string | undefined {
  const text = inner.trim();
  if (text === "") return "'[]' is empty";
  // Filters `?(...)` and scripts `(...)` hold an expression for jsonpath-plus's safe evaluator.
  if (text.startsWith("?(") || text.startsWith("(")) {
    if (!text.endsWith(")") || !balanced(text)) return `unbalanced parentheses in [${inner}]`;
    return scriptError(text.slice(text.startsWith("?") ? 2 : 1, -1));
  }
  if (text === "*") return undefined;
  for (const item of splitUnion(text)) {
    const s = item.trim();
    if (!INDEX.test(s) && !SLICE.test(s) && !QUOTED.test(s))
      return `[${inner}] is not an index, slice, '*', quoted name or filter`;
  }
  return undefined;
}

/**
 * Why a filter or script can only fail when it runs, or undefined: it must parse, and every name
 * it reads must be one the evaluator defines (the `@` forms); `foo(1)` or `Math.max(...)` would
 * stop the step with a ReferenceError.
 */
function scriptError(script: string): string | undefined {
  if (/[\u2028\u2029]/.test(script)) return "a filter cannot hold a line or paragraph separator";
  let ast: jsep.Expression;
  try {
    ast = jsep(script.replace(SCRIPT_AT, (_, name: string | undefined) => `_$_${name ?? "v"}`));
  } catch (error) {
    return `the filter (${script}) does not parse: ${(error as Error).message}`;
  }
  const stack: jsep.Expression[] = [ast];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const name = node.type === "Identifier" ? (node as jsep.Identifier).name : undefined;
    if (name !== undefined && !name.startsWith("_$_"))
      return `the filter (${script}) reads '${name}', which is not defined there; use @, @root, @parent or @property`;
    for (const [key, value] of Object.entries(node)) {
      // `a.b`: b is a property name, not a name read from scope.
      if (node.type === "MemberExpression" && key === "property" && node["computed"] !== true) continue;
      for (const child of Array.isArray(value) ? value : [value])
        if (typeof child === "object" && child !== null && typeof (child as jsep.Expression).type === "string")
          stack.push(child as jsep.Expression);
    }
  }
  return undefined;
}

/** Parentheses balance outside quoted strings, and no quote is left open. */
function balanced(text: string): boolean {
  let depth = 0;
  const end = scanUnquoted(text, 0, (c) => {
    if (c === "(") depth++;
    else if (c === ")") depth--;
    return depth < 0;
  });
  return end === text.length && depth === 0;
}
