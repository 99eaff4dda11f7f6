// `callflow serve` answers the shared table of test/helpers/run-contract.ts, as the Lambda httpHandler does
// (test/lambda-http.test.ts, test/lambda-bundle.test.ts): the same inputs give the same status and body. The flow
// runs in a temporary project whose environment "test" holds its config and secrets.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestServer } from "./helpers/http-server.js";
import {
  CONTRACT_CASES,
  CONTRACT_FLOW,
  CONTRACT_SECRET,
  CONTRACT_TOKEN,
  contractConfig,
  contractHeaders,
  contractPath,
  scriptUpstream,
  withUpstream,
} from "./helpers/run-contract.js";
import { serveWithUpstream, type Served, type ServedProject } from "./helpers/serve.js";

let setup: ServedProject;
let upstream: TestServer;
let served: Served;

beforeAll(async () => {
  setup = await serveWithUpstream("serve-contract", {
    from: path.dirname(CONTRACT_FLOW),
    flows: [path.basename(CONTRACT_FLOW)],
    route: scriptUpstream,
    config: contractConfig,
    secrets: { [CONTRACT_SECRET.name]: CONTRACT_SECRET.value, [CONTRACT_TOKEN.name]: CONTRACT_TOKEN.value },
    authSecret: CONTRACT_TOKEN.name,
  });
  ({ upstream, served } = setup);
});
afterAll(() => setup?.close());

describe("callflow serve: the run contract shared with the Lambda handlers", () => {
  for (const c of CONTRACT_CASES) {
    it(c.name, async () => {
      const response = await fetch(`${served.url}${contractPath(c)}`, {
        method: c.method ?? "POST",
        headers: contractHeaders(c),
        body: withUpstream(c.body, upstream.url),
      });
      expect(response.status).toBe(c.status);
      expect(await response.json()).toEqual(withUpstream(c.response, upstream.url));
    });
  }
});
