// The shape of the flow: a start, required settings and exits, unique widget ids, and
// exits that point at widgets that exist.
import type { Identifier, StringLiteral, Widget } from "../../grammar/ast.js";
import { diagnostic } from "../../grammar/diagnostics.js";
import type { MessageKey } from "../../grammar/diagnostics.js";
import { didYouMean, forEachExit } from "../scope.js";
import type { Rule } from "./context.js";

export const missingStart: Rule = ({ flow, report }) => {
  if (flow.start === undefined) {
    report(diagnostic("missingStart", flow.id.span, [flow.id.name], "add `start -> WIDGET` to name the first widget"));
  }
  return {};
};

export const duplicateWidgets: Rule = ({ scope, report }) => {
  for (const { widget, first } of scope.duplicateWidgets) {
    report(
      diagnostic(
        "duplicateWidget",
        widget.id.span,
        [widget.id.name],
        `first declared on line ${first.id.span.line}; rename one of them`,
      ),
    );
  }
  return {};
};

export const unknownExitTargets: Rule = ({ flow, scope, suggestions, report }) => {
  const check = (label: string, target: Identifier): void => {
    if (scope.widgetIndex.has(target.name)) return;
    const hint =
      didYouMean(target.name, scope.widgetIndex.keys(), suggestions) ??
      "add a widget with this id, or point the exit at an existing one";
    report(diagnostic("unknownExitTarget", target.span, [label, target.name], hint));
  };
  if (flow.start !== undefined) check("start", flow.start.target);
  return { widget: (widget) => forEachExit(widget, check) };
};

/** Settings and exits each widget kind cannot do without, reported on the widget id. */
export const requiredParts: Rule = ({ report }) => ({
  widget(w) {
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

/** Settings the runtime takes as fixed text: queue names, content types and result header names. */
export const plainStrings: Rule = ({ report }) => {
  const check = (value: StringLiteral | undefined, what: string): void => {
    const part = value?.parts.find((p) => p.kind === "Interpolation");
    if (part !== undefined)
      report(diagnostic("interpolationNotAllowed", part.span, [what], "write the text as it should be sent"));
  };
  return {
    widget(w) {
      if (w.kind === "RouteWidget") check(w.queue?.value, "queue");
    },
    http(w) {
      check(w.contentType?.value, "content_type");
      for (const m of w.results?.mappings ?? [])
        if (m.source.kind === "HeaderSource") check(m.source.name, "A result header name");
    },
  };
};
