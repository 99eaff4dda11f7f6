// `callflow diff`: a semantic diff of two versions of a flow. It compares ASTs, never
// text, so layout, comments and redundant parentheses cannot show up as changes.
import { diffArrays } from "diff";
import pc from "picocolors";
import type { AnySetting, Declaration, Expr, Flow, KeyValue, Value, VarDecl, Widget } from "../grammar/ast.js";
import { assignmentsOf, branchesOf, exitName, exitsOf, settingsOf, specOf } from "../grammar/widgets.js";
import { printExpr, printString, printValueInline } from "../grammar/printer.js";

/** Shown instead of a value that is masked (a default or assignment of a `masked` variable). */
export const MASK = "••••";

export type DeclarationField = "scope" | "type" | "masked" | "default";

/** One semantic change. Values are printed as in source, single-line; masked ones as {@link MASK}. */
export type FlowChange =
  | { readonly kind: "flow-renamed"; readonly old: string; readonly new: string }
  | { readonly kind: "flow-name-changed"; readonly old?: string; readonly new?: string }
  | { readonly kind: "start-changed"; readonly old?: string; readonly new?: string }
  | { readonly kind: "declaration-added"; readonly name: string; readonly declaration: string }
  | { readonly kind: "declaration-removed"; readonly name: string; readonly declaration: string }
  | {
      readonly kind: "declaration-changed";
      readonly name: string;
      readonly field: DeclarationField;
      readonly old?: string;
      readonly new?: string;
    }
  | { readonly kind: "secret-added"; readonly name: string }
  | { readonly kind: "secret-removed"; readonly name: string }
  | {
      readonly kind: "widget-added" | "widget-removed";
      readonly widget: string;
      readonly widgetKind: string;
      readonly displayName?: string;
      /** The widget's settings and exits, one `key: value` line each. */
      readonly settings: readonly string[];
    }
  | {
      readonly kind: "widget-renamed";
      readonly old: string;
      readonly new: string;
      readonly widgetKind: string;
      /** How many exits (and `start`) pointed at the old id and now follow the new one. */
      readonly references: number;
    }
  | {
      /** A setting added (no `old`), removed (no `new`) or changed, in a widget named by its new id. */
      readonly kind: "setting-changed";
      readonly widget: string;
      readonly widgetKind: string;
      readonly setting: string;
      readonly old?: string;
      readonly new?: string;
    }
  | {
      /** An exit added, removed or rewired; `old` targets are given by their new ids when renamed. */
      readonly kind: "exit-changed";
      readonly widget: string;
      readonly widgetKind: string;
      readonly exit: string;
      readonly old?: string;
      readonly new?: string;
    };

// ---------------------------------------------------------------- canonical values

/** Comparison key of a value: numbers by value, so `1.50` and `1.5` are the same. */
function valueKey(value: Value): string {
  switch (value.kind) {
    case "Number":
      return String(value.value);
    case "Object":
      return `{${value.entries.map((e) => `${printString(e.key.value)}:${valueKey(e.value)}`).join(",")}}`;
    case "Array":
      return `[${value.items.map(valueKey).join(",")}]`;
    default:
      return printValueInline(value);
  }
}

function exprKey(expr: Expr): string {
  switch (expr.kind) {
    case "Binary":
      return `(${exprKey(expr.left)} ${expr.op} ${exprKey(expr.right)})`;
    case "Not":
      return `(not ${exprKey(expr.operand)})`;
    case "Length":
      return `${expr.target.name}.length`;
    default:
      return valueKey(expr);
  }
}

interface Entry {
  /** What is compared. */
  readonly key: string;
  /** What is shown. */
  readonly show: string;
}

const entry = (key: string, show: string = key): Entry => ({ key, show });

function valueEntry(value: Value, hidden: boolean): Entry {
  return { key: valueKey(value), show: hidden ? MASK : printValueInline(value) };
}

/** Adds `name`, or `name #2`, `name #3` for repeats, so duplicates stay distinguishable. */
function put(map: Map<string, Entry>, name: string, value: Entry): void {
  let key = name;
  for (let n = 2; map.has(key); n++) key = `${name} #${n}`;
  map.set(key, value);
}

