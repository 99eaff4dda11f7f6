// Emits one validated flow as a TypeScript module (or as JavaScript plus declarations).
// Modules are printed as text by `Lines`; the `.d.ts` of `--emit js`, typed declarations only,
// is ts-morph structures printed with `printStructure` (no Project, no parsing, no formatting
// pass). The type declarations are writer functions that write to either, so a module's types
// and its `.d.ts` are the same text. ts-morph is loaded only for a `.d.ts`: its bundled
// TypeScript takes about half a second to load, and its writer, code-block-writer, scans every
// character to guess where strings and comments are. That cost 40% of compile time when it
// printed the flow value (bench/compile.ts), misread `"\\"` as an unterminated string and
// "repaired" the code after it; with the types and the run function it still made compiling
// 1,000 flows in a whole process 1.5x as slow (bench/README.md, "Compile").
//
// Every string that comes from the .flow file reaches the output through `stringLiteral`
// (code) or `commentText` (comments), so no input can become code or end a comment.
import { createRequire } from "node:module";
import type { StatementStructures, WriterFunction } from "ts-morph";
import type {
  Exit,
  Expr,
  Flow,
  HttpWidget,
  KeyValue,
  ResultMapping,
  SetWidget,
  StringLiteral,
  Value,
  VarDecl,
  Widget,
} from "../grammar/ast.js";
import type { WidgetSpec } from "../grammar/language.js";
import { visit, type AstNode } from "../grammar/visitor.js";
import { settingsOf, specOf } from "../grammar/widgets.js";
import type { VarType } from "../runtime/contract.js";
import { printExpr } from "../grammar/printer.js";
import { readExpression, simplePath } from "./jsonpath-compile.js";
import { commentText, moduleNames, propertyAccess, propertyKey, stringLiteral, type ModuleNames } from "./names.js";

type TsMorph = typeof import("ts-morph");
let loadedTsMorph: TsMorph | undefined;

/** ts-morph, loaded on the first `.d.ts`: nothing else pays for it. */
function tsMorph(): TsMorph {
  // A synchronous require keeps `compile()` synchronous; ts-morph is a CommonJS package.
  loadedTsMorph ??= createRequire(import.meta.url)("ts-morph") as TsMorph;
  return loadedTsMorph;
}

export interface EmitOptions {
  /** The .flow file as named in headers, comments and `source` fields: relative, POSIX. */
  readonly file: string;
  readonly runtimeImport: string;
  /** `ts`: the module; `js` and `dts`: the same module as JavaScript and as declarations. */
  readonly kind: "ts" | "js" | "dts";
}

type Helper = "toText" | "encodeSegment" | "prop";

/** Which builder parameters a generated function reads, so unused ones are left out. */
interface Uses {
  v: boolean;
  s: boolean;
}

/** Code for a JSON value: a leaf, or a bracketed list printed inline when short and one item per line otherwise. */
type Code = string | { readonly open: string; readonly items: readonly Code[]; readonly close: string };

const INLINE_WIDTH = 72;

function inline(code: Code): string {
  if (typeof code === "string") return code;
  if (code.items.length === 0) return code.open + code.close;
  const inner = code.items.map(inline).join(", ");
  return code.open === "{" ? `{ ${inner} }` : `${code.open}${inner}${code.close}`;
}

/** What the type declarations are written to: `Lines` in a module, ts-morph's writer in a `.d.ts`. */
interface DeclarationWriter {
  blankLineIfLastNot(): unknown;
  writeLine(text: string): unknown;
  indent(block: () => void): unknown;
}

/** Lines of text with two-space indentation, for modules (the flow value, the types). */
class Lines {
  private readonly lines: string[] = [];
  private current = "";
  private depth = 0;
  private lineDepth = 0;

  write(text: string): this {
    if (this.current === "") this.lineDepth = this.depth;
    this.current += text;
    return this;
  }

  newLine(): this {
    this.lines.push(this.current === "" ? "" : "  ".repeat(this.lineDepth) + this.current);
    this.current = "";
    return this;
  }

  writeLine(text: string): this {
    return this.write(text).newLine();
  }

  indent(block: () => void): void {
    this.depth++;
    block();
    this.depth--;
  }

  blankLineIfLastNot(): this {
    if (this.current !== "") this.newLine();
    if (this.lines.length > 0 && this.lines.at(-1) !== "") this.lines.push("");
    return this;
  }

  toString(): string {
    return [...this.lines, this.current].join("\n");
  }
}

function writeCode(w: Lines, code: Code, suffix: string): void {
  const text = inline(code);
  if (typeof code === "string" || text.length <= INLINE_WIDTH) {
    w.write(text + suffix);
    return;
  }
  w.write(code.open).newLine();
  w.indent(() => {
    for (const item of code.items) {
      writeCode(w, item, ",");
      w.newLine();
    }
  });
  w.write(code.close + suffix);
}

// Condition code carries its precedence so parentheses are added only where needed.
const Prec = { Conditional: 0, Or: 1, And: 2, Equality: 3, Relational: 4, Additive: 5, Unary: 6, Primary: 7 } as const;
type Prec = (typeof Prec)[keyof typeof Prec];

type TsType = "string" | "number" | "boolean" | "null" | "unknown";

