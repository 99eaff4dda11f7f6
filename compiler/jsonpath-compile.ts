// Simple JSONPaths compiled to property access. A path is simple when it is `$` followed by
// one or more `.name`, `[index]` or `['name']` steps; its reader is a chain of `prop` calls
// (runtime/helpers.ts), which follows own properties only, as jsonpath-plus does. Anything
// else (filters, wildcards, recursive descent, slices, unions, negative indexes, `$` alone,
// whose jsonpath-plus result depends on the body being truthy) is left to jsonpath-plus at
// run time. The accepted forms are deliberately narrow: each one is tokenised by
// jsonpath-plus into exactly the same property names, which a property test checks.
import { stringLiteral } from "./names.js";

export type PathStep = string | number;

// `.name` | `[0]` (no leading zeros: jsonpath-plus would look up the key "01") | `['name']`.
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]{0,8})\]|\['([A-Za-z0-9_ -]+)'\]/y;

/** The property names and indexes a simple path follows, or undefined when it needs jsonpath-plus. */
export function simplePath(path: string): PathStep[] | undefined {
  if (!path.startsWith("$") || path.length === 1) return undefined;
  const steps: PathStep[] = [];
  STEP.lastIndex = 1;
  while (STEP.lastIndex < path.length) {
    const match = STEP.exec(path);
    if (match === null) return undefined;
    steps.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3])!);
  }
  return steps;
}

/** The expression reading `steps` from the variable `body`: `prop(prop(body, "a"), 0)`. */
export function readExpression(steps: readonly PathStep[], body: string): string {
  let expression = body;
  for (const step of steps) {
    expression = `prop(${expression}, ${typeof step === "number" ? String(step) : stringLiteral(step)})`;
  }
  return expression;
}
