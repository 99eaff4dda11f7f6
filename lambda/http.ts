// Lambda function URLs and API Gateway HTTP APIs (payload format 2.0): `POST /flows/{id}/runs` with the same
// request and answer as `callflow serve` (the host core makes both), bearer auth included. A path may carry
// a prefix (an API Gateway stage), so it is matched at its end.
import { createHash, timingSafeEqual } from "node:crypto";
import { parseBody, type HostResponse } from "../host/host.js";
import type { FlowDefinition, Vars } from "../runtime/node.js";
import type { HttpEvent, HttpResult, LambdaContext } from "./events.js";
import { hostedFlow, invoke, secretsOf, type LambdaOptions } from "./invoke.js";

export interface HttpOptions extends LambdaOptions {
  /**
   * The secret (read through `secrets`) whose value callers must send as `Authorization: Bearer VALUE`, as
   * `callflow serve --auth-secret NAME`. Without it anyone who can reach the URL runs the flows: use it, or
   * the function URL's AWS_IAM auth, or an API Gateway authorizer.
   */
  readonly authSecret?: string;
}

export type HttpHandler = (event: HttpEvent, context?: LambdaContext) => Promise<HttpResult>;

const RUNS_PATH = /(?:^|\/)flows\/([^/]+)\/runs\/?$/;
const JSON_TYPE = { "content-type": "application/json; charset=utf-8" } as const;

function reply(response: HostResponse): HttpResult {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: JSON.stringify(response.body),
    isBase64Encoded: false,
  };
}

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): HttpResult {
  return reply({ status, headers: { ...JSON_TYPE, ...headers }, body: { error: { code, message } } });
}

/** The same-length digests keep the comparison's time independent of where the tokens differ. */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A Lambda handler serving `flows` by id, as `callflow serve` does. */
export function httpHandler<V extends Vars, S extends string, W extends string>(
  flows: FlowDefinition<V, S, W> | readonly FlowDefinition<V, S, W>[],
  options: HttpOptions = {},
): HttpHandler {
  const list: readonly FlowDefinition<V, S, W>[] = Array.isArray(flows) ? flows : [flows as FlowDefinition<V, S, W>];
  const hosted = list.map((flow) => hostedFlow(flow));
  const secrets = secretsOf(options);
  return async (event, context) => {
    const headers = event.headers ?? {};
    // As `callflow serve`: the token is checked first, so an unauthenticated caller learns nothing of the paths.
    if (options.authSecret !== undefined) {
      const expected = await Promise.resolve(secrets(options.authSecret)).catch(() => undefined);
      // Fails closed: a function deployed without its token's value (or whose vault fails) answers nobody.
      if (expected === undefined || expected === "")
        return refuse(500, "auth-not-configured", `the secret ${options.authSecret} has no value`);
      const header = headers["authorization"];
      const given = header?.startsWith("Bearer ") === true ? header.slice("Bearer ".length) : "";
      if (given === "" || !sameToken(given, expected))
        return refuse(401, "unauthorized", "send Authorization: Bearer <token>", {
          "www-authenticate": 'Bearer realm="callflow"',
        });
    }

    const match = RUNS_PATH.exec(event.rawPath);
    if (match === null) return refuse(404, "not-found", "no such path");
    if (event.requestContext.http.method.toUpperCase() !== "POST")
      return refuse(405, "method-not-allowed", "runs are started with POST", { allow: "POST" });

    const raw = event.body ?? "";
    const text = event.isBase64Encoded === true ? Buffer.from(raw, "base64").toString("utf8") : raw;
    const parsed = parseBody(headers["content-type"], text);
    if ("status" in parsed) return reply(parsed);
    const flow = decodeSegment(match[1]!);
    if (flow === undefined) return refuse(404, "unknown-flow", "no flow has this id");
    const { response } = await invoke({ flows: hosted, flow, ...parsed }, options, secrets, context);
    return reply(response);
  };
}
