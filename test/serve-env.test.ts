// `callflow serve --env`: a real child process reading callflow.json, its flow calling real node:http upstreams.
// Config values and secrets come from the environment only, all read before the server listens; a caller's body
// never decides where a request goes.
import { copyFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "./compile-helpers.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { SERVE_FIXTURES, serve, serveFails, type Served } from "./helpers/serve.js";

const TOKEN = "caller-token-env-61b3";
const CRM = "crm-from-file-8d02";
const WRONG = "crm-from-callflow-secret-variable";
const order = { order_id: "A-1", email: "ann@example.com", pin: "4321" };

/** A folder holding lookup.flow and, unless `project` is undefined, this callflow.json. */
function projectDir(prefix: string, project: unknown): { dir: string; remove: () => void } {
  const temp = tempDir(prefix);
  copyFileSync(path.join(SERVE_FIXTURES, "lookup.flow"), path.join(temp.dir, "lookup.flow"));
  if (project !== undefined) writeFileSync(path.join(temp.dir, "callflow.json"), JSON.stringify(project, null, 2));
  return temp;
}

describe("callflow serve --env: config and secrets from callflow.json", () => {
  let upstream: TestServer;
  let decoy: TestServer;
  let served: Served;
  let project: { dir: string; remove: () => void };

  beforeAll(async () => {
    upstream = await startServer();
    decoy = await startServer();
    upstream.route("/orders/A-1", { json: { shipDate: "2026-12-24", last4: "9876" } });
    decoy.route("/orders/A-1", { json: { shipDate: "decoy" } });
    project = projectDir("serve-env", undefined);
    // A file source is absolute in practice (/run/secrets/...); the final line break is not part of the value.
    const tokenFile = path.join(project.dir, "crm_token.txt");
    writeFileSync(tokenFile, `${CRM}\n`);
    writeFileSync(
      path.join(project.dir, "callflow.json"),
      JSON.stringify({
        environments: {
          test: {
            config: { api_base: upstream.url },
            secrets: { CRM_TOKEN: { file: tokenFile }, API_TOKEN: { env: "SERVE_ENV_API_TOKEN" } },
            // The environment's deadline, under the server's: the run is cut at the shorter one.
            deadline: "3s",
          },
        },
        serve: { authSecret: "API_TOKEN", deadline: "20s" },
      }),
    );
    served = await serve(["--env", "test"], {
      cwd: project.dir,
      // With --env, CALLFLOW_SECRET_* is not a source: this value must never be sent.
      env: { SERVE_ENV_API_TOKEN: TOKEN, CALLFLOW_SECRET_CRM_TOKEN: WRONG },
    });
  });
  afterAll(async () => {
    await served?.stop();
    await upstream?.close();
    await decoy?.close();
    project?.remove();
  });

  const post = (body: unknown, authorization = `Bearer ${TOKEN}`): Promise<Response> =>
    fetch(`${served.url}/flows/order_lookup/runs`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization },
      body: JSON.stringify(body),
    });

  test("a run sends the environment's api_base and the secret read from a file; the bearer token is serve.authSecret's, from a variable", async () => {
    expect((await post(order, "")).status).toBe(401);
    expect((await post(order, "Bearer caller-token-wrong")).status).toBe(401);
    const response = await post(order);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { outcome: string; variables: Record<string, unknown> };
    expect(body.outcome).toBe("end");
    expect(body.variables).not.toHaveProperty("api_base");
    const calls = upstream.hits("/orders/A-1");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${CRM}`);
    expect(served.stderr()).not.toContain(CRM);
    expect(served.stderr()).not.toContain(TOKEN);
  });

  test("a caller's body naming the config does not move the request: it still goes to the environment's host", async () => {
    upstream.reset();
    for (const body of [
      { ...order, api_base: decoy.url },
      { ...order, config: { api_base: decoy.url } },
    ]) {
      const response = await post(body);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ outcome: "end", variables: { ship_date: "2026-12-24" } });
    }
    const form = await fetch(`${served.url}/flows/order_lookup/runs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${TOKEN}` },
      body: new URLSearchParams({ ...order, api_base: decoy.url }).toString(),
    });
    expect(form.status).toBe(200);
    expect(upstream.hits("/orders/A-1")).toHaveLength(3);
    expect(decoy.requests).toHaveLength(0);
  });
  test("without --deadline, the environment's deadline from callflow.json cancels a run: 504", async () => {
    upstream.route("/orders/stuck", { hang: true });
    const response = await post({ ...order, order_id: "stuck" });
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({
      error: { code: "deadline", message: "the run did not finish within 3000 ms" },
    });
  });
});

describe("callflow serve --env: what is missing stops the start", () => {
  const secretValue = "api-token-value-never-printed";

  test("a config without a value, or with a value of the wrong form: exit 2 naming it, never a value", async () => {
    const cases = [
      { config: {}, says: "config api_base has no value (environment test)" },
      { config: { api_base: "ftp://files.example/x" }, says: "config api_base must be" },
    ];
    for (const { config, says } of cases) {
      const project = projectDir("serve-env-config", {
        environments: {
          test: {
            config,
            secrets: { CRM_TOKEN: { env: "SERVE_ENV_CRM" }, API_TOKEN: { env: "SERVE_ENV_API_TOKEN" } },
          },
        },
        serve: { authSecret: "API_TOKEN" },
      });
      try {
        const failed = await serveFails(["--env", "test"], project.dir, {
          SERVE_ENV_CRM: CRM,
          SERVE_ENV_API_TOKEN: secretValue,
        });
        expect(failed.code).toBe(2);
        expect(failed.stderr).toContain(says);
        expect(failed.stderr).toContain("not started");
        expect(failed.stderr).not.toMatch(new RegExp(`${CRM}|${secretValue}|ftp://`));
      } finally {
        project.remove();
      }
    }
  });

  test("a secret file that cannot be read: exit 2 naming the secret and its source, never a value", async () => {
    const project = projectDir("serve-env-nofile", undefined);
    const missingFile = path.join(project.dir, "no-such-secret.txt");
    writeFileSync(
      path.join(project.dir, "callflow.json"),
      JSON.stringify({
        environments: {
          test: {
            config: { api_base: "https://crm.example" },
            secrets: { CRM_TOKEN: { file: missingFile }, API_TOKEN: { env: "SERVE_ENV_API_TOKEN" } },
          },
        },
        serve: { authSecret: "API_TOKEN" },
      }),
    );
    try {
      const failed = await serveFails(["--env", "test"], project.dir, {
        SERVE_ENV_API_TOKEN: secretValue,
        CALLFLOW_SECRET_CRM_TOKEN: WRONG,
      });
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain("secret CRM_TOKEN (environment test)");
      expect(failed.stderr).toContain(missingFile);
      expect(failed.stderr).toContain("cannot be read (ENOENT)");
      expect(failed.stderr).not.toContain(secretValue);
      expect(failed.stderr).not.toContain(WRONG);
    } finally {
      project.remove();
    }
  });

  test("a flow that declares a config, served without a project, does not start; --env without callflow.json neither", async () => {
    const folder = projectDir("serve-env-noproject", undefined);
    try {
      const env = { CALLFLOW_SECRET_CRM_TOKEN: CRM };
      const failed = await serveFails([], folder.dir, env);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain(
        "flow order_lookup declares config api_base: serve it with an environment of callflow.json",
      );
      const noProject = await serveFails(["--env", "test"], folder.dir, env);
      expect(noProject.code).toBe(2);
      expect(noProject.stderr).toContain("--env needs a readable callflow.json");
    } finally {
      folder.remove();
    }
  });
});