interface Operand {
  readonly code: string;
  readonly prec: Prec;
  readonly type: TsType;
  /** A variable that may be unset at run time (a local without a default). */
  readonly optional: boolean;
  /** Whether the code reads a variable (`v`). */
  readonly reads: boolean;
  /** For a variable, the plain `v.x` to narrow in a guard (`code` may be `(v.x as T)`, see `condition`). */
  readonly raw?: string;
  /** The value when the operand is a literal, for folding literal-only comparisons. */
  readonly constant?: string | number | boolean | null;
  /** An array variable: typed `unknown[]`, so `contains` tests membership only. */
  readonly array?: true;
}

function paren(operand: { code: string; prec: Prec }, min: Prec): string {
  return operand.prec < min ? `(${operand.code})` : operand.code;
}

const TS_TYPES = {
  string: "string",
  number: "number",
  boolean: "boolean",
  json: "unknown",
  array: "unknown",
  email: "string",
  url: "string",
  phone: "string",
  currency: "number",
  percentage: "number",
  date_time: "string",
} as const;

/** The TypeScript type of a declared type in expressions; only checked flows are emitted, so the type is known. */
function tsType(declared: string): (typeof TS_TYPES)[VarType] {
  return TS_TYPES[declared as VarType];
}

/**
 * The TypeScript type of a declared variable in the exported types: checked strings are
 * template literal types, so a host passing `"support"` as a url is a compile error.
 */
const DECLARED_TS_TYPES: Readonly<Record<VarType, string>> = {
  ...TS_TYPES,
  array: "unknown[]",
  email: "`${string}@${string}.${string}`",
  url: "`http://${string}` | `https://${string}`",
  phone: "`+${number}`",
  // The runtime's DateTime: the canonical form, so a host passes a string made by dateTime().
  date_time: "`${number}-${number}-${number}T${number}:${number}:${number}.${number}Z`",
};

function declaredTsType(declared: string): string {
  return DECLARED_TS_TYPES[declared as VarType];
}

class FlowEmitter {
  private readonly helpers = new Set<Helper>();
  private readonly variables = new Map<string, VarDecl>();
  private readonly names: ModuleNames;
  /** Variables the condition being compiled reads more than once. */
  private repeated: ReadonlySet<string> = new Set();

  constructor(
    private readonly flow: Flow,
    private readonly options: EmitOptions,
  ) {
    for (const decl of flow.declarations) {
      if (decl.kind === "VarDecl") this.variables.set(decl.name.name, decl);
    }
    this.names = moduleNames(flow.id.name);
  }

  emit(): string {
    const n = this.names;
    const { file, kind } = this.options;
    const header =
      `// Generated by callflow from ${commentText(file)}. Do not edit: change the .flow file\n` +
      "// and run `callflow compile` again.";
    const flowType = `FlowDefinition<${n.variables}, ${n.secret}, ${n.widgetId}>`;
    const title = this.flow.displayName === undefined ? "" : ` "${commentText(this.flow.displayName.value)}"`;
    const flowDoc = `/** The flow ${this.flow.id.name}${title}, compiled from ${commentText(file)}. */\n`;
    const runDoc = `/** ${this.runDoc()} */`;
    if (kind === "dts") return this.declarations(header, `${flowDoc}export declare const ${n.flow}: ${flowType};\n`);
    // The flow value is generated before the import line, so `helpers` knows what the builders use.
    const value = this.flowValue();
    const typed = kind === "ts";
    const w = new Lines();
    w.writeLine(header);
    w.writeLine(this.importLine());
    if (typed) for (const type of this.types()) type(w);
    const signature = typed
      ? `(input: ${n.input}, ${this.optionsParameter()}): Promise<RunResult<${n.variables}, ${n.widgetId}>>`
      : "(input, options)";
    return (
      `${w.toString()}\n${flowDoc}export const ${n.flow}${typed ? `: ${flowType}` : ""} = ${value};\n\n` +
      `${runDoc}\nexport function ${n.run}${signature} {\n  return run(${n.flow}, input, options);\n}\n`
    );
  }

  /** The `.d.ts` of `--emit js`: typed declarations only, printed by ts-morph. */
  private declarations(header: string, flow: string): string {
    const n = this.names;
    const { printStructure, StructureKind } = tsMorph();
    const run: StatementStructures = {
      kind: StructureKind.Function,
      isExported: true,
      hasDeclareKeyword: true,
      name: n.run,
      docs: [this.runDoc()],
      parameters: [
        { name: "input", type: n.input },
        { name: "options", type: this.optionsType(), hasQuestionToken: !this.hasConfig() },
      ],
      returnType: `Promise<RunResult<${n.variables}, ${n.widgetId}>>`,
    };
    const print = (statements: (StatementStructures | string | WriterFunction)[]): string =>
      printStructure({ kind: StructureKind.SourceFile, statements }, { indentNumberOfSpaces: 2 });
    return `${print([header, this.importLine(), ...this.types()])}\n${flow}\n${print([run])}`;
  }

  /** Whether the flow declares `config` values: then its run function takes them in its options. */
  private hasConfig(): boolean {
    for (const decl of this.variables.values()) if (decl.scope === "config") return true;
    return false;
  }

  private runDoc(): string {
    const what = this.hasConfig() ? "global or config" : "global";
    return `Runs \`${this.names.flow}\`: a wrong or missing ${what} is a type error here.`;
  }

  /** The run function's options: with configs, required and holding them (`{ config, ...options }`). */
  private optionsType(): string {
    const n = this.names;
    const options = `RunOptions<${n.variables}, ${n.widgetId}>`;
    return this.hasConfig() ? `${options} & { readonly config: ${n.config} }` : options;
  }