function keyName(kv: KeyValue): string {
  return kv.key.quoted && !/^[A-Za-z_][\w-]*$/.test(kv.key.name) ? printString(kv.key.name) : kv.key.name;
}

/** Object entries become `prefix.key` settings so that one changed field shows as one change. */
function putValue(map: Map<string, Entry>, name: string, value: Value): void {
  if (value.kind === "Object" && value.entries.length > 0) {
    for (const e of value.entries) {
      const key = /^[A-Za-z_][\w-]*$/.test(e.key.value) ? e.key.value : printString(e.key.value);
      putValue(map, `${name}.${key}`, e.value);
    }
    return;
  }
  put(map, name, valueEntry(value, false));
}

/** One setting's comparable entries, keyed by a readable path under its keyword. */
function putSetting(map: Map<string, Entry>, setting: AnySetting): void {
  const name = setting.keyword;
  switch (setting.valueKind) {
    case "method":
      map.set(name, entry(setting.value.name));
      return;
    case "value":
      map.set(name, valueEntry(setting.value, false));
      return;
    case "string":
    case "plainString":
      map.set(name, entry(printString(setting.value.value)));
      return;
    case "count":
      map.set(name, { key: String(setting.value.value), show: setting.value.raw });
      return;
    case "duration":
      map.set(name, { key: `${setting.value.ms}ms`, show: setting.value.raw });
      return;
    case "flag":
      map.set(name, entry(String(setting.value.value)));
      return;
    case "keyValues":
      for (const kv of setting.value.entries) put(map, `${name}.${keyName(kv)}`, valueEntry(kv.value, false));
      return;
    case "body": {
      const body = setting.value;
      if (body.kind === "JsonBody") {
        if (body.value.kind === "Object" && body.value.entries.length > 0) {
          map.set(name, entry("json"));
          putValue(map, name, body.value);
        } else {
          map.set(name, { key: `json ${valueKey(body.value)}`, show: `json ${printValueInline(body.value)}` });
        }
      } else if (body.kind === "FormBody") {
        map.set(name, entry("form"));
        for (const kv of body.entries) put(map, `${name}.${keyName(kv)}`, valueEntry(kv.value, false));
      } else {
        map.set(name, entry(`text ${printString(body.value.value)}`));
      }
      return;
    }
    case "results":
      for (const m of setting.value.mappings) {
        const source =
          m.source.kind === "StatusSource"
            ? "status"
            : m.source.kind === "HeaderSource"
              ? `header ${printString(m.source.name.value)}`
              : printString(m.source.path.value);
        put(map, `${name}.${m.target.name}`, entry(source));
      }
      return;
  }
}

/** Every setting of a widget except its exits, keyed by a readable path, in the description's order. */
function settingsMap(widget: Widget, masked: ReadonlySet<string>): Map<string, Entry> {
  const map = new Map<string, Entry>();
  if (widget.displayName !== undefined) map.set("name", entry(printString(widget.displayName.value)));
  for (const a of assignmentsOf(widget))
    put(map, `set ${a.target.name}`, valueEntry(a.value, masked.has(a.target.name)));
  const settings = settingsOf(widget);
  for (const spec of specOf(widget).settings) {
    const setting = settings[spec.keyword];
    if (setting !== undefined) putSetting(map, setting);
  }
  return map;
}

interface ExitInfo {
  readonly name: string;
  readonly target: string;
}

/** Plain exits (success, fail, next, else) and status exits (`on 404`); `when` branches are compared as a list. */
function plainExits(widget: Widget): ExitInfo[] {
  return exitsOf(widget).map((e) => ({ name: exitName(e), target: e.target.name }));
}

function allTargets(widget: Widget): string[] {
  return [...branchesOf(widget).map((b) => b.target.name), ...plainExits(widget).map((e) => e.target)];
}

/** What a widget is apart from its id and exits: two widgets with equal fingerprints are a rename. */
function fingerprint(widget: Widget, masked: ReadonlySet<string>): string {
  const settings = [...settingsMap(widget, masked)].map(([k, v]) => `${k}=${v.key}`);
  const branches = branchesOf(widget).map((b) => `when ${exprKey(b.condition)}`);
  return JSON.stringify([widget.kind, settings, branches]);
}

