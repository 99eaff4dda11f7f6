// Reading a widget through its description: its settings by keyword and its exits in order, so
// tools that treat every setting or exit alike need no switch on the widget kind.
import type { AnySetting, Exit, ExitLabel, Identifier, Widget } from "./ast.js";
import { WIDGET_BY_KIND, type WidgetSpec } from "./language.js";

/** The description of a widget's kind. */
export function specOf(widget: Widget): WidgetSpec {
  // Every AST kind is built from a description entry.
  return WIDGET_BY_KIND.get(widget.kind) as WidgetSpec;
}

/** A widget's settings by keyword. */
export function settingsOf(widget: Widget): Readonly<Record<string, AnySetting | undefined>> {
  return widget.settings;
}

/** A widget's exits other than `when` branches, in the description's order. */
export function exitsOf(widget: Widget): Exit[] {
  const exits: Readonly<Record<string, Exit | undefined>> = widget.exits;
  const list: Exit[] = [];
  for (const spec of specOf(widget).exits) {
    const exit = exits[spec.label];
    if (exit !== undefined) list.push(exit);
  }
  return list;
}

/** Calls `visit` with each outgoing edge of a widget: `when` branches first, then its exits in order. */
export function forEachExit(widget: Widget, visit: (label: ExitLabel, target: Identifier) => void): void {
  if (widget.kind === "ConditionWidget") for (const branch of widget.branches) visit("when", branch.target);
  for (const exit of exitsOf(widget)) visit(exit.label, exit.target);
}