  private optionsParameter(): string {
    return `options${this.hasConfig() ? "" : "?"}: ${this.optionsType()}`;
  }

  /** The exported types: input, config (when declared), locals, variables, secret names and widget ids. */
  private types(): ((w: DeclarationWriter) => void)[] {
    const n = this.names;
    const declared = [...this.variables.values()];
    const config = this.hasConfig()
      ? [
          objectType(
            n.config,
            `Config values of an environment, passed as \`options.config\` to \`${n.run}\`; never run input.`,
            declared
              .filter((d) => d.scope === "config")
              .map((d) => property(d.name.name, declaredTsType(d.type.name), "required")),
          ),
        ]
      : [];
    return [
      objectType(
        n.input,
        `Globals the caller passes to \`${n.run}\`; a global with a default may be left out.`,
        declared
          .filter((d) => d.scope === "global")
          .map((d) =>
            property(d.name.name, declaredTsType(d.type.name), d.default !== undefined ? "optional" : "required"),
          ),
      ),
      ...config,
      objectType(
        n.locals,
        "Locals; one without a default is unset until a step assigns it.",
        declared
          .filter((d) => d.scope === "local")
          .map((d) =>
            property(d.name.name, declaredTsType(d.type.name), d.default !== undefined ? "required" : "unset"),
          ),
      ),
      objectType(
        n.variables,
        "Every variable of the flow, as builders see them and as a run returns them.",
        declared.map((d) =>
          property(d.name.name, declaredTsType(d.type.name), this.isSet(d.name.name) ? "required" : "unset"),
        ),
      ),
      unionType(
        n.secret,
        "Names of the secrets the flow reads; their values come from the run's secret provider.",
        this.secretNames(),
      ),
      unionType(
        n.widgetId,
        "Widget ids.",
        this.flow.widgets.map((w) => w.id.name),
      ),
    ];
  }

  private secretNames(): string[] {
    return this.flow.declarations.filter((d) => d.kind === "SecretDecl").map((d) => d.name.name);
  }

  /** Values and types for ts, values for js, types (`import type`) for a .d.ts. */
  private importLine(): string {
    const from = `from ${stringLiteral(this.options.runtimeImport)};`;
    const types = ["FlowDefinition", "RunOptions", "RunResult"];
    if (this.options.kind === "dts") return `import type { ${types.join(", ")} } ${from}`;
    const values = [...this.helpers, "run"].sort();
    const names = this.options.kind === "ts" ? [...values, ...types.map((t) => `type ${t}`)] : values;
    return `import { ${names.join(", ")} } ${from}`;
  }

  /** A global (given or defaulted), a config or a local with a default always has a value. */
  private isSet(name: string): boolean {
    const decl = this.variables.get(name);
    return decl !== undefined && (decl.scope !== "local" || decl.default !== undefined);
  }

  private declared(name: string): VarDecl {
    const decl = this.variables.get(name);
    if (decl === undefined)
      throw new Error(`internal: variable '${name}' is not declared (validation should have reported it)`);
    return decl;
  }

  private use(helper: Helper): string {
    this.helpers.add(helper);
    return helper;
  }

  // ------------------------------------------------------------------ the flow value

  /** The flow object literal. */
  private flowValue(): string {
    const secrets = this.secretNames();
    const steps = this.flow.widgets.map((widget) => ({ widget, fields: this.stepFields(widget) }));
    const variables = [...this.variables.values()].map((d) => {
      const fields = [`scope: "${d.scope}"`, `type: "${d.type.name}"`, `masked: ${String(d.masked)}`];
      if (d.default !== undefined) fields.push(`default: ${inline(this.json(d.default, undefined))}`);
      return `${propertyKey(d.name.name)}: { ${fields.join(", ")} },`;
    });
    const flow = this.flow;
    const file = this.options.file;
    const w = new Lines();
    w.write("{").newLine();
    w.indent(() => {
      w.writeLine(`id: ${stringLiteral(flow.id.name)},`);
      if (flow.displayName !== undefined) w.writeLine(`name: ${stringLiteral(flow.displayName.value)},`);
      w.writeLine(`source: ${stringLiteral(file)},`);
      // Validation guarantees a start; an empty id would fail type-checking, never silently run.
      w.writeLine(`start: ${stringLiteral(flow.start?.target.name ?? "")},`);
      writeList(w, "variables: ", "{", "}", variables);
      w.writeLine(`secrets: [${secrets.map(stringLiteral).join(", ")}],`);
      w.writeLine("steps: {");
      w.indent(() => {
        for (const { widget, fields } of steps) {
          const title = widget.displayName === undefined ? "" : ` "${commentText(widget.displayName.value)}"`;
          w.writeLine(
            `// ${specOf(widget).keyword} ${widget.id.name}${title} (${commentText(file)}:${widget.span.line})`,
          );
          w.writeLine(`${propertyKey(widget.id.name)}: {`);
          w.indent(() => {
            for (const field of fields) field(w);
          });
          w.writeLine("},");
        }
      });
      w.writeLine("},");
    });
    w.write("}");
    return w.toString();
  }