function describeSettings(widget: Widget, masked: ReadonlySet<string>): string[] {
  const lines = [...settingsMap(widget, masked)].filter(([k]) => k !== "name").map(([k, v]) => `${k}: ${v.show}`);
  for (const b of branchesOf(widget)) lines.push(`when ${printExpr(b.condition)} -> ${b.target.name}`);
  for (const e of plainExits(widget)) lines.push(`${e.name} -> ${e.target}`);
  return lines;
}

// ---------------------------------------------------------------- declarations

function declarationText(decl: VarDecl): string {
  const value = decl.default === undefined ? "" : ` = ${decl.masked ? MASK : printValueInline(decl.default)}`;
  return `${decl.scope} ${decl.name.name}: ${decl.type.name}${value}${decl.masked ? " masked" : ""}`;
}

function diffDeclarations(oldFlow: Flow, newFlow: Flow, changes: FlowChange[]): void {
  const vars = (flow: Flow): Map<string, VarDecl> =>
    new Map(flow.declarations.filter((d): d is VarDecl => d.kind === "VarDecl").map((d) => [d.name.name, d]));
  const secrets = (decls: readonly Declaration[]): string[] =>
    decls.filter((d) => d.kind === "SecretDecl").map((d) => d.name.name);
  const oldVars = vars(oldFlow);
  const newVars = vars(newFlow);

  for (const [name, decl] of oldVars) {
    if (!newVars.has(name)) changes.push({ kind: "declaration-removed", name, declaration: declarationText(decl) });
  }
  for (const [name, decl] of newVars) {
    const before = oldVars.get(name);
    if (before === undefined) {
      changes.push({ kind: "declaration-added", name, declaration: declarationText(decl) });
      continue;
    }
    const field = (f: DeclarationField, oldValue: string | undefined, newValue: string | undefined): void => {
      changes.push({
        kind: "declaration-changed",
        name,
        field: f,
        ...(oldValue === undefined ? {} : { old: oldValue }),
        ...(newValue === undefined ? {} : { new: newValue }),
      });
    };
    if (before.scope !== decl.scope) field("scope", before.scope, decl.scope);
    if (before.type.name !== decl.type.name) field("type", before.type.name, decl.type.name);
    if (before.masked !== decl.masked) field("masked", String(before.masked), String(decl.masked));
    const oldDefault = before.default === undefined ? undefined : valueEntry(before.default, before.masked);
    const newDefault = decl.default === undefined ? undefined : valueEntry(decl.default, decl.masked);
    if (oldDefault?.key !== newDefault?.key) field("default", oldDefault?.show, newDefault?.show);
  }

  const oldSecrets = new Set(secrets(oldFlow.declarations));
  const newSecrets = new Set(secrets(newFlow.declarations));
  for (const name of oldSecrets) if (!newSecrets.has(name)) changes.push({ kind: "secret-removed", name });
  for (const name of newSecrets) if (!oldSecrets.has(name)) changes.push({ kind: "secret-added", name });
}

// ---------------------------------------------------------------- widgets

const maskedNames = (flow: Flow): Set<string> =>
  new Set(flow.declarations.filter((d): d is VarDecl => d.kind === "VarDecl" && d.masked).map((d) => d.name.name));

/** First widget per id, in source order (duplicates are a validation error). */
function widgetsById(flow: Flow): Map<string, Widget> {
  const map = new Map<string, Widget>();
  for (const w of flow.widgets) if (!map.has(w.id.name)) map.set(w.id.name, w);
  return map;
}

/**
 * Pairs widgets by id (same kind), then pairs the rest as renames when everything but the
 * id and exits is equal. Returns old id -> new id for every paired widget.
 */
