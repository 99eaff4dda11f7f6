// `callflow serve` answers the shared table of test/helpers/run-contract.ts, as the Lambda httpHandler does
// (test/lambda-http.test.ts, test/lambda-bundle.test.ts): the same inputs give the same status and body.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./helpers/http-server.js";
import {
  CONTRACT_CASES,
  CONTRACT_FLOW,
  CONTRACT_SECRET,
  CONTRACT_TOKEN,
  contractHeaders,
  contractPath,
  scriptUpstream,
  withUpstream,
} from "./helpers/run-contract.js";
import { serve, type Served } from "./helpers/serve.js";

let upstream: TestServer;
let served: Served;

beforeAll(async () => {
  upstream = await startServer();
  scriptUpstream(upstream);
  served = await serve(["--auth-secret", CONTRACT_TOKEN.name], {
    cwd: path.dirname(CONTRACT_FLOW),
    env: {
      [`CALLFLOW_SECRET_${CONTRACT_SECRET.name}`]: CONTRACT_SECRET.value,
      [`CALLFLOW_SECRET_${CONTRACT_TOKEN.name}`]: CONTRACT_TOKEN.value,
    },
  });
});
afterAll(async () => {
  await served?.stop();
  await upstream.close();
});

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
