// Hover: what a name or keyword is, from the declarations and the language description. A masked
// variable's default and a secret's value are never shown: the first stays out of traces, the
// second is not in the flow at all.
import type { Hover } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { START_EXIT, type SettingSpec } from "../grammar/language.js";
import { printValueInline } from "../grammar/printer.js";
import { forEachExit, specOf } from "../grammar/widgets.js";
import { FORMAT_DESCRIPTIONS, HTTP_STEP, isCheckedType, type Bound } from "../runtime/contract.js";
import { occurrenceAt, type Analysis } from "./analysis.js";
import { rangeAt, touches } from "./positions.js";
import { keywordAt, widgetAt, widgetNamed } from "./syntax.js";
import { configValues } from "./environments.js";
import { budgetHover } from "./time-budget.js";
import type { Project } from "../project/project-file.js";

/** `project`: the flow's callflow.json, whose environments a config's hover lists. */
export function hover(analysis: Analysis, document: TextDocument, offset: number, project?: Project): Hover | null {
  const markdown = (value: string, start: number, length: number): Hover => ({
    contents: { kind: "markdown", value },
    range: rangeAt(document, start, start + length),
  });
  const occurrence = occurrenceAt(analysis, offset);
  if (occurrence !== undefined) {
    const text = describeName(analysis, occurrence.name, occurrence.namespace, project);
    return markdown(text, occurrence.offset, occurrence.length);
  }
  const start = analysis.flow?.start;
  if (start !== undefined && touches({ offset: start.span.offset, length: START_EXIT.label.length }, offset))
    return markdown(`**start**\n\n${START_EXIT.doc}`, start.span.offset, START_EXIT.label.length);
  const widget = widgetAt(analysis.flow, offset);
  if (widget === undefined) return null;
  const keyword = keywordAt(widget, analysis.text, offset);
  if (keyword === undefined) return null;
  switch (keyword.kind) {
    case "widget":
      return markdown(`**${keyword.spec.keyword}** widget\n\n${keyword.spec.doc}`, keyword.offset, keyword.length);
    case "exit":
      return markdown(`**${keyword.spec.label}** exit\n\n${keyword.spec.doc}`, keyword.offset, keyword.length);
    case "setting":
      return markdown(settingDoc(keyword.spec), keyword.offset, keyword.length);
  }
}

function describeName(
  analysis: Analysis,
  name: string,
  namespace: "widget" | "declaration",
  project: Project | undefined,
): string {
  if (namespace === "widget") {
    const widget = widgetNamed(analysis.flow, name);
    if (widget === undefined) return `\`${name}\`: no widget has this id`;
    const spec = specOf(widget);
    const title = widget.displayName === undefined ? "" : ` "${widget.displayName.value}"`;
    const exits: string[] = [];
    forEachExit(widget, (label, target) => exits.push(`\`${label} -> ${target.name}\``));
    const lines = [`**${spec.keyword}** \`${name}\`${title}`, spec.doc];
    lines.push(exits.length === 0 ? "No exits: the flow ends here." : `Exits: ${exits.join(", ")}`);
    const budget = budgetHover(analysis.flow, name);
    if (budget !== undefined) lines.push(budget);
    return lines.join("\n\n");
  }
  const decl = analysis.scope?.declarations.get(name);
  if (decl === undefined) return `\`${name}\` is not declared`;
  if (decl.kind === "SecretDecl")
    return [
      `**secret** \`${name}\``,
      "Its value comes from the runtime's secret provider when the flow runs " +
        `(\`callflow run\` reads \`CALLFLOW_SECRET_${name}\`); it is never written in the flow and hidden in traces.`,
    ].join("\n\n");
  const lines = [`**${decl.scope}** \`${name}\`: \`${decl.type.name}\`${decl.masked ? " (masked)" : ""}`];
  if (isCheckedType(decl.type.name))
    lines.push(`Checked where a value arrives: ${FORMAT_DESCRIPTIONS[decl.type.name]}.`);
  if (decl.masked) lines.push("Masked: its value is hidden in traces and logs.");
  if (decl.default !== undefined)
    lines.push(decl.masked ? "Default: (masked)" : `Default: \`${printValueInline(decl.default)}\``);
  else if (decl.scope === "config") {
    lines.push("Config: the environment's value (callflow.json), read-only, never run input.");
    const values = configValues(decl, project);
    if (values !== undefined) lines.push(values);
  } else lines.push(decl.scope === "global" ? "No default: the caller passes it." : "No default.");
  return lines.join("\n\n");
}

/** A setting's documentation, with its bounds and default from the runtime's contract. */
export function settingDoc(spec: SettingSpec): string {
  const lines = [`**${spec.keyword}** setting`, spec.doc];
  const bounds = boundsOf(spec);
  if (bounds !== undefined) lines.push(bounds);
  lines.push(`Example: \`${spec.example}\``);
  return lines.join("\n\n");
}

/** A setting's bounds and default, read from the runtime's contract by the step field it fills. */
function boundsOf(spec: SettingSpec): string | undefined {
  const contracts: Readonly<Record<string, Bound<number> | { readonly default: boolean }>> = HTTP_STEP;
  const contract = spec.field === undefined ? undefined : contracts[spec.field];
  if (contract === undefined) return undefined;
  if (!("max" in contract)) return `Left out: ${String(contract.default)}.`;
  const unit = contract.unit === "" ? "" : ` ${contract.unit}`;
  const least = Math.max(contract.min, spec.least ?? contract.min);
  return `From ${least}${unit} to ${contract.max}${unit}; left out: ${contract.default}${unit}.`;
}
