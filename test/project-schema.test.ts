// schema/callflow.schema.json: shipped in the package, referenced by `$schema`, and true to what
// callflow reads: the examples' project file validates, a secret written as a value does not.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { parse } from "jsonc-parser";
import { describe, expect, it } from "vitest";
import { readProject } from "../project/project-file.js";
import { ROOT } from "./helpers/cli.js";

const schema = JSON.parse(readFileSync(path.join(ROOT, "schema/callflow.schema.json"), "utf8")) as object;
const validate = new Ajv({ allErrors: true }).compile(schema);
const example = readFileSync(path.join(ROOT, "examples/callflow.json"), "utf8");

describe("callflow.schema.json", () => {
  it("validates the examples' callflow.json (comments allowed, as callflow reads it)", () => {
    expect(validate(parse(example)), JSON.stringify(validate.errors)).toBe(true);
    expect(readProject(example, "callflow.json", ROOT).diagnostics).toEqual([]);
  });

  it("rejects a secret written as a value, an unknown key and a wrong emit kind, as callflow does", () => {
    const bad = {
      flows: ["*.flow"],
      compile: { outDir: "out", emit: "cjs" },
      environments: { prod: { config: {}, secrets: { CRM_TOKEN: "s3cr3t" } } },
      deploy: {},
    };
    expect(validate(bad)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath).sort();
    expect(paths).toEqual(expect.arrayContaining(["", "/compile/emit", "/environments/prod/secrets/CRM_TOKEN"]));
    const read = readProject(JSON.stringify(bad, null, 2), "callflow.json", ROOT);
    expect(read.diagnostics.map((d) => d.code).sort()).toEqual(["CF4002", "CF4002", "CF4003"]);
  });

  it("is shipped in the package and allows serve's settings, refusing a misspelt one", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("schema");
    expect(validate({ serve: { authSecret: "API_TOKEN" } })).toBe(true);
    expect(validate({ serve: { authSecrt: "API_TOKEN" } })).toBe(false);
    expect(validate({ serve: 8080 })).toBe(false);
    // callflow itself says the same, with the place.
    const read = readProject('{ "serve": { "authSecrt": "API_TOKEN" } }', "callflow.json", ROOT);
    expect(read.diagnostics.map((d) => [d.code, d.span.column, d.message])).toEqual([
      ["CF4003", 14, "Unknown key 'authSecrt' in serve: use authSecret, deadline."],
    ]);
    expect(readProject('{ "serve": { "authSecret": "API_TOKEN" } }', "callflow.json", ROOT).project?.serve).toEqual({
      authSecret: "API_TOKEN",
    });
  });

  it("reads a deadline for the server and per environment, as a flow writes durations", () => {
    const good = { serve: { deadline: "10s" }, environments: { connect: { config: {}, deadline: "8s" } } };
    expect(validate(good)).toBe(true);
    const read = readProject(JSON.stringify(good), "callflow.json", ROOT);
    expect(read.diagnostics).toEqual([]);
    expect(read.project?.serve.deadline?.value).toBe(10_000);
    expect(read.project?.environments.get("connect")?.deadline?.value).toBe(8000);
    const bad = { serve: { deadline: 8 }, environments: { connect: { deadline: "8 seconds" } } };
    expect(validate(bad)).toBe(false);
    expect(readProject(JSON.stringify(bad), "callflow.json", ROOT).diagnostics.map((d) => d.message)).toEqual([
      'serve.deadline must be a duration such as "8s" or "1500ms".',
      'connect.deadline must be a duration such as "8s" or "1500ms".',
    ]);
  });

  it("reports JSON that does not parse once per place, with its line and column", () => {
    const read = readProject('{\n  "environments": { "prod": { "config": {} }\n', "callflow.json", ROOT);
    expect(read.diagnostics.map((d) => [d.code, d.span.line, d.span.column, d.message])).toEqual([
      ["CF4001", 3, 1, "callflow.json is not valid JSON: CloseBraceExpected."],
    ]);
  });
});
