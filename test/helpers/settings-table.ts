// The settings and exits tables of docs/language.md, made from the language description and the
// runtime's contract, so the docs cannot drift from either (test/docs.test.ts compares them).
import { START_EXIT, STATUS_EXIT, WIDGET_SPECS, type SettingSpec, type ValueKind } from "../../grammar/language.js";
import { messages } from "../../grammar/diagnostics.js";
import { HTTP_METHODS, HTTP_STEP, type Bound } from "../../runtime/contract.js";

const WRITTEN: Readonly<Record<ValueKind, string>> = {
  method: HTTP_METHODS.map((m) => `\`${m}\``).join(", "),
  value: "a value",
  string: "a string",
  plainString: "a plain string (no `{{…}}`)",
  count: "a whole number",
  duration: "a duration",
  flag: "`true` or `false`",
  keyValues: "`{ key = value … }`",
  body: "`json VALUE`, `form { … }` or `text STRING`",
  results: "`{ SOURCE -> NAME … }`",
};

function duration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function contractOf(spec: SettingSpec): Bound<number> | { readonly default: boolean } | undefined {
  return spec.field === undefined
    ? undefined
    : (HTTP_STEP as Readonly<Record<string, Bound<number> | { readonly default: boolean }>>)[spec.field];
}

function bounds(spec: SettingSpec): string {
  const contract = contractOf(spec);
  if (contract === undefined || !("max" in contract)) return "";
  const least = Math.max(contract.min, spec.least ?? contract.min);
  return spec.value === "duration" ? `${duration(least)} to ${duration(contract.max)}` : `${least} to ${contract.max}`;
}

function defaultOf(spec: SettingSpec): string {
  const contract = contractOf(spec);
  if (contract === undefined) return "";
  if (spec.value === "duration" && typeof contract.default === "number") return `${duration(contract.default)}`;
  return `${String(contract.default)}`;
}

export function settingsTable(): string {
  const rows = WIDGET_SPECS.flatMap((w) =>
    w.settings.map(
      (s) =>
        `| \`${w.keyword}\` | \`${s.keyword}\` | ${WRITTEN[s.value]} | ${bounds(s)} | ${defaultOf(s)} | ${s.required === undefined ? "" : "yes"} | ${s.doc} |`,
    ),
  );
  return [
    "| widget | setting | written as | bounds | default | required | what it does |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

export function exitsTable(): string {
  const rows = [
    `| \`flow\` | \`${START_EXIT.label}\` | yes | ${START_EXIT.doc} |`,
    ...WIDGET_SPECS.flatMap((w) => [
      ...(w.entries === "branches" ? [`| \`${w.keyword}\` | \`when\` |  | Taken when its condition holds. |`] : []),
      ...(w.entries === "statusExits"
        ? [`| \`${w.keyword}\` | \`${STATUS_EXIT.label} STATUS\` |  | ${STATUS_EXIT.doc} |`]
        : []),
      ...w.exits.map(
        (e) => `| \`${w.keyword}\` | \`${e.label}\` | ${e.required === undefined ? "" : "yes"} | ${e.doc} |`,
      ),
    ]),
  ];
  return ["| widget | exit | required | taken when |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const FAMILY = { flows: ["CF1", "CF2"], tests: ["CF3"], project: ["CF4"] } as const;

/** The diagnostics catalogue as a table, in code order: the flow language's codes, CF3xxx of test files, or CF4xxx of callflow.json. */
export function diagnosticsTable(codes: keyof typeof FAMILY = "flows"): string {
  const rows = Object.values(messages)
    .filter((m) => FAMILY[codes].some((prefix: string) => m.code.startsWith(prefix)))
    .toSorted((a, b) => (a.code < b.code ? -1 : 1))
    .map((m) => `| ${m.code} | ${m.severity} | ${m.text.replaceAll("|", "\\|")} |`);
  return ["| code | severity | message |", "| --- | --- | --- |", ...rows].join("\n");
}
