// The undici transport's pool (issue 22): a cap on connections per origin and an idle timeout,
// by default and as configured, counted as sockets on real node:http servers.
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run, UNDICI_DEFAULTS, undiciTransport, type Transport } from "../runtime/index.js";
import { httpFlow } from "./helpers/flows.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

/**
 * `count` runs at once against a slow path of a fresh server (every request is in flight before
 * the first answer): the connections the server saw (requests over one connection share the
 * client's port) and the sockets still open after the burst.
 */
async function burst(transport: Transport, count: number): Promise<{ connections: number; open: number }> {
  const server: TestServer = await startServer();
  try {
    server.route("/slow", { json: { ok: true }, delayMs: 200 });
    const flow = httpFlow(server.url, { url: () => `${server.url}/slow` });
    const runs = await Promise.all(Array.from({ length: count }, () => run(flow, {}, { transport })));
    expect(runs.filter((r) => r.outcome.widget === "ok")).toHaveLength(count);
    expect(server.requests).toHaveLength(count);
    return { connections: new Set(server.requests.map((r) => r.remotePort)).size, open: server.openSockets() };
  } finally {
    await server.close();
  }
}

describe("connections per origin", () => {
  it(`are capped at UNDICI_DEFAULTS.connections (${UNDICI_DEFAULTS.connections}) by default`, async () => {
    const { connections, open } = await burst(undiciTransport(), UNDICI_DEFAULTS.connections + 100);
    expect(connections).toBeLessThanOrEqual(UNDICI_DEFAULTS.connections);
    expect(open).toBeLessThanOrEqual(UNDICI_DEFAULTS.connections);
  });

  it("are capped at the configured number", async () => {
    const { connections, open } = await burst(undiciTransport({ connections: 4 }), 40);
    expect(connections).toBeLessThanOrEqual(4);
    expect(open).toBeLessThanOrEqual(4);
  });
});

describe("idle connections", () => {
  // A server that keeps connections a minute and tells clients so (`Keep-Alive: timeout=60`).
  let patient: Server;
  let url: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    patient = createServer({ keepAliveTimeout: 60_000 }, (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Keep-Alive": "timeout=60" });
      res.end("{}");
    });
    patient.on("connection", (socket: Socket) => sockets.push(socket));
    await new Promise<void>((resolve) => patient.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(patient.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    patient.closeAllConnections();
    await new Promise((resolve) => patient.close(resolve));
  });

  /** Runs once, then resolves when the client has closed the one connection it opened. */
  async function closedAfterOneRun(transport: Transport): Promise<void> {
    const before = sockets.length;
    const ran = await run(httpFlow(url), {}, { transport });
    expect(ran.outcome.widget).toBe("ok");
    expect(sockets.length).toBe(before + 1);
    const socket = sockets.at(-1)!;
    if (!socket.closed) await new Promise((resolve) => socket.once("close", resolve));
  }

  // Each test's timeout is far below the server's minute: undici's own defaults keep the socket that long.
  it("are closed after the configured idle timeout, whatever the server's keep-alive hint", async () => {
    await closedAfterOneRun(undiciTransport({ keepAliveTimeoutMs: 100 }));
  }, 15_000);

  it(`are closed after UNDICI_DEFAULTS.keepAliveTimeoutMs (${UNDICI_DEFAULTS.keepAliveTimeoutMs} ms) by default`, async () => {
    await closedAfterOneRun(undiciTransport());
  }, 15_000);
});