function matchWidgets(
  oldFlow: Flow,
  newFlow: Flow,
  oldMasked: ReadonlySet<string>,
  newMasked: ReadonlySet<string>,
): Map<string, string> {
  const oldWidgets = widgetsById(oldFlow);
  const newWidgets = widgetsById(newFlow);
  const pairs = new Map<string, string>();
  for (const [id, w] of oldWidgets) {
    if (newWidgets.get(id)?.kind === w.kind) pairs.set(id, id);
  }
  const pairedNew = new Set(pairs.values());
  const unpairedNew = [...newWidgets.values()].filter((w) => !pairedNew.has(w.id.name));
  const exitsKey = (w: Widget, map: (id: string) => string): string => JSON.stringify(allTargets(w).map(map));
  for (const [id, w] of oldWidgets) {
    if (pairs.has(id)) continue;
    const print = fingerprint(w, oldMasked);
    const candidates = unpairedNew.filter((n) => fingerprint(n, newMasked) === print);
    if (candidates.length === 0) continue;
    // Among identical candidates, prefer the one whose exits lead to the same places.
    const oldExits = exitsKey(w, (target) => pairs.get(target) ?? target);
    const chosen = candidates.find((n) => exitsKey(n, (target) => target) === oldExits) ?? candidates[0];
    if (chosen === undefined) continue;
    pairs.set(id, chosen.id.name);
    unpairedNew.splice(unpairedNew.indexOf(chosen), 1);
  }
  return pairs;
}

function diffWidget(
  before: Widget,
  after: Widget,
  follow: (oldTarget: string) => string,
  oldMasked: ReadonlySet<string>,
  newMasked: ReadonlySet<string>,
  changes: FlowChange[],
): void {
  const widget = after.id.name;
  const widgetKind = specOf(after).keyword;
  const setting = (name: string, oldValue: string | undefined, newValue: string | undefined): void => {
    changes.push({
      kind: "setting-changed",
      widget,
      widgetKind,
      setting: name,
      ...(oldValue === undefined ? {} : { old: oldValue }),
      ...(newValue === undefined ? {} : { new: newValue }),
    });
  };
  const exit = (name: string, oldTarget: string | undefined, newTarget: string | undefined): void => {
    changes.push({
      kind: "exit-changed",
      widget,
      widgetKind,
      exit: name,
      ...(oldTarget === undefined ? {} : { old: oldTarget }),
      ...(newTarget === undefined ? {} : { new: newTarget }),
    });
  };

  const oldSettings = settingsMap(before, oldMasked);
  const newSettings = settingsMap(after, newMasked);
  for (const [name, value] of oldSettings) {
    const now = newSettings.get(name);
    if (now === undefined) setting(name, value.show, undefined);
    else if (now.key !== value.key) setting(name, value.show, now.show);
  }
  for (const [name, value] of newSettings) if (!oldSettings.has(name)) setting(name, undefined, value.show);

  // Widgets are paired with their own kind, so both have branches or neither has.
  const oldBranches = branchesOf(before);
  const newBranches = branchesOf(after);
  if (oldBranches.length > 0 || newBranches.length > 0) {
    const oldKeys = oldBranches.map((b) => exprKey(b.condition));
    const newKeys = newBranches.map((b) => exprKey(b.condition));
    let oi = 0;
    let ni = 0;
    const parts = diffArrays(oldKeys, newKeys);
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p];
      if (part === undefined) continue;
      const next = parts[p + 1];
      if (part.removed && next?.added === true) {
        // A replaced run: pair branch by branch, so an edited condition reads as one change.
        const paired = Math.min(part.count, next.count);
        for (let i = 0; i < Math.max(part.count, next.count); i++) {
          const o = i < part.count ? oldBranches[oi + i] : undefined;
          const n = i < next.count ? newBranches[ni + i] : undefined;
          if (o !== undefined && n !== undefined && i < paired) {
            setting(`when #${ni + i + 1}`, printExpr(o.condition), printExpr(n.condition));
            if (follow(o.target.name) !== n.target.name)
              exit(`when ${printExpr(n.condition)}`, follow(o.target.name), n.target.name);
          } else if (o !== undefined) {
            exit(`when ${printExpr(o.condition)}`, follow(o.target.name), undefined);
          } else if (n !== undefined) {
            exit(`when ${printExpr(n.condition)}`, undefined, n.target.name);
          }
        }
        oi += part.count;
        ni += next.count;
        p++;
      } else if (part.removed) {
        for (const o of oldBranches.slice(oi, oi + part.count))
          exit(`when ${printExpr(o.condition)}`, follow(o.target.name), undefined);
        oi += part.count;
      } else if (part.added) {
        for (const n of newBranches.slice(ni, ni + part.count))
          exit(`when ${printExpr(n.condition)}`, undefined, n.target.name);
        ni += part.count;
      } else {
        for (let i = 0; i < part.count; i++) {
          const o = oldBranches[oi + i];
          const n = newBranches[ni + i];
          if (o !== undefined && n !== undefined && follow(o.target.name) !== n.target.name) {
            exit(`when ${printExpr(n.condition)}`, follow(o.target.name), n.target.name);
          }
        }
        oi += part.count;
        ni += part.count;
      }
    }
  }

  const oldExits = new Map(plainExits(before).map((e) => [e.name, follow(e.target)]));
  const newExits = new Map(plainExits(after).map((e) => [e.name, e.target]));
  for (const [name, target] of oldExits) {
    if (newExits.get(name) !== target) exit(name, target, newExits.get(name));
  }
  for (const [name, target] of newExits) if (!oldExits.has(name)) exit(name, undefined, target);
}

