// Reading a widget through its description: its settings by keyword and its exits in order, so
// tools that treat every setting or exit alike need no switch on the widget kind.
import type {
  AnySetting,
  Assignment,
  Exit,
  ExitLabel,
  Identifier,
  ResultMapping,
  StatusExit,
  WhenBranch,
  Widget,
} from "./ast.js";
import { isTerminal, WIDGET_BY_KIND, type WidgetSpec } from "./language.js";

/** A labelled exit: one of the description's, or a status exit (`on 404 -> w`). */
export type AnyExit = Exit | StatusExit;

/** The description of a widget's kind. */
export function specOf(widget: Widget): WidgetSpec {
  // Every AST kind is built from a description entry.
  return WIDGET_BY_KIND.get(widget.kind) as WidgetSpec;
}

/** Whether the run ends at this widget (`route`, `end`): it has no way out. */
export function isTerminalWidget(widget: Widget): boolean {
  return isTerminal(specOf(widget));
}

/** A widget's settings by keyword. */
export function settingsOf(widget: Widget): Readonly<Record<string, AnySetting | undefined>> {
  return widget.settings;
}

/** How an exit is named in output and compared: `success`, `on 401, 403`. */
export function exitName(exit: AnyExit): string {
  return exit.kind === "StatusExit" ? `on ${exit.statuses.map((s) => s.text).join(", ")}` : exit.label;
}

/**
 * A widget's exits other than `when` branches in canonical order: its status exits as written,
 * then the description's exits.
 */
export function exitsOf(widget: Widget): AnyExit[] {
  const exits: Readonly<Record<string, Exit | undefined>> = widget.exits;
  const list: AnyExit[] = [...statusExitsOf(widget)];
  for (const spec of specOf(widget).exits) {
    const exit = exits[spec.label];
    if (exit !== undefined) list.push(exit);
  }
  return list;
}

/** The node of each kind of entries a description names (`entries`), which is also the AST field holding them. */
interface EntryNodes {
  readonly branches: WhenBranch;
  readonly assignments: Assignment;
  readonly statusExits: StatusExit;
}

function entriesOf<E extends keyof EntryNodes>(widget: Widget, entries: E): readonly EntryNodes[E][] {
  if (specOf(widget).entries !== entries) return [];
  // build-ast.ts stores a kind's entries in the field its description names.
  return (widget as unknown as Readonly<Record<E, readonly EntryNodes[E][]>>)[entries];
}

/** A widget's status exits (`on 404 -> w`); none for a kind without them. */
export function statusExitsOf(widget: Widget): readonly StatusExit[] {
  return entriesOf(widget, "statusExits");
}

/** A widget's `when` branches, in the order they are tried; none for a kind without them. */
export function branchesOf(widget: Widget): readonly WhenBranch[] {
  return entriesOf(widget, "branches");
}

/** A widget's assignments, in source order; none for a kind without them. */
export function assignmentsOf(widget: Widget): readonly Assignment[] {
  return entriesOf(widget, "assignments");
}

/**
 * Calls `visit` with each outgoing edge of a widget: `when` branches first, then its exits in
 * order, each with its node (a status exit's names its statuses).
 */
export function forEachExit(
  widget: Widget,
  visit: (label: ExitLabel, target: Identifier, exit?: AnyExit) => void,
): void {
  for (const branch of branchesOf(widget)) visit("when", branch.target);
  for (const exit of exitsOf(widget)) visit(exit.label, exit.target, exit);
}

/** The mappings of every `results`-kind setting of a widget (`results`, `error_results`), in order. */
export function resultMappingsOf(widget: Widget): ResultMapping[] {
  const settings = settingsOf(widget);
  return specOf(widget).settings.flatMap((spec) => {
    const setting = settings[spec.keyword];
    return setting?.valueKind === "results" ? setting.value.mappings : [];
  });
}
