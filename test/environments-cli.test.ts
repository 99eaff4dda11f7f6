// Environments through the real CLI: `config` values from callflow.json, checks located in
// callflow.json, a run per environment against a real server, secret sources, the egress rule,
// `env diff` exit codes and .flowtest config.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

let dir: string;
let server: TestServer;
const STAGING_TOKEN = "staging-token-8d1f";
const PROD_TOKEN = "prod-token-2c7e";

const FLOW = `flow lookup {
  config api_base: url
  config region: string masked
  global order_id: string
  local status: number = 0
  secret CRM_TOKEN

  start -> call

  http call {
    method GET
    url "{{api_base}}/orders/{{order_id}}"
    headers {
      "X-Region" = region
    }
    authorization "Bearer {{secret.CRM_TOKEN}}"
    results {
      status -> status
    }
    success -> done
    fail -> done
  }

  end done
}
`;

function project(environments: string): string {
  return `{
  // a comment, as tsconfig.json allows
  "flows": ["flows/*.flow"],
  "environments": ${environments}
}
`;
}

function callflow(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, encoding: "utf8" },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

function environments(): string {
  return JSON.stringify(
    {
      staging: {
        config: { api_base: `${server.url}/staging`, region: "eu-staging" },
        secrets: { CRM_TOKEN: { env: "STAGING_CRM_TOKEN" } },
      },
      prod: {
        config: { api_base: `${server.url}/prod`, region: "eu" },
        secrets: { CRM_TOKEN: { file: path.join(dir, "secrets", "crm_token") } },
      },
    },
    null,
    2,
  );
}

beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(path.join(tmpdir(), "callflow-env-"));
  mkdirSync(path.join(dir, "flows"));
  mkdirSync(path.join(dir, "secrets"));
  writeFileSync(path.join(dir, "flows", "lookup.flow"), FLOW);
  writeFileSync(path.join(dir, "secrets", "crm_token"), `${PROD_TOKEN}\n`);
  writeFileSync(path.join(dir, "callflow.json"), project(environments()));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("callflow run --env", () => {
  it("sends each environment's base URL and token to the server, and shows neither token nor masked config", async () => {
    server.reset();
    const staging = await callflow(["run", "flows/lookup.flow", "--env", "staging", "-g", "order_id=7"], {
      STAGING_CRM_TOKEN: STAGING_TOKEN,
    });
    expect(staging.code, staging.stderr).toBe(0);
    const prod = await callflow(["run", "flows/lookup.flow", "--env", "prod", "-g", "order_id=8"]);
    expect(prod.code, prod.stderr).toBe(0);
    const seen = server.requests.map((r) => [r.path, r.headers["authorization"], r.headers["x-region"]]);
    expect(seen).toEqual([
      ["/staging/orders/7", `Bearer ${STAGING_TOKEN}`, "eu-staging"],
      ["/prod/orders/8", `Bearer ${PROD_TOKEN}`, "eu"],
    ]);
    for (const out of [staging.stdout, staging.stderr, prod.stdout, prod.stderr]) {
      expect(out).not.toContain(STAGING_TOKEN);
      expect(out).not.toContain(PROD_TOKEN);
      expect(out).not.toContain("eu-staging");
    }
  });

  it("fails before the first request, naming the secret and its source, when a variable is unset or a file unreadable", async () => {
    server.reset();
    const unset = await callflow(["run", "flows/lookup.flow", "--env", "staging", "-g", "order_id=7"], {
      STAGING_CRM_TOKEN: "",
    });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain(
      "callflow run: secret CRM_TOKEN (environment staging): env STAGING_CRM_TOKEN is not set",
    );
    writeFileSync(
      path.join(dir, "callflow.json"),
      project(environments().replace(path.join(dir, "secrets", "crm_token"), path.join(dir, "secrets", "missing"))),
    );
    try {
      const missing = await callflow(["run", "flows/lookup.flow", "--env", "prod", "-g", "order_id=7"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        `callflow run: secret CRM_TOKEN (environment prod): file ${path.join(dir, "secrets", "missing")} cannot be read (ENOENT)`,
      );
    } finally {
      writeFileSync(path.join(dir, "callflow.json"), project(environments()));
    }
    expect(server.requests).toEqual([]);
  });

  it("never takes a config from --global; --config overrides one for local experiments", async () => {
    server.reset();
    const global = await callflow([
      "run",
      "flows/lookup.flow",
      "--env",
      "prod",
      "-g",
      "order_id=7",
      "-g",
      "api_base=http://evil.example",
    ]);
    expect(global.code).toBe(2);
    expect(global.stderr).toContain("'api_base' is a config, set by the environment");
    const local = await callflow([
      "run",
      "flows/lookup.flow",
      "--env",
      "prod",
      "-g",
      "order_id=9",
      "--config",
      `api_base=${server.url}/local`,
    ]);
    expect(local.code, local.stderr).toBe(0);
    expect(server.requests.map((r) => r.path)).toEqual(["/local/orders/9"]);
  });
});

describe("callflow check --env", () => {
  it("locates a missing config, a mistyped one and a typo in callflow.json, with the declaration as related", async () => {
    const text = project(`{
    "staging": {
      "config": { "api_base": "https://crm.staging.example", "region": "eu", "regoin": "x" },
      "secrets": { "CRM_TOKEN": { "env": "STAGING_CRM_TOKEN" } }
    },
    "prod": {
      "config": { "api_base": "crm.example" },
      "secrets": { "CRM_TOKEN": { "file": "/run/secrets/crm_token" } }
    }
  }`);
    writeFileSync(path.join(dir, "callflow.json"), text);
    try {
      const prod = await callflow(["check", "flows", "--env", "prod", "--format", "json"]);
      expect(prod.code).toBe(1);
      const report = JSON.parse(prod.stdout) as {
        diagnostics: {
          code: string;
          file: string;
          line: number;
          column: number;
          message: string;
          related?: { file: string; line: number }[];
        }[];
        secretSources: unknown;
      };
      const found = report.diagnostics.map((d) => [
        d.code,
        d.file,
        d.line,
        d.column,
        d.related?.[0]?.file,
        d.related?.[0]?.line,
      ]);
      // The api_base that is not a URL at its value, the missing region at prod's "config" key.
      expect(found).toEqual([
        ["CF4006", "callflow.json", 10, 31, "flows/lookup.flow", 2],
        ["CF4005", "callflow.json", 10, 7, "flows/lookup.flow", 3],
      ]);
      expect(report.secretSources).toEqual({ prod: { CRM_TOKEN: { file: "/run/secrets/crm_token" } } });

      // Without --env every environment is checked; the pretty report shows a code frame in callflow.json.
      const all = await callflow(["check", "flows"]);
      expect(all.code).toBe(1);
      expect(all.stdout).toContain(
        "callflow.json:6:78 - error CF4007: Environment 'staging' sets config 'regoin', which no flow of the project declares.",
      );
      expect(all.stdout).toContain("hint: did you mean 'region'?");
      expect(all.stdout).toContain(
        '> 6 |       "config": { "api_base": "https://crm.staging.example", "region": "eu", "regoin": "x" },',
      );
      expect(all.stdout).toContain("environment staging: secret CRM_TOKEN from env STAGING_CRM_TOKEN");
      expect(all.stdout).toContain("environment prod: secret CRM_TOKEN from file /run/secrets/crm_token");

      const sarif = await callflow(["check", "flows", "--env", "prod", "--format", "sarif"]);
      expect(sarif.stdout).toContain('"uri": "callflow.json"');
    } finally {
      writeFileSync(path.join(dir, "callflow.json"), project(environments()));
    }
  });

  it("exits 2 for an environment the project does not have", async () => {
    const result = await callflow(["check", "flows", "--env", "qa"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("There is no environment 'qa' in callflow.json: use staging, prod.");
  });
});

describe("the egress rule", () => {
  const egress = (auth: string): string => `flow next {
  global next_url: url
  secret T
  start -> call
  http call {
    method GET
    url "{{next_url}}"
    ${auth}
    success -> done
    fail -> done
  }
  end done
}
`;

  it("is an error when a request carrying a secret goes to a URL a global decides, a warning otherwise", async () => {
    writeFileSync(path.join(dir, "next.flow"), egress('authorization "Bearer {{secret.T}}"'));
    const error = await callflow(["check", "next.flow", "--project", "callflow.json"]);
    expect(error.code).toBe(1);
    expect(error.stdout).toContain(
      "next.flow:7:10 - error CF2062: Widget 'call' sends a secret or masked value to a host decided by 'next_url'",
    );
    expect(error.stdout).toContain("hint: declare `config NAME: url` and start the URL with {{NAME}}");
    writeFileSync(
      path.join(dir, "next.flow"),
      egress('headers { "Accept" = "application/json" }').replace("  secret T\n", ""),
    );
    const warning = await callflow(["check", "next.flow"]);
    expect(warning.code).toBe(0);
    expect(warning.stdout).toContain(
      "next.flow:6:10 - warning CF2063: Widget 'call' sends its request to a host decided by 'next_url'",
    );
    rmSync(path.join(dir, "next.flow"));
  });
});

describe("callflow env diff", () => {
  it("exits 0 when both environments have the same keys, shows secrets by source and masked configs as ••••", async () => {
    const result = await callflow(["env", "diff", "staging", "prod"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        "env diff staging → prod",
        `~ config api_base: "${server.url}/staging" → "${server.url}/prod"`,
        "~ config region: •••• → ••••",
        `~ secret CRM_TOKEN: env STAGING_CRM_TOKEN → file ${path.join(dir, "secrets", "crm_token")}`,
        "",
      ].join("\n"),
    );
  });

  it("exits 1 when a key is missing on either side, in every format", async () => {
    writeFileSync(path.join(dir, "callflow.json"), project(environments().replace(/,\s*"region": "eu"\n/, "\n")));
    try {
      const text = await callflow(["env", "diff", "staging", "prod"]);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain("- config region: •••• (missing in prod)");
      const json = await callflow(["env", "diff", "prod", "staging", "--format", "json"]);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        from: "prod",
        to: "staging",
        missing: 1,
        changes: expect.arrayContaining([{ kind: "config", name: "region", change: "missing-in-from", to: "••••" }]),
      });
      const markdown = await callflow(["env", "diff", "staging", "prod", "--format", "markdown"]);
      expect(markdown.code).toBe(1);
      expect(markdown.stdout).toContain("| **missing** | config `region` | `••••` | — |");
    } finally {
      writeFileSync(path.join(dir, "callflow.json"), project(environments()));
    }
  });
});

describe("callflow test with config", () => {
  const TEST = (config: string): string => `tests for "lookup.flow"

test "found" {
  ${config}
  globals { order_id = "1" }
  secrets { CRM_TOKEN = "test-token-value" }
  mock call { reply 200 }
  expect {
    end done
  }
}
`;

  it("takes config from a config block, or from the environment with --env, and fails without either", async () => {
    writeFileSync(
      path.join(dir, "flows", "block.flowtest"),
      TEST('config { api_base = "https://crm.test"  region = "eu" }'),
    );
    writeFileSync(path.join(dir, "flows", "env.flowtest"), TEST(""));
    try {
      const block = await callflow(["test", "flows/block.flowtest"]);
      expect(block.code, block.stdout).toBe(0);
      const withEnv = await callflow(["test", "flows/env.flowtest", "--env", "staging"]);
      expect(withEnv.code, withEnv.stdout).toBe(0);
      const without = await callflow(["test", "flows/env.flowtest"]);
      expect(without.code).toBe(1);
      expect(without.stdout).toContain("test error: missing config api_base; give it in config { } or run with --env");
    } finally {
      rmSync(path.join(dir, "flows", "block.flowtest"));
      rmSync(path.join(dir, "flows", "env.flowtest"));
    }
  });
});

describe("callflow compile with no arguments", () => {
  it("compiles the project's flows into compile.outDir, with the typed config", async () => {
    const text = project(environments()).replace(
      '"flows": ["flows/*.flow"],',
      '"flows": ["flows/*.flow"],\n  "compile": { "outDir": "gen" },',
    );
    writeFileSync(path.join(dir, "callflow.json"), text);
    try {
      const result = await callflow(["compile"]);
      expect(result.code, result.stderr).toBe(0);
      const module = readFileSync(path.join(dir, "gen", "lookup.flow.ts"), "utf8");
      expect(module).toContain("export type LookupConfig = {");
      expect(module).toContain(
        "options: RunOptions<LookupVariables, LookupWidgetId> & { readonly config: LookupConfig }",
      );
    } finally {
      writeFileSync(path.join(dir, "callflow.json"), project(environments()));
    }
  });
});

describe("callflow diff of a config declaration", () => {
  it("shows a global turned into a config, and a config's type changed", async () => {
    const old = FLOW.replace("  config api_base: url\n", "  global api_base: string\n");
    writeFileSync(path.join(dir, "old.flow"), old);
    try {
      const result = await callflow(["diff", "old.flow", "flows/lookup.flow"]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain("~ api_base scope: global → config");
      expect(result.stdout).toContain("~ api_base type: string → url");
    } finally {
      rmSync(path.join(dir, "old.flow"));
    }
  });
});