  private stepFields(widget: Widget): ((w: Lines) => void)[] {
    const line = (text: string) => (w: Lines) => void w.writeLine(text);
    const fields = [line(`kind: "${specOf(widget).step}",`), line(`id: ${stringLiteral(widget.id.name)},`)];
    if (widget.displayName !== undefined) fields.push(line(`name: ${stringLiteral(widget.displayName.value)},`));
    fields.push(line(`source: ${stringLiteral(`${this.options.file}:${widget.span.line}`)},`));
    const target = (name: string | undefined): string => stringLiteral(name ?? "");
    // The description's exits, each as the step field it fills, after the fields of the widget's own.
    const exits: Readonly<Record<string, Exit | undefined>> = widget.exits;
    const exitFields = specOf(widget).exits.map((spec) =>
      line(`${propertyKey(spec.field)}: ${target(exits[spec.label]?.target.name)},`),
    );
    switch (widget.kind) {
      case "HttpWidget":
        return [...fields, ...this.httpFields(widget), ...exitFields];
      case "ConditionWidget": {
        const branches = widget.branches.map((b) => {
          const uses: Uses = { v: false, s: false };
          const test = this.condition(b.condition, uses);
          // The condition as the formatter prints it: one line, whatever the source's layout and comments.
          const text = stringLiteral(printExpr(b.condition));
          return `{ test: ${params(uses)} => ${test}, text: ${text}, target: ${target(b.target.name)} },`;
        });
        return [...fields, (w) => writeList(w, "branches: ", "[", "]", branches), ...exitFields];
      }
      case "SetWidget": {
        const uses: Uses = { v: false, s: false };
        const assigned = this.assignments(widget, uses);
        return [...fields, line(`assign: ${params(uses)} => (${assigned}),`), ...exitFields];
      }
      case "SendWidget": {
        const uses: Uses = { v: false, s: false };
        const message = widget.settings.message;
        const text = message === undefined ? '""' : this.text(message.value, uses, false);
        return [...fields, line(`message: ${params(uses)} => ${text},`), ...exitFields];
      }
      case "RouteWidget":
      case "EndWidget":
        return [...fields, ...this.plainFields(widget).map((f) => f.write), ...exitFields];
    }
  }

  private httpFields(widget: HttpWidget): ((w: Lines) => void)[] {
    const fields: ((w: Lines) => void)[] = [];
    const line = (text: string): void => void fields.push((w) => void w.writeLine(text));
    const secrets = new Set<string>();
    const builder = (build: (uses: Uses) => string): string => {
      const uses: Uses = { v: false, s: false };
      const body = build(uses);
      return `${params(uses)} => ${body}`;
    };
    const pairs = (name: string, entries: readonly KeyValue[]): void => {
      const uses: Uses = { v: false, s: false };
      const items = entries.map((kv) => `[${stringLiteral(kv.key.name)}, ${this.valueText(kv.value, uses)}]`);
      fields.push((w) => {
        if (items.length <= 1) w.writeLine(`${name}: ${params(uses)} => [${items.join(", ")}],`);
        else
          writeList(
            w,
            `${name}: ${params(uses)} => `,
            "[",
            "]",
            items.map((item) => `${item},`),
          );
      });
    };

    const settings = widget.settings;
    line(`method: "${settings.method?.value.name ?? "GET"}",`);
    collectSecrets(widget, secrets);
    line(`secrets: [${[...secrets].map(stringLiteral).join(", ")}],`);
    const url = settings.url?.value;
    line(`url: ${builder((uses) => (url === undefined ? '""' : this.urlText(url, uses)))},`);
    const query = settings.query?.value;
    if (query !== undefined)
      pairs(
        "query",
        lastOfEachKey(query.entries, (k) => k),
      );
    const authorization = settings.authorization?.value;
    if (authorization !== undefined) line(`authorization: ${builder((uses) => this.valueText(authorization, uses))},`);
    // `authorization` and `content_type` win over a header of the same name (the validator warns).
    const headers = lastOfEachKey(settings.headers?.value.entries ?? [], (k) => k.toLowerCase()).filter(
      (kv) =>
        !(kv.key.name.toLowerCase() === "authorization" && authorization !== undefined) &&
        !(kv.key.name.toLowerCase() === "content-type" && settings.content_type !== undefined),
    );
    if (headers.length > 0) pairs("headers", headers);
    const secretHeaders = headers.filter((kv) => referencesSecret(kv.value)).map((kv) => stringLiteral(kv.key.name));
    line(`secretHeaders: [${secretHeaders.join(", ")}],`);
    const plain = this.plainFields(widget);
    // Fields written as they are (content_type, retry, timeout, ...), in the description's
    // order, around the body and results, which need building.
    const [beforeBody, afterBody] = splitAt(plain, specOf(widget), "body");
    fields.push(...beforeBody);
    const body = settings.body?.value;
    if (body !== undefined) {
      if (body.kind === "JsonBody") {
        const uses: Uses = { v: false, s: false };
        const code = this.json(body.value, uses);
        const head = `body: { kind: "json", build: ${params(uses)} => `;
        // An object literal body needs parentheses to be an arrow function's result.
        const wrap = typeof code !== "string" && code.open === "{";
        fields.push((w) => {
          w.write(head + (wrap ? "(" : ""));
          writeCode(w, code, wrap ? ") }," : " },");
          w.newLine();
        });
      } else if (body.kind === "FormBody") {
        const uses: Uses = { v: false, s: false };
        const items = lastOfEachKey(body.entries, (k) => k).map(
          (kv) => `[${stringLiteral(kv.key.name)}, ${this.valueText(kv.value, uses)}]`,
        );
        const head = `body: { kind: "form", build: ${params(uses)} => `;
        fields.push((w) => {
          if (items.length <= 1) w.writeLine(`${head}[${items.join(", ")}] },`);
          else
            writeList(
              w,
              head,
              "[",
              "] }",
              items.map((item) => `${item},`),
            );
        });
      } else {
        const value = body.value;
        line(`body: { kind: "text", build: ${builder((uses) => this.text(value, uses, true))} },`);
      }
    }
    fields.push(...afterBody);
    const results = this.resultSpecs(settings.results?.value.mappings ?? []);
    fields.push((w) => writeList(w, "results: ", "[", "]", results));
    const errorMappings = settings.error_results?.value.mappings;
    if (errorMappings !== undefined) {
      const errorResults = this.resultSpecs(errorMappings);
      fields.push((w) => writeList(w, "errorResults: ", "[", "]", errorResults));
    }
    const statusExits = widget.statusExits.map((e) => {
      const statuses = e.statuses.map((m) => (/^\d+$/.test(m.text) ? m.text : stringLiteral(m.text)));
      return `{ statuses: [${statuses.join(", ")}], target: ${stringLiteral(e.target.name)} },`;
    });
    if (statusExits.length > 0) fields.push((w) => writeList(w, "statusExits: ", "[", "]", statusExits));
    return fields;
  }