/** The semantic changes from `oldFlow` to `newFlow`, in a stable order. Empty when they mean the same. */
export function diffFlows(oldFlow: Flow, newFlow: Flow): FlowChange[] {
  const changes: FlowChange[] = [];
  if (oldFlow.id.name !== newFlow.id.name)
    changes.push({ kind: "flow-renamed", old: oldFlow.id.name, new: newFlow.id.name });
  if (oldFlow.displayName?.value !== newFlow.displayName?.value) {
    changes.push({
      kind: "flow-name-changed",
      ...(oldFlow.displayName === undefined ? {} : { old: printString(oldFlow.displayName.value) }),
      ...(newFlow.displayName === undefined ? {} : { new: printString(newFlow.displayName.value) }),
    });
  }

  const oldMasked = maskedNames(oldFlow);
  const newMasked = maskedNames(newFlow);
  const pairs = matchWidgets(oldFlow, newFlow, oldMasked, newMasked);
  const follow = (target: string): string => pairs.get(target) ?? target;

  const oldStart = oldFlow.start === undefined ? undefined : follow(oldFlow.start.target.name);
  const newStart = newFlow.start?.target.name;
  if (oldStart !== newStart) {
    changes.push({
      kind: "start-changed",
      ...(oldStart === undefined ? {} : { old: oldStart }),
      ...(newStart === undefined ? {} : { new: newStart }),
    });
  }

  diffDeclarations(oldFlow, newFlow, changes);

  const oldWidgets = widgetsById(oldFlow);
  const newToOld = new Map([...pairs].map(([o, n]) => [n, o]));
  for (const [id, w] of oldWidgets) {
    if (pairs.has(id)) continue;
    changes.push({
      kind: "widget-removed",
      widget: id,
      widgetKind: specOf(w).keyword,
      ...(w.displayName === undefined ? {} : { displayName: w.displayName.value }),
      settings: describeSettings(w, oldMasked),
    });
  }
  const newWidgets = widgetsById(newFlow);
  // Renames first: the changes after them name widgets by their new ids.
  for (const [id, w] of newWidgets) {
    const oldId = newToOld.get(id);
    if (oldId === undefined || oldId === id) continue;
    const references =
      oldFlow.widgets.flatMap(allTargets).filter((t) => t === oldId).length +
      (oldFlow.start?.target.name === oldId ? 1 : 0);
    changes.push({ kind: "widget-renamed", old: oldId, new: id, widgetKind: specOf(w).keyword, references });
  }
  for (const [id, w] of newWidgets) {
    const oldId = newToOld.get(id);
    const before = oldId === undefined ? undefined : oldWidgets.get(oldId);
    if (before === undefined) {
      changes.push({
        kind: "widget-added",
        widget: id,
        widgetKind: specOf(w).keyword,
        ...(w.displayName === undefined ? {} : { displayName: w.displayName.value }),
        settings: describeSettings(w, newMasked),
      });
    } else {
      diffWidget(before, w, follow, oldMasked, newMasked, changes);
    }
  }
  return changes;
}

// ---------------------------------------------------------------- rendering

export type DiffFormat = "text" | "json" | "markdown";
export const DIFF_FORMATS: readonly DiffFormat[] = ["text", "json", "markdown"];

