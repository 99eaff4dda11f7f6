// `callflow bundle --target aws-lambda` end to end: the CLI as a child process bundles a flow; the zip is unpacked
// into an empty folder outside the repository and its index.mjs imported by a fresh Node 22 process (Lambda's
// nodejs22.x), which answers AWS's documented Amazon Connect and function URL events against a real node:http
// upstream, with the config and secret sources of an environment of callflow.json baked in. Skipped, saying so,
// when Node 22 cannot be had.
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import yauzl from "yauzl";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import {
  CONTRACT_CASES,
  CONTRACT_FLOW,
  CONTRACT_SECRET,
  CONTRACT_TOKEN,
  contractConfig,
  contractHeaders,
  contractPath,
  contractUpstream,
  withUpstream,
} from "./helpers/run-contract.js";

const exec = promisify(execFile);
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(ROOT, "test/fixtures/aws", name), "utf8")) as Record<string, unknown>;
const CONNECT = fixture("connect-event.json");
const FUNCTION_URL = fixture("function-url-event.json");
const BUDGET_BYTES = 1024 * 1024;
/** The variables the environment `prod` names as its secrets' sources (the function's, set at deploy). */
const PROD_VARIABLES = { bank: "PROD_BANK_TOKEN" } as const;

/** A callflow.json in `folder`: `prod` gives balance.flow `config` (the contract's) and its secrets' sources. */
function writeProject(folder: string, config: Record<string, unknown>, tokenFile: string): string {
  const file = path.join(folder, "callflow.json");
  writeFileSync(
    file,
    JSON.stringify({
      defaultEnvironment: "prod",
      environments: {
        prod: {
          config,
          secrets: {
            [CONTRACT_SECRET.name]: { env: PROD_VARIABLES.bank },
            [CONTRACT_TOKEN.name]: { file: tokenFile },
          },
        },
      },
    }),
  );
  return file;
}

/** Node 22's executable, fetched by npm as `npm exec --package=node@22` does; undefined when it cannot be had. */
async function node22(): Promise<string | undefined> {
  try {
    const { stdout } = await exec(
      "npm",
      ["exec", "--yes", "--package=node@22", "--", "node", "-p", "process.execPath"],
      {
        timeout: 240_000,
      },
    );
    return stdout.trim();
  } catch {
    return undefined;
  }
}

const NODE22 = await node22();
if (NODE22 === undefined) console.warn("lambda-bundle: Node 22 could not be had (npm exec --package=node@22); skipped");

/** Reads the entries of a zip: name → bytes. */
function unzip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, Buffer>();
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error !== null) return reject(error);
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError !== null) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(entries));
      zip.readEntry();
    });
  });
}

/** What the driver prints per event: the handler's answer and how long it took. */
interface Answered {
  readonly result: Record<string, unknown>;
  readonly elapsedMs: number;
}

// The fresh process: imports the handler, answers each event with a context whose time left runs down as Lambda's does.
const DRIVER = `
const { handler } = await import(process.argv[2]);
const cases = JSON.parse(await new Response(process.stdin).text());
const answers = [];
for (const { event, remainingMs } of cases) {
  const started = performance.now();
  const context = { getRemainingTimeInMillis: () => remainingMs - (performance.now() - started) };
  const result = await handler(event, context);
  answers.push({ result, elapsedMs: performance.now() - started });
}
process.stdout.write(JSON.stringify(answers));
`;