  /** `ResultSpec` literals for mappings, each with its target's declared type. */
  private resultSpecs(mappings: readonly ResultMapping[]): string[] {
    return mappings.map((m) => {
      const type = this.declared(m.target.name).type.name;
      let source: string;
      switch (m.source.kind) {
        case "JsonPathSource": {
          const path = m.source.path.value;
          const steps = simplePath(path);
          const read = steps === undefined ? "" : `, read: (body) => ${readExpression(steps, "body")}`;
          if (steps !== undefined) this.use("prop");
          source = `{ kind: "json", path: ${stringLiteral(path)}${read} }`;
          break;
        }
        case "StatusSource":
          source = `{ kind: "status" }`;
          break;
        case "HeaderSource":
          source = `{ kind: "header", name: ${stringLiteral(m.source.name.value)} }`;
          break;
      }
      return `{ source: ${source}, target: ${stringLiteral(m.target.name)}, type: "${type}" },`;
    });
  }

  /**
   * The settings the description maps onto a step field as they are written: a count, a duration
   * in milliseconds, a flag or a plain string. An absent one is left out: its default is the runtime's.
   */
  private plainFields(widget: Widget): { readonly keyword: string; readonly write: (w: Lines) => void }[] {
    const settings = settingsOf(widget);
    const fields: { keyword: string; write: (w: Lines) => void }[] = [];
    for (const spec of specOf(widget).settings) {
      const setting = settings[spec.keyword];
      if (spec.field === undefined || setting === undefined) continue;
      let value: string;
      switch (setting.valueKind) {
        case "count":
          value = String(setting.value.value);
          break;
        case "duration":
          value = String(setting.value.ms);
          break;
        case "flag":
          value = String(setting.value.value);
          break;
        case "plainString":
          value = stringLiteral(setting.value.value);
          break;
        // The description gives a step field only to the kinds above (`FieldValueKind`): these need code of their own.
        case "method":
        case "value":
        case "string":
        case "keyValues":
        case "body":
        case "results":
          throw new Error(`internal: '${spec.keyword}' fills a step field but its value kind needs code`);
      }
      const text = `${propertyKey(spec.field)}: ${value},`;
      fields.push({ keyword: spec.keyword, write: (w) => void w.writeLine(text) });
    }
    return fields;
  }

  // ------------------------------------------------------------------ values

  private variable(name: string, uses: Uses): string {
    this.declared(name);
    uses.v = true;
    return propertyAccess("v", name);
  }

  private secret(name: string, uses: Uses | undefined): string {
    if (uses === undefined)
      throw new Error(`internal: secret '${name}' where none may appear (validation should have reported it)`);
    uses.s = true;
    return propertyAccess("s", name);
  }

  /** A string-typed expression for an interpolated variable or secret. */
  private interpolation(ref: Value, uses: Uses): string {
    if (ref.kind === "SecretRef") return `${this.use("toText")}(${this.secret(ref.name, uses)})`;
    if (ref.kind !== "VarRef") throw new Error(`internal: cannot interpolate a ${ref.kind}`);
    const access = this.variable(ref.name, uses);
    const decl = this.declared(ref.name);
    return decl.type.name === "string" && this.isSet(ref.name) ? access : `${this.use("toText")}(${access})`;
  }

  /** A template string as a concatenation of literal text and interpolated values. */
  private text(str: StringLiteral, uses: Uses, secretsAllowed: boolean): string {
    const parts = str.parts.map((part) => {
      if (part.kind === "Text") return stringLiteral(part.value);
      if (part.ref.kind === "SecretRef" && !secretsAllowed) {
        throw new Error(
          `internal: secret '${part.ref.name}' where none may appear (validation should have reported it)`,
        );
      }
      return this.interpolation(part.ref, uses);
    });
    return parts.length === 0 ? '""' : parts.join(" + ");
  }