/** The changes of one file. `oldPath`/`newPath` differ for `callflow diff OLD NEW` on two names. */
export interface FileDiff {
  readonly oldPath: string;
  readonly newPath: string;
  readonly status: "modified" | "added" | "removed";
  readonly changes: readonly FlowChange[];
}

type Paint = (text: string) => string;

interface Line {
  readonly sign: "+" | "-" | "~" | ">";
  readonly text: string;
  readonly details?: readonly string[];
}

/**
 * One change as a signed line. `code` marks text taken from the flow (names, values,
 * settings): plain in text output, a code span in Markdown so nothing in it is markup.
 */
function describe(change: FlowChange, code: Paint): Line {
  const show = (v: string | undefined): string => (v === undefined ? "(none)" : code(v));
  const fromTo = (o: string | undefined, n: string | undefined): string => `${show(o)} → ${show(n)}`;
  const sign = (o: string | undefined, n: string | undefined): Line["sign"] =>
    o === undefined ? "+" : n === undefined ? "-" : "~";
  // Added or removed, a setting or exit reads like its source line; changed, it shows both values.
  const entry = (label: string, separator: string, o: string | undefined, n: string | undefined): Line => ({
    sign: sign(o, n),
    text: `${code(label)}${separator}${o !== undefined && n !== undefined ? fromTo(o, n) : show(o ?? n)}`,
  });
  switch (change.kind) {
    case "flow-renamed":
      return { sign: ">", text: `flow ${code(change.old)} → ${code(change.new)}` };
    case "flow-name-changed":
      return { sign: sign(change.old, change.new), text: `flow display name: ${fromTo(change.old, change.new)}` };
    case "start-changed":
      return entry("start", " -> ", change.old, change.new);
    case "declaration-added":
      return { sign: "+", text: code(change.declaration) };
    case "declaration-removed":
      return { sign: "-", text: code(change.declaration) };
    case "declaration-changed":
      return { sign: "~", text: `${code(change.name)} ${change.field}: ${fromTo(change.old, change.new)}` };
    case "secret-added":
      return { sign: "+", text: code(`secret ${change.name}`) };
    case "secret-removed":
      return { sign: "-", text: code(`secret ${change.name}`) };
    case "widget-added":
    case "widget-removed": {
      const name = change.displayName === undefined ? "" : ` ${code(printString(change.displayName))}`;
      return {
        sign: change.kind === "widget-added" ? "+" : "-",
        text: `${change.widgetKind} ${code(change.widget)}${name}`,
        details: change.settings.map((s) => code(s)),
      };
    }
    case "widget-renamed": {
      const follow = change.references === 1 ? "1 exit follows" : `${change.references} exits follow`;
      return { sign: ">", text: `${change.widgetKind} ${code(change.old)} → ${code(change.new)} (${follow})` };
    }
    case "setting-changed":
      return entry(change.setting, ": ", change.old, change.new);
    case "exit-changed":
      return entry(change.exit, " -> ", change.old, change.new);
  }
}

/** Changes inside one widget carry its id; consecutive ones print under one heading. */
function widgetOf(change: FlowChange): { id: string; kind: string } | undefined {
  return change.kind === "setting-changed" || change.kind === "exit-changed"
    ? { id: change.widget, kind: change.widgetKind }
    : undefined;
}

function fileTitle(file: FileDiff): string {
  const base = file.oldPath === file.newPath ? file.newPath : `${file.oldPath} → ${file.newPath}`;
  return file.status === "modified" ? base : `${base} (${file.status === "added" ? "new file" : "deleted"})`;
}

function renderText(files: readonly FileDiff[], color: boolean): string {
  const c = pc.createColors(color);
  const paint: Record<Line["sign"], Paint> = { "+": c.green, "-": c.red, "~": c.yellow, ">": c.cyan };
  const out: string[] = [];
  for (const file of files) {
    out.push(c.bold(fileTitle(file)));
    if (file.changes.length === 0) {
      out.push("  no semantic changes");
      continue;
    }
    let group: string | undefined;
    for (const change of file.changes) {
      const line = describe(change, (s) => s);
      const owner = widgetOf(change);
      if (owner === undefined) {
        group = undefined;
        out.push(paint[line.sign](`  ${line.sign} ${line.sign === ">" ? "renamed " : ""}${line.text}`));
        for (const d of line.details ?? []) out.push(paint[line.sign](`      ${d}`));
        continue;
      }
      if (group !== owner.id) {
        group = owner.id;
        out.push(`  ${c.bold(`${owner.kind} ${owner.id}`)}`);
      }
      out.push(paint[line.sign](`    ${line.sign} ${line.sign === ">" ? "renamed " : ""}${line.text}`));
    }
  }
  return out.join("\n") + "\n";
}

