// The shape of the flow: a start, required settings and exits, unique widget ids, and
// exits that point at widgets that exist.
import type { Identifier, StringLiteral, Widget } from "../../grammar/ast.js";
import { diagnostic } from "../diagnostics.js";
import type { MessageKey } from "../diagnostics.js";
import { didYouMean, widgetExits } from "../scope.js";
import type { Rule } from "./context.js";

export const missingStart: Rule = ({ flow, report }) => {
  if (flow.start === undefined) {
    report(diagnostic("missingStart", flow.id.span, [flow.id.name], "add `start -> WIDGET` to name the first widget"));
  }
};

export const duplicateWidgets: Rule = ({ flow, scope, report }) => {
  for (const widget of flow.widgets) {
    const first = scope.widgets.get(widget.id.name);
    if (first !== undefined && first !== widget) {
      report(diagnostic("duplicateWidget", widget.id.span, [widget.id.name], `first declared on line ${first.id.span.line}; rename one of them`));
    }
  }
};

export const unknownExitTargets: Rule = ({ flow, scope, report }) => {
  const check = (label: string, target: Identifier): void => {
    if (scope.widgets.has(target.name)) return;
    const hint = didYouMean(target.name, scope.widgets.keys()) ?? "add a widget with this id, or point the exit at an existing one";
    report(diagnostic("unknownExitTarget", target.span, [label, target.name], hint));
  };
  if (flow.start !== undefined) check("start", flow.start.target);
  for (const widget of flow.widgets) {
    for (const exit of widgetExits(widget)) check(exit.label, exit.target);
  }
};

/** Settings and exits each widget kind cannot do without, reported on the widget id. */
export const requiredParts: Rule = ({ flow, report }) => {
  for (const w of flow.widgets) {
    const missing = (key: MessageKey, hint: string): void => {
      report(diagnostic(key, w.id.span, [w.id.name], hint));
    };
    switch (w.kind) {
      case "HttpWidget":
        if (w.method === undefined) missing("missingMethod", "add `method GET` (or POST, PUT, PATCH, DELETE)");
        if (w.url === undefined) missing("missingUrl", 'add `url "https://..."`');
        if (w.success === undefined) missing("missingSuccessExit", "add `success -> WIDGET`");
        if (w.fail === undefined) missing("missingFailExit", "add `fail -> WIDGET`");
        break;
      case "ConditionWidget":
        if (w.else === undefined) missing("missingElse", "add `else -> WIDGET` for when no branch matches");
        break;
      case "SetWidget":
        if (w.next === undefined) missing("missingNextExit", "add `next -> WIDGET`");
        break;
      case "SendWidget":
        if (w.message === undefined) missing("missingMessage", 'add `message "..."`');
        if (w.next === undefined) missing("missingNextExit", "add `next -> WIDGET`");
        break;
      case "RouteWidget":
        if (w.queue === undefined) missing("missingQueue", 'add `queue "QUEUE_NAME"`');
        break;
      case "EndWidget":
        break;
    }
  }
};

/** Widgets no path from `start` leads to. Skipped when `start` is missing or broken: that error explains it. */
export const unreachableWidgets: Rule = ({ flow, scope, report }) => {
  const first = flow.start === undefined ? undefined : scope.widgets.get(flow.start.target.name);
  if (first === undefined) return;
  const seen = new Set<Widget>([first]);
  const queue: Widget[] = [first];
  for (let widget = queue.pop(); widget !== undefined; widget = queue.pop()) {
    for (const exit of widgetExits(widget)) {
      const next = scope.widgets.get(exit.target.name);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  for (const widget of flow.widgets) {
    // A duplicate id is already an error, and no exit can tell it from the first.
    if (seen.has(widget) || scope.widgets.get(widget.id.name) !== widget) continue;
    report(diagnostic("unreachableWidget", widget.id.span, [widget.id.name], "no exit leads here: point an exit at it or remove it"));
  }
};

/** Settings the runtime takes as fixed text: queue names, content types and result header names. */
export const plainStrings: Rule = ({ flow, report }) => {
  const check = (value: StringLiteral | undefined, what: string): void => {
    const part = value?.parts.find((p) => p.kind === "Interpolation");
    if (part !== undefined) report(diagnostic("interpolationNotAllowed", part.span, [what], "write the text as it should be sent"));
  };
  for (const w of flow.widgets) {
    if (w.kind === "RouteWidget") check(w.queue?.value, "queue");
    if (w.kind !== "HttpWidget") continue;
    check(w.contentType?.value, "content_type");
    for (const m of w.results?.mappings ?? []) if (m.source.kind === "HeaderSource") check(m.source.name, "A result header name");
  }
};