  /**
   * The URL: interpolated values are percent-encoded so they cannot change its structure,
   * except one that starts the URL: that is a base URL (`{{api_base}}/orders`), inserted as is.
   */
  private urlText(value: Value, uses: Uses): string {
    if (value.kind !== "String") return this.valueText(value, uses);
    const parts = value.parts.map((part, index) => {
      if (part.kind === "Text") return stringLiteral(part.value);
      if (index === 0) return this.interpolation(part.ref, uses);
      const raw = part.ref.kind === "SecretRef" ? this.secret(part.ref.name, uses) : this.variable(part.ref.name, uses);
      return `${this.use("encodeSegment")}(${raw})`;
    });
    return parts.length === 0 ? '""' : parts.join(" + ");
  }

  /** A value as text (query, header, authorization and form values), converted the way `toText` converts. */
  private valueText(value: Value, uses: Uses): string {
    switch (value.kind) {
      case "String":
        return this.text(value, uses, true);
      case "VarRef":
      case "SecretRef":
        return this.interpolation(value, uses);
      case "Number":
        return stringLiteral(String(value.value));
      case "Boolean":
        return stringLiteral(String(value.value));
      case "Null":
        return stringLiteral("null");
      case "Object":
      case "Array":
        return `${this.use("toText")}(${inline(this.json(value, uses))})`;
    }
  }

  /**
   * A JSON value (json body, set value, default). With `uses` undefined it is a constant (a
   * default): strings are kept as written and no variable or secret may appear.
   */
  private json(value: Value, uses: Uses | undefined): Code {
    switch (value.kind) {
      case "String":
        if (uses === undefined || !value.parts.some((p) => p.kind === "Interpolation"))
          return stringLiteral(value.value);
        return this.text(value, uses, true);
      case "Number":
        return String(value.value);
      case "Boolean":
        return String(value.value);
      case "Null":
        return "null";
      case "VarRef":
        if (uses === undefined) throw new Error(`internal: variable '${value.name}' in a constant`);
        return this.variable(value.name, uses);
      case "SecretRef":
        return this.secret(value.name, uses);
      case "Array":
        return { open: "[", items: value.items.map((item) => this.json(item, uses)), close: "]" };
      case "Object": {
        // As in JSON.parse, a repeated key keeps its first position and its last value.
        const entries = new Map<string, Code>();
        for (const entry of value.entries) {
          const interpolated = uses !== undefined && entry.key.parts.some((p) => p.kind === "Interpolation");
          const key = interpolated ? `[${this.text(entry.key, uses, true)}]` : propertyKey(entry.key.value);
          entries.set(key, `${key}: ${inline(this.json(entry.value, uses))}`);
        }
        return { open: "{", items: [...entries.values()], close: "}" };
      }
    }
  }

  // ------------------------------------------------------------------ set

  /**
   * The assigned variables as an object literal. Every value is computed from the variables
   * as they were before the step (assignments are simultaneous); a repeated target keeps the
   * last value. A possibly unset variable copied into one that is always set is copied only
   * when it has a value, so the target never becomes undefined.
   */
  private assignments(widget: SetWidget, uses: Uses): string {
    const last = new Map<string, Value>();
    for (const a of widget.assignments) {
      last.delete(a.target.name);
      last.set(a.target.name, a.value);
    }
    const items = [...last].map(([name, value]) => {
      const key = propertyKey(name);
      const decl = this.declared(name);
      if (value.kind === "VarRef" && this.isSet(name) && !this.isSet(value.name)) {
        const access = this.variable(value.name, uses);
        return `...(${access} === undefined ? {} : { ${key}: ${access} })`;
      }
      const code =
        value.kind === "String" && decl.type.name === "string"
          ? this.text(value, uses, false)
          : inline(this.json(value, uses));
      return `${key}: ${code}`;
    });
    return items.length === 0 ? "{}" : `{ ${items.join(", ")} }`;
  }

  // ------------------------------------------------------------------ conditions

  /**
   * A branch test; `uses.v` is set only if the code left after folding reads a variable.
   * A variable read more than once is read as `(v.x as T)`: TypeScript narrows `v.x` after
   * a first comparison and would then reject a redundant or contradictory one
   * (`state == "a" and state != "b"`) as "unintentional", though the flow means it. Only
   * guards (`!== undefined`, `typeof`, `Array.isArray`) and what they guard read plain `v.x`.
   */
  private condition(expr: Expr, uses: Uses): string {
    const counts = new Map<string, number>();
    countReads(expr, counts);
    this.repeated = new Set([...counts].filter(([, n]) => n > 1).map(([name]) => name));
    const test = truth(this.expr(expr));
    if (test.reads) uses.v = true;
    return test.code;
  }

