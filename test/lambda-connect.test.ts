// connectHandler (callflow/aws-lambda) answers AWS's documented Amazon Connect event with a flow's run, against a
// real node:http upstream: parameters converted by declared type, attributes and the customer's number mapped
// onto inputs, a flat map of strings (or JSON), masked values left out unless the author unmasks them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  connectHandler,
  flowHandler,
  secretsManagerSecrets,
  secretsOnce,
  sourcedSecrets,
  staticSecrets,
  type ConnectEvent,
} from "../dist/lambda/index.js";
import type { FlowDefinition, Vars } from "../dist/runtime/index.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import {
  CONTRACT_SECRET,
  contractConfig,
  contractFlow,
  contractUpstream,
  scriptUpstream,
} from "./helpers/run-contract.js";

const documented = JSON.parse(
  readFileSync(new URL("fixtures/aws/connect-event.json", import.meta.url), "utf8"),
) as ConnectEvent;
const context = { getRemainingTimeInMillis: () => 8_000 };
const secrets = staticSecrets({ [CONTRACT_SECRET.name]: CONTRACT_SECRET.value });

/** The documented event with the block's parameters (and contact attributes) of a test. */
function connectEvent(parameters: Record<string, string>, attributes: Record<string, string> = {}): ConnectEvent {
  return {
    ...documented,
    Details: {
      ...documented.Details,
      ContactData: { ...documented.Details.ContactData, Attributes: attributes },
      Parameters: parameters,
    },
  };
}

let upstream: TestServer;
let flow: FlowDefinition<Vars, string, string>;
/** The environment's config: where the flow's requests go, never a parameter's choice. */
let config: Record<string, unknown>;

beforeAll(async () => {
  upstream = await contractUpstream();
  config = contractConfig(upstream.url);
  flow = await contractFlow();
});
afterAll(() => upstream.close());

