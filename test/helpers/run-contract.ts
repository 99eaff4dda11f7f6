// One table of `POST /flows/{id}/runs` requests and the answers they must get, shared by every adapter of the
// host core (`callflow serve`, the Lambda `httpHandler`), so a flow answers the same wherever it is served.
// The flow is test/fixtures/aws/balance.flow; its upstream is a real node:http server scripted by `scriptUpstream`,
// whose URL every adapter's environment gives as the flow's `config api_base` (`contractConfig`). A config is never
// an input: a body naming one is ignored, and an answer's `variables` never hold one.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FlowDefinition, Vars } from "../../runtime/index.js";
import { startServer, type TestServer } from "./http-server.js";
import { ROOT } from "./cli.js";

export const CONTRACT_FLOW = path.join(ROOT, "test/fixtures/aws/balance.flow");
/** The value of the flow's secret BANK_TOKEN in every adapter's environment. */
export const CONTRACT_SECRET = { name: "BANK_TOKEN", value: "tok-3f9a1c77e2" } as const;
/** Every adapter requires this bearer token, the value of its auth secret API_TOKEN. */
export const CONTRACT_TOKEN = { name: "API_TOKEN", value: "caller-token-52e0d" } as const;

export interface ContractCase {
  readonly name: string;
  /** The `{flow_id}` of the path. */
  readonly flow: string;
  /** The whole path instead of `/flows/{flow}/runs`. */
  readonly path?: string;
  /** The request method; POST unless given. */
  readonly method?: string;
  /** False: the request carries no bearer token. */
  readonly authorized?: false;
  readonly contentType: string;
  /** The raw body; `{{upstream}}` is replaced by the upstream's URL. */
  readonly body: string;
  readonly status: number;
  /** The whole answer's body, `{{upstream}}` replaced as in `body`. */
  readonly response: unknown;
}

/** The environment's config values for the flow, its api_base being the upstream's URL. */
export function contractConfig(upstream: string): Record<string, unknown> {
  return { api_base: upstream };
}

/** The upstream's accounts: 1001 a VIP, 1002 not, 1003 unknown (404, so the flow takes its fail exit). */
export function scriptUpstream(server: TestServer): void {
  const account = (balance: number, vip: boolean) => ({
    json: { balance, owner: { name: "Ada", vip }, card: { last4: "4242" } },
  });
  server.route("/accounts/1001", account(1250.5, true));
  server.route("/accounts/1002", account(17, false));
  server.route("/accounts/1003", { status: 404, json: { error: "no such account" } });
}

/** A real upstream scripted with the contract's accounts. */
export async function contractUpstream(): Promise<TestServer> {
  const upstream = await startServer();
  scriptUpstream(upstream);
  return upstream;
}

/** The contract's flow, compiled by the built loader (whose generated module imports the built runtime). */
export async function contractFlow(): Promise<FlowDefinition<Vars, string, string>> {
  const { loadFlow } = (await import(
    path.join(ROOT, "dist/loader/load-flow.js")
  )) as typeof import("../../loader/load-flow.js");
  const { loaded } = await loadFlow(readFileSync(CONTRACT_FLOW, "utf8"), path.basename(CONTRACT_FLOW));
  if (loaded === undefined) throw new Error(`${CONTRACT_FLOW} does not load`);
  return loaded.definition;
}

const owner = (vip: boolean) => ({ name: "Ada", vip });

export const CONTRACT_CASES: readonly ContractCase[] = [
  {
    name: "a JSON body that reaches a route",
    flow: "balance",
    contentType: "application/json",
    body: '{"account":"1001"}',
    status: 200,
    response: {
      flow: "balance",
      outcome: "route",
      widget: "vip_queue",
      queue: "vip",
      messages: [],
      variables: {
        account: "1001",
        attempt: 1,
        balance: 1250.5,
        owner: owner(true),
        vip: true,
        card_last4: "••••",
      },
    },
  },
  {
    name: "a form body, converted by declared type, that reaches an end",
    flow: "balance",
    contentType: "application/x-www-form-urlencoded",
    body: "account=1002&attempt=2",
    status: 200,
    response: {
      flow: "balance",
      outcome: "end",
      widget: "done",
      messages: [],
      variables: {
        account: "1002",
        attempt: 2,
        balance: 17,
        owner: owner(false),
        vip: false,
        card_last4: "••••",
      },
    },
  },
  {
    name: "the fail exit taken after a 404",
    flow: "balance",
    contentType: "application/json",
    body: '{"account":"1003"}',
    status: 200,
    response: {
      flow: "balance",
      outcome: "route",
      widget: "agents",
      queue: "support",
      messages: ["We could not find account 1003."],
      variables: { account: "1003", attempt: 1, balance: 0, vip: false },
    },
  },
  {
    name: "inputs that do not fit their declarations (a field named like a config is no input)",
    flow: "balance",
    contentType: "application/json",
    body: '{"api_base":"not a url","attempt":"two"}',
    status: 400,
    response: {
      error: "invalid-input",
      problems: [
        { field: "account", message: "is required" },
        { field: "attempt", message: "must be a number" },
      ],
    },
  },
  {
    name: "a body that is not JSON",
    flow: "balance",
    contentType: "application/json",
    body: '{"account":',
    status: 400,
    response: { error: { code: "invalid-json", message: "the body is not valid JSON" } },
  },
  {
    name: "an empty body declared JSON: no inputs",
    flow: "balance",
    contentType: "application/json",
    body: "",
    status: 400,
    response: {
      error: "invalid-input",
      problems: [{ field: "account", message: "is required" }],
    },
  },
  {
    name: "a media type the host does not take",
    flow: "balance",
    contentType: "text/plain",
    body: "account=1001",
    status: 415,
    response: {
      error: {
        code: "unsupported-media-type",
        message: "send application/json or application/x-www-form-urlencoded",
      },
    },
  },
  {
    name: "an unknown flow",
    flow: "no_such_flow",
    contentType: "application/json",
    body: "{}",
    status: 404,
    response: { error: { code: "unknown-flow", message: "no flow has this id" } },
  },
  {
    name: "a request without the bearer token",
    flow: "balance",
    authorized: false,
    contentType: "application/json",
    body: '{"account":"1001"}',
    status: 401,
    response: { error: { code: "unauthorized", message: "send Authorization: Bearer <token>" } },
  },
  {
    name: "a path that runs nothing",
    flow: "balance",
    path: "/flows/balance",
    contentType: "application/json",
    body: "{}",
    status: 404,
    response: { error: { code: "not-found", message: "no such path" } },
  },
  {
    name: "a method other than POST",
    flow: "balance",
    method: "PUT",
    contentType: "application/json",
    body: "{}",
    status: 405,
    response: { error: { code: "method-not-allowed", message: "runs are started with POST" } },
  },
];

/** The request's path. */
export function contractPath(c: ContractCase): string {
  return c.path ?? `/flows/${c.flow}/runs`;
}

/** The request's headers: its content type, and the bearer token unless the case leaves it out. */
export function contractHeaders(c: ContractCase): Record<string, string> {
  return {
    "content-type": c.contentType,
    ...(c.authorized === false ? {} : { authorization: `Bearer ${CONTRACT_TOKEN.value}` }),
  };
}

/** `value` with every `{{upstream}}` in its strings replaced. */
export function withUpstream<T>(value: T, upstream: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll("{{upstream}}", upstream)) as T;
}
