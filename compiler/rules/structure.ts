// The shape of the flow: a start, required settings and exits, unique widget ids, and
// exits that point at widgets that exist.
import type { Identifier, StringLiteral, Widget } from "../../grammar/ast.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import { isTerminal, START_EXIT, WIDGET_SPECS, type Requirement } from "../../grammar/language.js";
import { forEachExit, resultMappingsOf, settingsOf, specOf } from "../../grammar/widgets.js";
import { suggest } from "../scope.js";
import type { Rule } from "./context.js";

export const missingStart: Rule = ({ flow, report }) => {
  if (flow.start === undefined) {
    const required = START_EXIT.required as Requirement;
    report(diagnostic(required.code, flow.id.span, [flow.id.name], required.hint));
  }
  return {};
};

export const duplicateWidgets: Rule = ({ scope, report }) => {
  for (const { widget, first } of scope.duplicateWidgets) {
    report(
      diagnostic("duplicateWidget", widget.id.span, [widget.id.name], "rename one of them", [
        { span: first.id.span, message: `'${first.id.name}' is first declared here` },
      ]),
    );
  }
  return {};
};

/** The kinds a loop can hold that act outside the run, for CF2036's message: `http or send`. */
const ACTING_KINDS = WIDGET_SPECS.filter((w) => w.effect && !isTerminal(w))
  .map((w) => w.keyword)
  .join(" or ");

export const unknownExitTargets: Rule = ({ flow, scope, suggestions, report }) => {
  const check = (label: string, target: Identifier): void => {
    if (scope.widgetIndex.has(target.name)) return;
    const near = suggest(target.name, scope.widgetIndex.keys(), suggestions);
    const widget = near === undefined ? undefined : flow.widgets[scope.widgetIndex.get(near) as number];
    report(
      diagnostic(
        "unknownExitTarget",
        target.span,
        [label, target.name],
        near === undefined
          ? "add a widget with this id, or point the exit at an existing one"
          : `did you mean '${near}'?`,
        widget === undefined ? undefined : [{ span: widget.id.span, message: `'${near}' is declared here` }],
      ),
    );
  };
  if (flow.start !== undefined) check("start", flow.start.target);
  return { widget: (widget) => forEachExit(widget, check) };
};

/** Settings and exits the description marks required, reported on the widget id. */
export const requiredParts: Rule = ({ report }) => ({
  widget(w) {
    const spec = specOf(w);
    const settings = settingsOf(w);
    const exits: Readonly<Record<string, unknown>> = w.exits;
    const missing = (required: Requirement | undefined, present: boolean): void => {
      if (required !== undefined && !present) report(diagnostic(required.code, w.id.span, [w.id.name], required.hint));
    };
    for (const setting of spec.settings) missing(setting.required, settings[setting.keyword] !== undefined);
    for (const exit of spec.exits) missing(exit.required, exits[exit.label] !== undefined);
  },
});

/**
 * Widgets no path from `start` leads to. Skipped when `start` is missing or broken: that
 * error explains it. Widgets are marked by index, which needs no lookup in a table.
 */
export const unreachableWidgets: Rule = ({ flow, scope, report }) => {
  const first = flow.start === undefined ? undefined : scope.widgetIndex.get(flow.start.target.name);
  if (first === undefined) return {};
  const seen = new Uint8Array(flow.widgets.length);
  seen[first] = 1;
  const queue = [first];
  const follow = (_label: string, target: Identifier): void => {
    const next = scope.widgetIndex.get(target.name);
    if (next !== undefined && seen[next] === 0) {
      seen[next] = 1;
      queue.push(next);
    }
  };
  for (let index = queue.pop(); index !== undefined; index = queue.pop())
    forEachExit(flow.widgets[index] as Widget, follow);
  flow.widgets.forEach((widget, index) => {
    // A duplicate id is already an error, and no exit can tell it from the first.
    if (seen[index] === 1 || scope.widgetIndex.get(widget.id.name) !== index) return;
    report(
      diagnostic(
        "unreachableWidget",
        widget.id.span,
        [widget.id.name],
        "no exit leads here: point an exit at it or remove it",
      ),
    );
  });
  return {};
};