describe.skipIf(NODE22 === undefined)("callflow bundle --target aws-lambda, run by Node 22", () => {
  let upstream: TestServer;
  let work: string;
  let out: string;
  let unpacked: string;

  beforeAll(async () => {
    upstream = await contractUpstream();
    upstream.route("/accounts/slow", { delayMs: 10_000, json: { balance: 1 } });
    work = mkdtempSync(path.join(os.tmpdir(), "callflow-bundle-"));
    out = path.join(work, "out");
    // The bearer token from a file, as a layer or extension would put it in the container (read at cold start).
    const tokenFile = path.join(work, "api-token");
    writeFileSync(tokenFile, CONTRACT_TOKEN.value + "\n");
    const project = writeProject(work, contractConfig(upstream.url), tokenFile);
    await exec(
      process.execPath,
      [
        CLI,
        "bundle",
        CONTRACT_FLOW,
        "--target",
        "aws-lambda",
        "--out",
        out,
        "--auth-secret",
        CONTRACT_TOKEN.name,
        "--env",
        "prod",
        "--project",
        project,
      ],
      { cwd: ROOT },
    );
    unpacked = path.join(work, "function");
    mkdirSync(unpacked);
    for (const [name, bytes] of await unzip(path.join(out, "balance.zip")))
      writeFileSync(path.join(unpacked, name), bytes);
  });
  afterAll(async () => {
    await upstream.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Answers the events in one fresh Node 22 process, in the unpacked function's folder, with its environment variables. */
  async function answer(
    cases: readonly { event: unknown; remainingMs: number }[],
    folder = unpacked,
    env: Record<string, string> = { [PROD_VARIABLES.bank]: CONTRACT_SECRET.value },
  ): Promise<Answered[]> {
    const driver = path.join(work, "driver.mjs");
    writeFileSync(driver, DRIVER);
    const child = spawn(NODE22!, [driver, pathToFileURL(path.join(folder, "index.mjs")).href], {
      cwd: folder,
      env: { PATH: process.env["PATH"], ...env },
    });
    child.stdin.end(JSON.stringify(cases));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    return JSON.parse(stdout) as Answered[];
  }

  const connect = (parameters: Record<string, string>) => ({
    ...CONNECT,
    Details: { ...(CONNECT["Details"] as object), Parameters: parameters },
  });
  const functionUrl = (c: (typeof CONTRACT_CASES)[number]) => {
    const http = (FUNCTION_URL["requestContext"] as { http: object }).http;
    return {
      ...FUNCTION_URL,
      rawPath: contractPath(c),
      headers: { ...(FUNCTION_URL["headers"] as object), ...contractHeaders(c) },
      requestContext: {
        ...(FUNCTION_URL["requestContext"] as object),
        http: { ...http, method: c.method ?? "POST", path: contractPath(c) },
      },
      body: withUpstream(c.body, upstream.url),
    };
  };

  it("writes DIR/<flow id>/index.mjs and DIR/<flow id>.zip holding only it, under the size budget", async () => {
    expect(readdirSync(out).sort()).toEqual(["balance", "balance.zip"]);
    const entries = await unzip(path.join(out, "balance.zip"));
    expect([...entries.keys()]).toEqual(["index.mjs"]);
    expect(entries.get("index.mjs")!.equals(readFileSync(path.join(out, "balance", "index.mjs")))).toBe(true);
    expect(statSync(path.join(out, "balance.zip")).size).toBeLessThan(BUDGET_BYTES);
    // The runtime and the flow are inlined; the compiler never is.
    const module = entries.get("index.mjs")!.toString("utf8");
    expect(module).not.toMatch(/chevrotain|ts-morph/);
  });

  it("answers Amazon Connect, the function URL contract and the deadline from the unpacked zip", async () => {
    upstream.reset();
    const [connected, ...rest] = await answer([
      // A parameter named like the config is not an input: the request still goes where prod says.
      { event: connect({ api_base: "http://127.0.0.1:9", account: "1001" }), remainingMs: 8_000 },
      ...CONTRACT_CASES.map((c) => ({ event: functionUrl(c), remainingMs: 8_000 })),
      { event: connect({ account: "slow" }), remainingMs: 1_500 },
    ]);
    const late = rest.at(-1)!;

    // Amazon Connect: a flat map of strings, the secret sent upstream but never answered, the masked value left out.
    expect(connected!.result).toEqual({
      account: "1001",
      attempt: "1",
      balance: "1250.5",
      owner: '{"name":"Ada","vip":true}',
      vip: "true",
      outcome: "route",
      exit: "vip_queue",
      queue: "vip",
    });
    expect(Object.values(connected!.result).every((value) => typeof value === "string")).toBe(true);
    // prod's api_base, with the token from the variable prod names.
    expect(upstream.hits("/accounts/1001")[0]?.headers.authorization).toBe(`Bearer ${CONTRACT_SECRET.value}`);

    // The function URL: the serve contract's table, answered the same by the bundle.
    CONTRACT_CASES.forEach((c, index) => {
      const { result } = rest[index]!;
      expect(result["statusCode"], c.name).toBe(c.status);
      expect(JSON.parse(result["body"] as string), c.name).toEqual(withUpstream(c.response, upstream.url));
    });

    // An upstream slower than the time Lambda leaves: cancelled and answered before Lambda's time is up.
    expect(late.result).toMatchObject({ outcome: "failed", exit: "lookup", error_code: "deadline" });
    expect(late.elapsedMs).toBeLessThan(1_500);
    expect(JSON.stringify([connected, ...rest])).not.toContain(CONTRACT_SECRET.value);
  });

  it("reads its secrets from Secrets Manager through the extension with --secrets-manager", async () => {
    const extension = await startServer();
    try {
      extension.route("/secretsmanager/get", {
        json: { SecretString: JSON.stringify({ [CONTRACT_SECRET.name]: CONTRACT_SECRET.value }) },
      });
      const vaulted = path.join(work, "vaulted");
      // prod is callflow.json's defaultEnvironment: its config is baked in, the vault gives the secrets.
      await exec(
        process.execPath,
        [CLI, "bundle", CONTRACT_FLOW, "--target", "aws-lambda", "--out", vaulted, "--secrets-manager", "prod/balance"],
        { cwd: work },
      );
      const folder = path.join(work, "vaulted-function");
      mkdirSync(folder);
      for (const [name, bytes] of await unzip(path.join(vaulted, "balance.zip")))
        writeFileSync(path.join(folder, name), bytes);
      upstream.reset();
      const [answered] = await answer([{ event: connect({ account: "1002" }), remainingMs: 8_000 }], folder, {
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: new URL(extension.url).port,
        AWS_SESSION_TOKEN: "session-1",
      });
      expect(answered!.result).toMatchObject({ outcome: "end", exit: "done" });
      expect(upstream.hits("/accounts/1002")[0]?.headers.authorization).toBe(`Bearer ${CONTRACT_SECRET.value}`);
      expect(extension.hits("/secretsmanager/get")[0]?.headers["x-aws-parameters-secrets-token"]).toBe("session-1");
    } finally {
      await extension.close();
    }
  });
});

describe("callflow bundle: what it refuses, and the same bytes twice", () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), "callflow-bundle-cli-"));
    // Found by walking up from the working folder; prod is its defaultEnvironment.
    writeProject(work, contractConfig("https://bank.example/api"), "/run/secrets/api_token");
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The CLI as a child process; never rejects. */
  async function bundle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await exec(process.execPath, [CLI, "bundle", ...args], { cwd: work });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it("writes the same module and zip for the same flow, environment and options", async () => {
    const args = ["--target", "aws-lambda", "--env", "prod", "--auth-secret", "API_TOKEN", "--unmask", "card_last4"];
    const first = await bundle(CONTRACT_FLOW, ...args, "--out", "one");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^balance: one\/balance\/index\.mjs \(\d+\.\d KB\), one\/balance\.zip \(\d+\.\d KB\)\n$/,
    );
    expect((await bundle(CONTRACT_FLOW, ...args, "--out", "two")).code).toBe(0);
    for (const file of ["balance/index.mjs", "balance.zip"])
      expect(readFileSync(path.join(work, "one", file)).equals(readFileSync(path.join(work, "two", file)))).toBe(true);
    // The config is baked in; of the secrets only where they are read, never a value.
    const module = readFileSync(path.join(work, "one", "balance/index.mjs"), "utf8");
    expect(module).toContain('"https://bank.example/api"');
    expect(module).toContain(PROD_VARIABLES.bank);
    expect(module).not.toContain(CONTRACT_SECRET.value);
  });

  it("writes nothing for a flow with errors or options that fit no variable; warns of a flow Connect cannot use", async () => {
    const broken = await bundle(
      path.join(ROOT, "test/fixtures/broken.flow"),
      "--target",
      "aws-lambda",
      "--out",
      "broken",
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain("has errors; nothing was bundled");
    const clash = path.join(work, "clash.flow");
    writeFileSync(clash, "flow clash {\n  global outcome: string\n  start -> done\n  end done\n}\n");
    const refused = await bundle(clash, "--target", "aws-lambda", "--out", "refused", "--unmask", "outcome");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("'outcome' is not a masked variable of clash");
    expect(readdirSync(work)).not.toContain("refused");
    const warned = await bundle(clash, "--target", "aws-lambda", "--out", "warned");
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(
      "warning: " + clash + " cannot answer Amazon Connect: variable 'outcome' has the name of a key of the answer",
    );
    expect(readdirSync(path.join(work, "warned"))).toEqual(["clash", "clash.zip"]);
  });

  it("refuses, naming it, a config the environment lacks or gives of another type, or a flow with configs and no environment", async () => {
    const elsewhere = mkdtempSync(path.join(work, "bad-"));
    const illTyped = writeProject(elsewhere, contractConfig("not a url"), "/run/secrets/api_token");
    const wrong = await bundle(CONTRACT_FLOW, "--target", "aws-lambda", "--out", "wrong", "--project", illTyped);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("config api_base must be an absolute http or https URL (environment prod)");
    writeFileSync(
      illTyped,
      JSON.stringify({ environments: { dev: { config: {}, secrets: { [CONTRACT_SECRET.name]: { env: "X" } } } } }),
    );
    const missing = await bundle(CONTRACT_FLOW, "--target", "aws-lambda", "--out", "missing", "--project", illTyped);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("config api_base has no value");
    const unnamed = await bundle(
      CONTRACT_FLOW,
      "--target",
      "aws-lambda",
      "--out",
      "unnamed",
      "--project",
      illTyped,
      "--env",
      "dev",
      "--auth-secret",
      "API_TOKEN",
    );
    expect(unnamed.code).toBe(2);
    expect(unnamed.stderr).toContain("secret API_TOKEN has no source in environment dev");
    const unknown = await bundle(CONTRACT_FLOW, "--target", "aws-lambda", "--out", "unknown", "--env", "qa");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("There is no environment 'qa' in callflow.json: use prod.");
    // No callflow.json at or above the working folder: nothing gives the config.
    const bare = mkdtempSync(path.join(os.tmpdir(), "callflow-bundle-bare-"));
    try {
      const none = await exec(
        process.execPath,
        [CLI, "bundle", CONTRACT_FLOW, "--target", "aws-lambda", "--out", "x"],
        {
          cwd: bare,
        },
      ).catch((error: unknown) => error as { code: number; stderr: string });
      expect(none).toMatchObject({ code: 2 });
      expect((none as { stderr: string }).stderr).toContain(
        "config api_base has no value: bundle with --env NAME, an environment of callflow.json",
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
    for (const refused of ["wrong", "missing", "unnamed", "unknown"]) expect(readdirSync(work)).not.toContain(refused);
  });

  it("a malformed --attribute is a usage error", async () => {
    const attribute = await bundle(CONTRACT_FLOW, "--target", "aws-lambda", "--out", "bad", "--attribute", "account");
    expect(attribute.code).toBe(2);
    expect(attribute.stderr).toContain("--attribute account: expected INPUT=ATTRIBUTE");
  });
});