  private expr(expr: Expr): Operand {
    switch (expr.kind) {
      case "String": {
        const reads: Uses = { v: false, s: false };
        const code = this.text(expr, reads, false);
        return reads.v
          ? { code, prec: Prec.Additive, type: "string", optional: false, reads: true }
          : { code, prec: Prec.Primary, type: "string", optional: false, reads: false, constant: expr.value };
      }
      case "Number":
        return {
          code: String(expr.value),
          prec: expr.value < 0 ? Prec.Unary : Prec.Primary,
          type: "number",
          optional: false,
          reads: false,
          constant: expr.value,
        };
      case "Boolean":
        return constant(expr.value);
      case "Null":
        return { code: "null", prec: Prec.Primary, type: "null", optional: false, reads: false, constant: null };
      case "VarRef": {
        const type = tsType(this.declared(expr.name).type.name);
        const optional = !this.isSet(expr.name);
        const code = propertyAccess("v", expr.name);
        const array = this.declared(expr.name).type.name === "array";
        const operand: Operand = {
          code,
          prec: Prec.Primary,
          type,
          optional,
          reads: true,
          raw: code,
          ...(array ? { array } : {}),
        };
        if (!this.repeated.has(expr.name) || this.options.kind === "js") return operand;
        return { ...operand, code: `(${code} as ${optional && type !== "unknown" ? `${type} | undefined` : type})` };
      }
      case "Length": {
        // An unset array has no items.
        const items = propertyAccess("v", expr.target.name);
        const code = `(Array.isArray(${items}) ? ${items}.length : 0)`;
        return { code, prec: Prec.Primary, type: "number", optional: false, reads: true };
      }
      case "Not": {
        const operand = this.expr(expr.operand);
        if (operand.constant !== undefined) return constant(operand.constant !== true);
        const test = truth(operand);
        return {
          code: `!${paren(test, Prec.Unary)}`,
          prec: Prec.Unary,
          type: "boolean",
          optional: false,
          reads: test.reads,
        };
      }
      case "Binary": {
        const left = this.expr(expr.left);
        const right = this.expr(expr.right);
        switch (expr.op) {
          case "and":
          case "or":
            return logical(expr.op, left, right);
          case "==":
          case "!=":
            return equality(expr.op, left, right);
          case "contains":
            return contains(left, right);
          default:
            return relational(expr.op, left, right);
        }
      }
    }
  }
}

function countReads(expr: Expr, counts: Map<string, number>): void {
  if (expr.kind === "VarRef") counts.set(expr.name, (counts.get(expr.name) ?? 0) + 1);
  else if (expr.kind === "Not") countReads(expr.operand, counts);
  else if (expr.kind === "Binary") {
    countReads(expr.left, counts);
    countReads(expr.right, counts);
  } else if (expr.kind === "String") {
    for (const part of expr.parts)
      if (part.kind === "Interpolation") counts.set(part.ref.name, (counts.get(part.ref.name) ?? 0) + 1);
  }
}

function constant(value: boolean): Operand {
  return { code: String(value), prec: Prec.Primary, type: "boolean", optional: false, reads: false, constant: value };
}

function computed(code: string, prec: Prec, ...operands: readonly Operand[]): Operand {
  return { code, prec, type: "boolean", optional: false, reads: operands.some((o) => o.reads) };
}

/**
 * A boolean operand for `and`, `or`, `not` and a branch test. A set boolean is used as it
 * is; anything else (an unset boolean, a json value) counts as true only when it is `true`.
 */
function truth(operand: Operand): Operand {
  if (operand.constant !== undefined) return constant(operand.constant === true);
  if (operand.type === "boolean" && !operand.optional) return operand;
  return computed(`${paren(operand, Prec.Equality)} === true`, Prec.Equality, operand);
}

/**
 * Literal operands are folded away (TypeScript rejects `false === true` and the like):
 * `true` decides an `or`, `false` an `and`; otherwise the other operand decides.
 */
function logical(op: "and" | "or", left: Operand, right: Operand): Operand {
  const isOr = op === "or";
  if (left.constant !== undefined || right.constant !== undefined) {
    const [known, other] = left.constant !== undefined ? [left, right] : [right, left];
    return (known.constant === true) === isOr ? constant(isOr) : truth(other);
  }
  const prec = isOr ? Prec.Or : Prec.And;
  // A right operand with the same operator keeps its parentheses, so the tree's grouping is kept.
  const code = `${paren(truth(left), prec)} ${isOr ? "||" : "&&"} ${paren(truth(right), isOr ? Prec.And : Prec.Equality)}`;
  return computed(code, prec, left, right);
}

/**
 * `==` is `===`: strings, numbers, booleans and null compare by value. Two json values
 * compare structurally, by their JSON text (so key order counts); a json value and a
 * literal compare by value, which is the same thing for the primitives literals are.
 */
function equality(op: "==" | "!=", left: Operand, right: Operand): Operand {
  const folded = fold(left, right, (a, b) => (op === "==" ? a === b : a !== b));
  if (folded !== undefined) return folded;
  const ts = op === "==" ? "===" : "!==";
  if (left.type === "unknown" && right.type === "unknown") {
    return computed(`JSON.stringify(${left.code}) ${ts} JSON.stringify(${right.code})`, Prec.Equality, left, right);
  }
  return computed(`${paren(left, Prec.Relational)} ${ts} ${paren(right, Prec.Relational)}`, Prec.Equality, left, right);
}

/** `<` and friends compare two numbers or two strings; an unset variable makes the comparison false. */
function relational(op: "<" | "<=" | ">" | ">=", left: Operand, right: Operand): Operand {
  const folded = fold(left, right, (a, b) =>
    a === null || b === null ? false : op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b,
  );
  if (folded !== undefined) return folded;
  const guarded = (o: Operand): string => (o.optional ? o.raw! : paren(o, Prec.Additive));
  const guards = [left, right].filter((o) => o.optional).map((o) => `${o.raw!} !== undefined`);
  const comparison = `${guarded(left)} ${op} ${guarded(right)}`;
  return guards.length === 0
    ? computed(comparison, Prec.Relational, left, right)
    : computed([...guards, comparison].join(" && "), Prec.And, left, right);
}

/**
 * `text contains part` is a substring test. On an array variable it is membership, and on a
 * json value membership for an array (by `includes`, so primitives only) and a substring test
 * for a string; anything else, or an unset operand, does not contain.
 */
