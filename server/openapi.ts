// The OpenAPI 3.1 document of served flows: one path per flow, whose request body is the very schema the host
// validates requests with (FlowInputs.schema), and whose answers are described per flow from its declarations.
// `GET /openapi.json` serves it and `callflow openapi` writes it; both call this.
import { ANSWER_SCHEMAS, type HostedFlow, type JsonSchema } from "../host/host.js";
import { MASK } from "../runtime/index.js";

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const jsonOf = (schema: JsonSchema, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

function resultSchema(flow: HostedFlow): JsonSchema {
  const variables: Record<string, JsonSchema> = {};
  for (const [name, spec] of Object.entries(flow.loaded.definition.variables)) {
    if (spec.scope !== "global" && spec.scope !== "local") continue;
    variables[name] = spec.masked ? { const: MASK } : ANSWER_SCHEMAS[spec.type];
  }
  return {
    type: "object",
    required: ["flow", "outcome", "widget", "messages", "variables"],
    properties: {
      flow: { const: flow.id },
      outcome: { enum: ["end", "route", "failed"] },
      widget: { type: "string", description: "The terminal widget, or the one where the run failed." },
      queue: { type: "string", description: "The queue of a route." },
      messages: { type: "array", items: { type: "string" }, description: "What send widgets said, in order." },
      variables: { type: "object", properties: variables, additionalProperties: false },
      error: ref("RunError"),
    },
  };
}

export interface OpenApiOptions {
  /** The version of the API described; callflow's own when not set. */
  readonly version: string;
  /** Whether callers send a bearer token. */
  readonly auth: boolean;
}

export function openApiDocument(flows: readonly HostedFlow[], options: OpenApiOptions): Record<string, unknown> {
  const sorted = [...flows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, JsonSchema> = {
    RunError: {
      type: "object",
      required: ["code", "message", "widget"],
      properties: { code: { type: "string" }, message: { type: "string" }, widget: { type: "string" } },
    },
    InvalidInput: {
      type: "object",
      required: ["error", "problems"],
      properties: {
        error: { const: "invalid-input" },
        problems: {
          type: "array",
          items: {
            type: "object",
            required: ["field", "message"],
            properties: { field: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
    Error: {
      type: "object",
      required: ["error"],
      properties: {
        error: {
          type: "object",
          required: ["code", "message"],
          properties: { code: { type: "string" }, message: { type: "string" }, requestId: { type: "string" } },
        },
      },
    },
  };
  for (const flow of sorted) {
    schemas[`${flow.id}_input`] = flow.inputs.schema;
    schemas[`${flow.id}_result`] = resultSchema(flow);
    const name = flow.loaded.definition.name;
    paths[`/flows/${flow.id}/runs`] = {
      post: {
        operationId: `run_${flow.id}`,
        summary: name === undefined ? `Run ${flow.id}` : `Run ${flow.id} (${name})`,
        description: `Runs the flow of ${flow.file} with its inputs (its globals) and answers with the results.`,
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: ref(`${flow.id}_input`) },
            "application/x-www-form-urlencoded": { schema: ref(`${flow.id}_input`) },
          },
        },
        responses: {
          "200": jsonOf(ref(`${flow.id}_result`), "The run ended or routed."),
          "400": jsonOf(ref("InvalidInput"), "The inputs do not fit the declarations; nothing ran."),
          ...(options.auth ? { "401": jsonOf(ref("Error"), "No or a wrong bearer token.") } : {}),
          "404": jsonOf(ref("Error"), "No flow has this id."),
          "413": jsonOf(ref("Error"), "The body is larger than the limit."),
          "415": jsonOf(ref("Error"), "The body is neither JSON nor form-encoded."),
          "502": jsonOf(ref(`${flow.id}_result`), "The run failed: `error` says where and why."),
          "503": jsonOf(ref("Error"), "Too many runs in flight, or shutting down: retry after Retry-After."),
          "504": jsonOf(ref(`${flow.id}_result`), "The run did not finish within the deadline and was cancelled."),
        },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "callflow flows", version: options.version },
    paths,
    components: {
      schemas,
      ...(options.auth ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } } : {}),
    },
    ...(options.auth ? { security: [{ bearer: [] }] } : {}),
  };
}