describe("connectHandler", () => {
  it("answers a flat map of strings: outcome, exit, queue and the unmasked variables", async () => {
    const handler = connectHandler(flow, { secrets, config });
    const result = await handler(connectEvent({ account: "1001", attempt: "3" }), context);
    expect(result).toEqual({
      account: "1001",
      attempt: "3",
      balance: "1250.5",
      owner: '{"name":"Ada","vip":true}',
      vip: "true",
      outcome: "route",
      exit: "vip_queue",
      queue: "vip",
    });
    expect(Object.values(result).every((value) => typeof value === "string")).toBe(true);
    // The parameter "3" reached the flow as the number it is declared as.
    expect(upstream.hits("/accounts/1001").at(-1)?.query.get("attempt")).toBe("3");
  });

  it("sends requests where the config says: a parameter named like a config does not change it", async () => {
    const elsewhere = await startServer();
    try {
      scriptUpstream(elsewhere);
      upstream.reset();
      const result = await connectHandler(flow, { secrets, config })(
        connectEvent({ api_base: elsewhere.url, account: "1001" }),
        context,
      );
      expect(result).toMatchObject({ outcome: "route", exit: "vip_queue" });
      expect(result).not.toHaveProperty("api_base");
      expect(upstream.hits("/accounts/1001")).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("answers typed, nested JSON when asked", async () => {
    const handler = connectHandler(flow, { secrets, config, response: "json" });
    const result = await handler(connectEvent({ account: "1002" }), context);
    expect(result).toMatchObject({ outcome: "end", exit: "done", balance: 17, vip: false, owner: { name: "Ada" } });
  });

  it("returns a masked variable only when the author unmasks it", async () => {
    const event = connectEvent({ account: "1002" });
    expect(await connectHandler(flow, { secrets, config })(event, context)).not.toHaveProperty("card_last4");
    const unmasked = await connectHandler(flow, { secrets, config, unmasked: ["card_last4"] })(event, context);
    expect(unmasked["card_last4"]).toBe("4242");
  });

  it("fills inputs from contact attributes and the customer's number; a parameter wins", async () => {
    const byNumber = await connectHandler(flow, { secrets, config, customerNumber: "account" })(
      connectEvent({}),
      context,
    );
    expect(byNumber).toMatchObject({ account: "+1234567890" });
    expect(decodeURIComponent(upstream.requests.at(-1)?.path ?? "")).toBe("/accounts/+1234567890");
    const mapped = await connectHandler(flow, { secrets, config, attributes: { account: "AccountId" } })(
      connectEvent({}, { AccountId: "1002" }),
      context,
    );
    expect(mapped).toMatchObject({ account: "1002", outcome: "end" });
    const parameterWins = await connectHandler(flow, { secrets, config, attributes: { account: "AccountId" } })(
      connectEvent({ account: "1001" }, { AccountId: "1002" }),
      context,
    );
    expect(parameterWins).toMatchObject({ account: "1001", exit: "vip_queue" });
  });

  it("answers inputs that do not fit with the problems, in strings", async () => {
    const result = await connectHandler(flow, { secrets, config })(connectEvent({ attempt: "two" }), context);
    expect(result).toEqual({
      outcome: "failed",
      error_code: "invalid-input",
      error_message: "account is required; attempt must be a number",
    });
  });

  it("cancels the run before Lambda's time is up and answers the failure", async () => {
    upstream.route("/accounts/slow", { delayMs: 5_000, json: { balance: 1 } });
    const handler = connectHandler(flow, { secrets, config, marginMs: 200 });
    const result = await handler(connectEvent({ account: "slow" }), {
      getRemainingTimeInMillis: () => 700,
    });
    expect(result).toEqual({
      account: "slow",
      attempt: "1",
      balance: "0",
      vip: "false",
      outcome: "failed",
      exit: "lookup",
      error_code: "deadline",
      error_message: "the run did not finish within 500 ms",
    });
  });

  it("refuses options that name no such variable, and a variable named like a key of the answer", () => {
    expect(() => connectHandler(flow, { unmasked: ["balance"] })).toThrow(/'balance' is not a masked variable/);
    expect(() => connectHandler(flow, { customerNumber: "caller" })).toThrow(/'caller' is not an input/);
    // A config is the environment's: no contact attribute may fill it.
    expect(() => connectHandler(flow, { attributes: { api_base: "ApiBase" } })).toThrow(/'api_base' is not an input/);
    const clash = {
      ...flow,
      variables: { ...flow.variables, outcome: { scope: "local", type: "string", masked: false } },
    };
    expect(() => connectHandler(clash as typeof flow)).toThrow(/variable 'outcome' has the name of a key/);
  });
});

describe("flowHandler", () => {
  it("answers HTTP for a flow whose variable clashes with the Connect answer, and fails Connect events with the reason", async () => {
    const clash = {
      ...flow,
      variables: { ...flow.variables, queue: { scope: "local", type: "string", masked: false } },
    } as typeof flow;
    const handler = flowHandler(clash, { secrets, config });
    const http = await handler(
      {
        version: "2.0",
        rawPath: "/flows/balance/runs",
        headers: { "content-type": "application/json" },
        requestContext: { http: { method: "POST" } },
        body: JSON.stringify({ account: "1002" }),
      },
      context,
    );
    expect(http).toMatchObject({ statusCode: 200 });
    await expect(handler(connectEvent({ account: "1002" }), context)).rejects.toThrow(
      "balance cannot answer Amazon Connect: variable 'queue' has the name of a key of the answer",
    );
    await expect(handler({ Records: [] }, context)).rejects.toThrow("not an Amazon Connect event");
  });
});

describe("secretsOnce", () => {
  it("loads once per container, and again after a failed load", async () => {
    let loads = 0;
    const provider = secretsOnce(async () => {
      loads++;
      if (loads === 1) throw new Error("vault unreachable");
      return { [CONTRACT_SECRET.name]: CONTRACT_SECRET.value };
    });
    await expect(Promise.resolve(provider(CONTRACT_SECRET.name))).rejects.toThrow("vault unreachable");
    const handler = connectHandler(flow, { secrets: provider, config });
    for (let i = 0; i < 3; i++)
      expect(await handler(connectEvent({ account: "1002" }), context)).toMatchObject({
        outcome: "end",
      });
    expect(loads).toBe(2);
  });
});

describe("sourcedSecrets", () => {
  it("reads each source once when awaited: a variable, a file without its final line break; an unreadable one is logged by its source", async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), "callflow-sourced-"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const file = path.join(folder, "bank_token");
      writeFileSync(file, CONTRACT_SECRET.value + "\n");
      const env: Record<string, string> = { OTHER: "other-value" };
      const provider = await sourcedSecrets(
        { [CONTRACT_SECRET.name]: { file }, OTHER: { env: "OTHER" }, GONE: { env: "UNSET_VARIABLE" } },
        env,
      );
      // Read at the await: later changes to the file or the variables are not seen.
      writeFileSync(file, "changed");
      env["OTHER"] = "changed";
      expect(await provider(CONTRACT_SECRET.name)).toBe(CONTRACT_SECRET.value);
      expect(await provider("OTHER")).toBe("other-value");
      expect(await provider("GONE")).toBeUndefined();
      expect(warn.mock.calls).toEqual([["callflow: secret GONE: env UNSET_VARIABLE is not set"]]);
      const result = await connectHandler(flow, { secrets: provider, config })(
        connectEvent({ account: "1002" }),
        context,
      );
      expect(result).toMatchObject({ outcome: "end" });
      expect(upstream.hits("/accounts/1002").at(-1)?.headers.authorization).toBe(`Bearer ${CONTRACT_SECRET.value}`);
    } finally {
      warn.mockRestore();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("secretsManagerSecrets", () => {
  it("reads one JSON secret through the Parameters and Secrets extension, once, with the session token", async () => {
    const extension = await startServer();
    try {
      extension.route("/secretsmanager/get", {
        json: { Name: "prod/balance", SecretString: JSON.stringify({ [CONTRACT_SECRET.name]: CONTRACT_SECRET.value }) },
      });
      const env = {
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(extension.url).port,
        AWS_SESSION_TOKEN: "session-token-for-the-extension",
      };
      const handler = connectHandler(flow, { secrets: secretsManagerSecrets("prod/balance", env), config });
      for (let i = 0; i < 2; i++)
        expect(await handler(connectEvent({ account: "1002" }), context)).toMatchObject({
          outcome: "end",
        });
      const reads = extension.hits("/secretsmanager/get");
      expect(reads).toHaveLength(1);
      expect(reads[0]!.query.get("secretId")).toBe("prod/balance");
      expect(reads[0]!.headers["x-aws-parameters-secrets-token"]).toBe(env.AWS_SESSION_TOKEN);
      expect(upstream.hits("/accounts/1002").at(-1)?.headers.authorization).toBe(`Bearer ${CONTRACT_SECRET.value}`);
    } finally {
      await extension.close();
    }
  });

  it("fails the run, naming the secret's id and not its text, when the secret is not a JSON object", async () => {
    const extension = await startServer();
    try {
      extension.route("/secretsmanager/get", { json: { SecretString: "plain-text-value" } });
      const env = { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(extension.url).port };
      const handler = connectHandler(flow, {
        secrets: secretsManagerSecrets("prod/balance", env),
        config,
        response: "json",
      });
      const result = await handler(connectEvent({ account: "1002" }), context);
      expect(JSON.stringify(result)).not.toContain("plain-text-value");
      // The http step fails on the provider's error and takes its fail exit.
      expect(result).toMatchObject({ exit: "agents" });
    } finally {
      await extension.close();
    }
  });
});