function contains(left: Operand, right: Operand): Operand {
  const rightGuarded = right.type !== "string" || right.optional;
  const l = left.type === "unknown" || left.optional ? left.raw! : paren(left, Prec.Primary);
  const r = rightGuarded && right.raw !== undefined ? right.raw : right.code;
  const stringGuard = rightGuarded ? `typeof ${r} === "string" && ` : "";
  if (left.array === true) return computed(`Array.isArray(${l}) && ${l}.includes(${r})`, Prec.And, left, right);
  if (left.type === "unknown") {
    const rightMayBeString = right.type === "string" || right.type === "unknown";
    const asString = rightMayBeString ? `typeof ${l} === "string" && ${stringGuard}${l}.includes(${r})` : "false";
    return computed(`Array.isArray(${l}) ? ${l}.includes(${r}) : ${asString}`, Prec.Conditional, left, right);
  }
  const leftGuard = left.optional ? `${l} !== undefined && ` : "";
  const code = `${leftGuard}${stringGuard}${l}.includes(${r})`;
  return computed(code, leftGuard === "" && stringGuard === "" ? Prec.Primary : Prec.And, left, right);
}

/** A literal-only comparison is decided at compile time (TypeScript rejects comparing unrelated literal types). */
function fold(
  left: Operand,
  right: Operand,
  compare: (a: string | number | boolean | null, b: string | number | boolean | null) => boolean,
): Operand | undefined {
  if (left.constant === undefined || right.constant === undefined) return undefined;
  return constant(compare(left.constant, right.constant));
}

function params(uses: Uses): string {
  return uses.s ? (uses.v ? "(v, s)" : "(_v, s)") : uses.v ? "(v)" : "()";
}

/** `prefix[` + one item per line + `],`; `prefix[],` when empty. */
function writeList(w: Lines, prefix: string, open: string, close: string, items: readonly string[]): void {
  if (items.length === 0) {
    w.writeLine(`${prefix}${open}${close},`);
    return;
  }
  w.writeLine(`${prefix}${open}`);
  w.indent(() => {
    for (const item of items) w.writeLine(item);
  });
  w.writeLine(`${close},`);
}

function objectType(name: string, doc: string, properties: readonly string[]): (w: DeclarationWriter) => void {
  return (w) => {
    w.blankLineIfLastNot();
    w.writeLine(`/** ${doc} */`);
    if (properties.length === 0) {
      w.writeLine(`export type ${name} = {};`);
      return;
    }
    w.writeLine(`export type ${name} = {`);
    w.indent(() => {
      for (const p of properties) w.writeLine(p);
    });
    w.writeLine("};");
  };
}

function unionType(name: string, doc: string, members: readonly string[]): (w: DeclarationWriter) => void {
  return (w) => {
    w.blankLineIfLastNot();
    w.writeLine(`/** ${doc} */`);
    w.writeLine(`export type ${name} = ${members.length === 0 ? "never" : members.map(stringLiteral).join(" | ")};`);
  };
}

/** `required`: always present; `optional`: may be left out (an input with a default); `unset`: may be absent or undefined. */
function property(name: string, type: string, presence: "required" | "optional" | "unset"): string {
  const key = propertyKey(name);
  if (presence === "required") return `${key}: ${type};`;
  if (presence === "optional" || type === "unknown") return `${key}?: ${type};`;
  return `${key}?: ${type} | undefined;`;
}

/** Of entries with the same key, only the last is kept (the validator warns about repeats). */
function lastOfEachKey(entries: readonly KeyValue[], normalize: (key: string) => string): KeyValue[] {
  const last = new Map<string, number>();
  entries.forEach((kv, index) => last.set(normalize(kv.key.name), index));
  return entries.filter((kv, index) => last.get(normalize(kv.key.name)) === index);
}

/** The secrets a value reads, in source order, as `secret.NAME` or `{{secret.NAME}}`. */
function secretsIn(node: AstNode, into: Set<string> = new Set()): Set<string> {
  visit(node, { SecretRef: (ref) => void into.add(ref.name) });
  return into;
}

function referencesSecret(value: Value): boolean {
  return secretsIn(value).size > 0;
}

/** The secrets an http step reads, in source order: all are resolved before its request is sent. */
function collectSecrets(widget: HttpWidget, into: Set<string>): void {
  const { url, query, authorization, headers, body } = widget.settings;
  for (const setting of [url, query, authorization, headers, body]) if (setting !== undefined) secretsIn(setting, into);
}

/**
 * The module for a flow that parsed and validated without errors. JavaScript and
 * declarations are printed from the same structures as the TypeScript, not transpiled
 * from it: TypeScript's transpileModule costs about 12 ms a file (bench/compile.ts).
 */
export function emitFlowModule(flow: Flow, options: EmitOptions): string {
  return new FlowEmitter(flow, options).emit();
}

/** Writers of the fields before the named setting in the description's order, and of those after it. */
function splitAt(
  fields: readonly { readonly keyword: string; readonly write: (w: Lines) => void }[],
  spec: WidgetSpec,
  keyword: string,
): [((w: Lines) => void)[], ((w: Lines) => void)[]] {
  const order = spec.settings.map((s) => s.keyword);
  const at = order.indexOf(keyword);
  const before = fields.filter((f) => order.indexOf(f.keyword) < at).map((f) => f.write);
  const after = fields.filter((f) => order.indexOf(f.keyword) > at).map((f) => f.write);
  return [before, after];
}
