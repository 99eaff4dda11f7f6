// Finding the parts of a flow under the cursor: the widget, and the keyword of a setting, an exit
// or the widget itself, read through the language description.
import type { AnySetting, Exit, Flow, VarDecl, Widget } from "../grammar/ast.js";
import type { ExitSpec, SettingSpec, WidgetSpec } from "../grammar/language.js";
import { exitsOf, settingsOf, specOf } from "../grammar/widgets.js";
import { touches } from "./positions.js";

/** The widget whose text holds the offset. */
export function widgetAt(flow: Flow | undefined, offset: number): Widget | undefined {
  return flow?.widgets.find((w) => touches(w.span, offset));
}

/** The first widget with an id. */
export function widgetNamed(flow: Flow | undefined, name: string): Widget | undefined {
  return flow?.widgets.find((w) => w.id.name === name);
}

/** The first variable declaration of a name. */
export function variableNamed(flow: Flow | undefined, name: string): VarDecl | undefined {
  return flow?.declarations.find((d): d is VarDecl => d.kind === "VarDecl" && d.name.name === name);
}

export type KeywordAt =
  | { readonly kind: "widget"; readonly spec: WidgetSpec; readonly offset: number; readonly length: number }
  | {
      readonly kind: "setting";
      readonly spec: SettingSpec;
      readonly setting: AnySetting;
      readonly offset: number;
      readonly length: number;
    }
  | {
      readonly kind: "exit";
      readonly spec: ExitSpec;
      readonly exit: Exit;
      readonly offset: number;
      readonly length: number;
    };

/** The widget keyword, setting keyword or exit label under the cursor, inside `widget`. */
export function keywordAt(widget: Widget, text: string, offset: number): KeywordAt | undefined {
  const spec = specOf(widget);
  if (
    text.startsWith(spec.keyword, widget.span.offset) &&
    touches({ offset: widget.span.offset, length: spec.keyword.length }, offset)
  )
    return { kind: "widget", spec, offset: widget.span.offset, length: spec.keyword.length };
  const settings = settingsOf(widget);
  for (const settingSpec of spec.settings) {
    const setting = settings[settingSpec.keyword];
    const keyword = { offset: setting?.span.offset ?? -1, length: settingSpec.keyword.length };
    if (setting !== undefined && touches(keyword, offset))
      return { kind: "setting", spec: settingSpec, setting, ...keyword };
  }
  for (const exit of exitsOf(widget)) {
    const keyword = { offset: exit.span.offset, length: exit.label.length };
    const exitSpec = spec.exits.find((e) => e.label === exit.label);
    if (exitSpec !== undefined && touches(keyword, offset)) return { kind: "exit", spec: exitSpec, exit, ...keyword };
  }
  return undefined;
}
