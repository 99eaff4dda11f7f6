// `callflow openapi` and `GET /openapi.json`: one OpenAPI 3.1 document, valid by an OpenAPI validator, whose
// schemas describe what the server really accepts and answers. The server runs in a temporary project (its
// environment "test" holds `config api_base`); the document needs no environment.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, expect, test } from "vitest";
import { CLI } from "./helpers/cli.js";
import { SERVE_FIXTURES as FIXTURES, serveWithUpstream, type Served, type ServedProject } from "./helpers/serve.js";

const exec = promisify(execFile);
const auth = { authorization: "Bearer openapi-token" };

type Doc = {
  paths: Record<string, { post: { requestBody: unknown } }>;
  components: { schemas: Record<string, Record<string, unknown>> };
};
let written: Doc;
let setup: ServedProject;
let served: Served;

beforeAll(async () => {
  const { stdout } = await exec(process.execPath, [CLI, "openapi"], { cwd: FIXTURES });
  written = JSON.parse(stdout) as Doc;
  setup = await serveWithUpstream("serve-openapi", {
    flows: ["lookup.flow", "quote.flow", "spin.flow"],
    route: (upstream) => upstream.route("/orders/A-1", { json: { shipDate: "2026-12-24", last4: "1234" } }),
    secrets: { API_TOKEN: "openapi-token", CRM_TOKEN: "crm-token-value" },
    args: ["--auth-secret", "API_TOKEN"],
  });
  served = setup.served;
});
afterAll(() => setup?.close());

test("the document is valid OpenAPI 3.1 and the server serves the same one", async () => {
  const result = await new Validator().validate(structuredClone(written) as Record<string, unknown>);
  expect(result).toEqual({ valid: true });
  expect(Object.keys(written.paths)).toEqual(["/flows/order_lookup/runs", "/flows/quote/runs", "/flows/spin/runs"]);
  const fetched = await (await fetch(`${served.url}/openapi.json`, { headers: auth })).json();
  expect(fetched).toEqual(written);
});

test("inputs carry their formats and required globals; configs are not inputs; masked defaults are not published", () => {
  expect(written.components.schemas["order_lookup_input"]).toEqual({
    type: "object",
    properties: {
      order_id: { type: "string" },
      email: { type: "string", format: "email" },
      pin: { type: "string" },
      amount: { type: "number", format: "currency", default: 0 },
      vip: { type: "boolean", default: false },
    },
    required: ["order_id", "email", "pin"],
  });
});

test("an answer describes each variable as its input does, without formats of callflow's own; masked ones as the mask", () => {
  const result = written.components.schemas["order_lookup_result"] as { properties: { variables: unknown } };
  expect(result.properties.variables).toEqual({
    type: "object",
    properties: {
      order_id: { type: "string" },
      email: { type: "string", format: "email" },
      pin: { const: "••••" },
      amount: { type: "number" },
      vip: { type: "boolean" },
      ship_date: { type: "string" },
      card_last4: { const: "••••" },
    },
    additionalProperties: false,
  });
});

test("a real answer fits the document's response schema", async () => {
  const response = await fetch(`${served.url}/flows/order_lookup/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: JSON.stringify({ order_id: "A-1", email: "a@b.co", pin: "9999" }),
  });
  expect(response.status).toBe(200);
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: "doc", components: written.components });
  const validate = ajv.compile({ $ref: "doc#/components/schemas/order_lookup_result" });
  expect(validate(await response.json())).toBe(true);
  const bad = await fetch(`${served.url}/flows/order_lookup/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", ...auth },
    body: "{}",
  });
  expect(ajv.compile({ $ref: "doc#/components/schemas/InvalidInput" })(await bad.json())).toBe(true);
});