/** A Markdown code span that survives backticks in the text. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

const MD_SIGN: Record<Line["sign"], string> = {
  "+": "**added**",
  "-": "**removed**",
  "~": "**changed**",
  ">": "**renamed**",
};

/** Markdown to put under a file's change list (a picture of the change), if any. */
export type FileAppendix = (file: FileDiff) => string | undefined;

function renderMarkdown(files: readonly FileDiff[], appendix?: FileAppendix): string {
  const out: string[] = [];
  for (const file of files) {
    if (out.length > 0) out.push("");
    out.push(`#### ${codeSpan(fileTitle(file))}`, "");
    if (file.changes.length === 0) {
      out.push("No semantic changes.");
      continue;
    }
    let group: string | undefined;
    for (const change of file.changes) {
      const line = describe(change, codeSpan);
      const owner = widgetOf(change);
      if (owner === undefined) {
        group = undefined;
        out.push(`- ${MD_SIGN[line.sign]} ${line.text}`);
        for (const d of line.details ?? []) out.push(`  - ${d}`);
        continue;
      }
      if (group !== owner.id) {
        group = owner.id;
        out.push(`- ${owner.kind} ${codeSpan(owner.id)}`);
      }
      out.push(`  - ${MD_SIGN[line.sign]} ${line.text}`);
    }
    const extra = appendix?.(file);
    if (extra !== undefined) out.push("", extra.trimEnd());
  }
  return out.join("\n") + "\n";
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const HTML_SIGN: Record<Line["sign"], string> = { "+": "added", "-": "removed", "~": "changed", ">": "renamed" };

/** One file's changes as an HTML heading and list, grouped by widget as in the other formats. */
export function htmlChangeList(file: FileDiff): string {
  const code = (text: string): string => `<code>${escapeHtml(text)}</code>`;
  const item = (line: Line): string => {
    const details = (line.details ?? []).map((d) => `<li>${d}</li>`).join("");
    return `<li class="${HTML_SIGN[line.sign]}"><strong>${HTML_SIGN[line.sign]}</strong> ${line.text}${details === "" ? "" : `<ul>${details}</ul>`}</li>`;
  };
  const out = [`<h2>${code(fileTitle(file))}</h2>`];
  if (file.changes.length === 0) return [...out, "<p>No semantic changes.</p>"].join("\n");
  out.push("<ul>");
  let group: string | undefined;
  for (const change of file.changes) {
    const line = describe(change, code);
    const owner = widgetOf(change);
    if (owner?.id !== group && group !== undefined) out.push("</ul></li>");
    if (owner === undefined) {
      group = undefined;
      out.push(item(line));
      continue;
    }
    if (group !== owner.id) {
      group = owner.id;
      out.push(`<li>${escapeHtml(owner.kind)} ${code(owner.id)}<ul>`);
    }
    out.push(item(line));
  }
  if (group !== undefined) out.push("</ul></li>");
  out.push("</ul>");
  return out.join("\n");
}

/**
 * Renders file diffs for people (`text`, colored when `color`), for pull-request comments
 * (`markdown`, with `appendix` under each file's changes) or for tools (`json`:
 * `{ changed, files: [{ oldPath, newPath, status, changes }] }`).
 */
export function renderDiff(
  files: readonly FileDiff[],
  format: DiffFormat,
  color = false,
  appendix?: FileAppendix,
): string {
  switch (format) {
    case "json":
      return JSON.stringify({ changed: files.some((f) => f.changes.length > 0), files }, null, 2) + "\n";
    case "markdown":
      return renderMarkdown(files, appendix);
    case "text":
      return renderText(files, color);
  }
}