/** Settings whose value kind is `plainString` are taken as written: no `{{...}}`; result header names neither. */
export const plainStrings: Rule = ({ report }) => {
  const check = (value: StringLiteral, what: string): void => {
    const part = value.parts.find((p) => p.kind === "Interpolation");
    if (part !== undefined)
      report(diagnostic("interpolationNotAllowed", part.span, [what], "write the text as it should be sent"));
  };
  return {
    widget(w) {
      const settings = settingsOf(w);
      for (const spec of specOf(w).settings) {
        const setting = settings[spec.keyword];
        if (setting?.valueKind === "plainString") check(setting.value, spec.keyword);
      }
    },
    http(w) {
      for (const m of resultMappingsOf(w))
        if (m.source.kind === "HeaderSource") check(m.source.name, "A result header name");
    },
  };
};

/**
 * Loops. A loop no exit leaves can never end (error). A loop with a way out but no http or send
 * step can only spin: nothing in it changes between rounds but `set` values, which are constants
 * (warning). Loops are the graph's strongly connected components, found without recursion.
 */
export const loops: Rule = ({ flow, scope, report }) => {
  const edges = flow.widgets.map((widget) => {
    const targets: number[] = [];
    forEachExit(widget, (_label, target) => {
      const index = scope.widgetIndex.get(target.name);
      if (index !== undefined) targets.push(index);
    });
    return targets;
  });
  for (const members of stronglyConnected(edges)) {
    const inLoop = new Set(members);
    const only = members[0] as number;
    if (members.length === 1 && !(edges[only] ?? []).includes(only)) continue;
    const sorted = members.toSorted((a, b) => a - b);
    const widgets = sorted.map((i) => flow.widgets[i] as Widget);
    const names = widgets.map((w) => `'${w.id.name}'`).join(", ");
    const first = widgets[0] as Widget;
    const related = widgets.slice(1).map((w) => ({ span: w.id.span, message: `'${w.id.name}' is in the loop` }));
    const leaves = members.some((i) => (edges[i] ?? []).some((t) => !inLoop.has(t)));
    if (!leaves) {
      report(
        diagnostic(
          "loopWithoutExit",
          first.id.span,
          [names],
          "point one exit of the loop at a widget outside it",
          related,
        ),
      );
    } else if (!widgets.some((w) => specOf(w).effect)) {
      report(
        diagnostic(
          "loopWithoutStep",
          first.id.span,
          [names, ACTING_KINDS],
          "nothing in the loop changes between rounds; end it or call an API in it",
          related,
        ),
      );
    }
  }
  return {};
};

/** Tarjan's strongly connected components, iterative; each component's members in any order. */
function stronglyConnected(edges: readonly (readonly number[])[]): number[][] {
  const index = new Int32Array(edges.length).fill(-1);
  const low = new Int32Array(edges.length);
  const onStack = new Uint8Array(edges.length);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < edges.length; root++) {
    if (index[root] !== -1) continue;
    // Each frame: a node and how many of its edges are done.
    const frames: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as [number, number];
      const [node, next] = frame;
      const targets = edges[node] ?? [];
      if (next < targets.length) {
        frame[1] = next + 1;
        const target = targets[next] as number;
        if (index[target] === -1) {
          index[target] = low[target] = counter++;
          stack.push(target);
          onStack[target] = 1;
          frames.push([target, 0]);
        } else if (onStack[target] === 1) {
          low[node] = Math.min(low[node] as number, index[target] as number);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) low[parent[0]] = Math.min(low[parent[0]] as number, low[node] as number);
      if (low[node] === index[node]) {
        const component: number[] = [];
        for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
          onStack[member] = 0;
          component.push(member);
          if (member === node) break;
        }
        components.push(component);
      }
    }
  }
  return components;
}
