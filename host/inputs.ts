// A flow's inputs (its `global` declarations) as one JSON Schema, made once per flow: the same object is
// the OpenAPI document's request body and, compiled by Ajv with the contract's checks as its formats, the
// validator every request passes before anything runs. Form-encoded bodies arrive as strings and are
// converted by declared type first; date_time values are stored in their canonical form after validation.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import {
  FORMAT_DESCRIPTIONS,
  fitsFormat,
  fitsNumberFormat,
  isCheckedType,
  toDateTime,
  type VarType,
} from "../runtime/contract.js";
import type { FlowDefinition, Vars } from "../runtime/index.js";

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses) as plain data. */
export type JsonSchema = { readonly [key: string]: unknown };

/** One problem with a request's input; `message` never repeats the value given. */
export interface InputProblem {
  /** The input's name; "" for the body as a whole. */
  readonly field: string;
  readonly message: string;
}

export type Decoded =
  | { readonly ok: true; readonly input: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: readonly InputProblem[] };

/** How a request body was encoded: JSON values, or form fields whose values are strings. */
export type BodyEncoding = "json" | "form";

/** Each type's input schema. Formats are named as OpenAPI's registry names them where it has one. */
const TYPE_SCHEMAS: Readonly<Record<VarType, JsonSchema>> = {
  string: { type: "string" },
  number: { type: "number" },
  boolean: { type: "boolean" },
  json: {},
  array: { type: "array" },
  email: { type: "string", format: "email" },
  url: { type: "string", format: "uri" },
  phone: { type: "string", format: "phone" },
  currency: { type: "number", format: "currency" },
  percentage: { type: "number", minimum: 0, maximum: 100 },
  date_time: { type: "string", format: "date-time" },
};

/** Formats of callflow's own (no registry names them): Ajv checks them on input; answers leave them out. */
const OWN_FORMATS: ReadonlySet<unknown> = new Set(["phone", "currency"]);

/**
 * Each type's value in an answer (a run's variables, as the type stores them, date_time canonical): its input
 * schema without the formats of callflow's own.
 */
export const ANSWER_SCHEMAS: Readonly<Record<VarType, JsonSchema>> = Object.fromEntries(
  Object.entries(TYPE_SCHEMAS).map(([type, schema]) => {
    if (!OWN_FORMATS.has(schema["format"])) return [type, schema];
    const { format: _own, ...rest } = schema;
    return [type, rest];
  }),
) as Record<VarType, JsonSchema>;

/**
 * Ajv with the contract's checks as its formats: one instance, so each format is added once. The schemas are
 * made here from TYPE_SCHEMAS, so they are not checked against the meta-schema, whose compilation was most of
 * a Lambda function's start (bench/README.md, "AWS Lambda bundle"); strict mode still rejects unknown keywords.
 */
const ajv = new Ajv({ allErrors: true, strict: true, validateSchema: false })
  .addFormat("email", { type: "string", validate: (text: string) => fitsFormat("email", text) })
  .addFormat("uri", { type: "string", validate: (text: string) => fitsFormat("url", text) })
  .addFormat("phone", { type: "string", validate: (text: string) => fitsFormat("phone", text) })
  .addFormat("currency", { type: "number", validate: (value: number) => fitsNumberFormat("currency", value) })
  .addFormat("date-time", { type: "string", validate: (text: string) => toDateTime(text) !== undefined });

/** A flow's inputs: their schema, and the check and decoding made from it. */
export class FlowInputs {
  /** The request body's schema: an object of the globals, required ones those without a default. */
  readonly schema: JsonSchema;
  readonly #types: ReadonlyMap<string, VarType>;
  readonly #validate: ValidateFunction;

  constructor(definition: FlowDefinition<Vars, string, string>) {
    const types = new Map<string, VarType>();
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [name, spec] of Object.entries(definition.variables)) {
      if (spec.scope !== "global") continue;
      types.set(name, spec.type);
      // A masked default is never published.
      const documented = "default" in spec && !spec.masked ? { default: spec.default } : {};
      properties[name] = { ...TYPE_SCHEMAS[spec.type], ...documented };
      if (!("default" in spec)) required.push(name);
    }
    this.#types = types;
    this.schema = { type: "object", properties, required };
    this.#validate = ajv.compile(this.schema);
  }

  /** The declared inputs by name. */
  get types(): ReadonlyMap<string, VarType> {
    return this.#types;
  }

  /**
   * The run's input from a parsed request body: only declared inputs are kept (other fields are ignored),
   * form strings are converted by type, every problem is listed.
   */
  decode(body: unknown, encoding: BodyEncoding): Decoded {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return { ok: false, problems: [{ field: "", message: "the body must be an object of the flow's inputs" }] };
    const given = body as Readonly<Record<string, unknown>>;
    const input: Record<string, unknown> = {};
    for (const [name, type] of this.#types) {
      if (!Object.hasOwn(given, name)) continue;
      const value = given[name];
      input[name] = encoding === "form" && typeof value === "string" ? fromFormText(value, type) : value;
    }
    if (!this.#validate(input)) return { ok: false, problems: this.#problems(this.#validate.errors ?? []) };
    for (const [name, type] of this.#types)
      if (type === "date_time" && typeof input[name] === "string") input[name] = toDateTime(input[name]);
    return { ok: true, input };
  }

  /** One problem per field, in declaration order, named by what the field must be (never by the value given). */
  #problems(errors: readonly ErrorObject[]): InputProblem[] {
    const byField = new Map<string, string>();
    for (const error of errors) {
      if (error.keyword === "required") {
        const field = String((error.params as { missingProperty: unknown }).missingProperty);
        byField.set(field, "is required");
        continue;
      }
      const field = error.instancePath.split("/")[1] ?? "";
      const type = this.#types.get(field);
      if (type !== undefined) byField.set(field, `must be ${describe(type)}`);
    }
    return [...this.#types.keys()]
      .filter((name) => byField.has(name))
      .map((field) => ({ field, message: byField.get(field)! }));
  }
}

function describe(type: VarType): string {
  if (isCheckedType(type)) return FORMAT_DESCRIPTIONS[type];
  if (type === "json") return "JSON";
  return type === "array" ? "an array" : `a ${type}`;
}

/** A form field's text as a value of `type`; the text itself when it is not one, so validation names the field. */
function fromFormText(text: string, type: VarType): unknown {
  switch (type) {
    case "number":
    case "currency":
    case "percentage": {
      const number = text.trim() === "" ? Number.NaN : Number(text);
      return Number.isFinite(number) ? number : text;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "json":
    case "array":
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Plain text is a JSON string; for an array it stays text, which validation then names.
        return text;
      }
    case "string":
    case "email":
    case "url":
    case "phone":
    case "date_time":
      return text;
  }
}
