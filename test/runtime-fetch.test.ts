// The transports' framing and abort on real responses from a real server: the declared length
// read through the standard `get()`, and each transport's one way to end a request mid-way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crossFetchTransport } from "../runtime/cross-fetch.js";
import { declaredLength, type FetchLike } from "../runtime/fetch.js";
import { fetchTransport, type Abortable, type Transport } from "../runtime/transport.js";
import { undiciTransport } from "../runtime/undici.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

/** A GET through `transport` as an attempt sends it, and what ends it (handed over by `send`). */
function get(transport: Transport, url: string): { response: ReturnType<Transport["send"]>; abort: () => void } {
  let held: Abortable | undefined;
  const caller = { hold: (request: Abortable) => void (held = request), truncated: () => undefined };
  const response = transport.send(url, { method: "GET", headers: [] }, caller);
  return { response, abort: () => held!.abort() };
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.route("/plain", { body: "12345", headers: { "Content-Length": "5" } });
  server.route("/chunked", { pieces: [new TextEncoder().encode("ab"), new TextEncoder().encode("cd")], intervalMs: 1 });
  server.route("/encoded", { body: "x", headers: { "Content-Encoding": "identity", "Content-Length": "1" } });
  server.route("/hang", { hang: true });
});
afterAll(() => server.close());

/** The framing as the standard `get()` calls read it, for comparison. */
const viaGet = (headers: { get(name: string): string | null }): number =>
  headers.get("content-encoding") === null ? Number(headers.get("content-length") ?? Number.NaN) : Number.NaN;

describe("declaredLength", () => {
  it.each([
    ["/plain", 5],
    ["/chunked", Number.NaN],
    ["/encoded", Number.NaN],
  ])("reads %s with node-fetch as get() does", async (path, expected) => {
    const response = await get(crossFetchTransport, server.url + path).response;
    expect(declaredLength(response.headers)).toBe(expected);
    expect(viaGet(response.headers)).toBe(expected);
    await response.text?.();
  });

  it("uses get() for any other fetch", async () => {
    const fetch = globalThis.fetch as FetchLike;
    const response = await fetch(server.url + "/plain", {
      method: "GET",
      headers: [],
      redirect: "manual",
      signal: new AbortController().signal,
    });
    expect(declaredLength(response.headers)).toBe(5);
    await response.text?.();
  });
});

describe.each<[string, Transport]>([
  ["cross-fetch", crossFetchTransport],
  ["undici", undiciTransport()],
  ["any fetch", fetchTransport(globalThis.fetch)],
])("ending a request with %s", (name, transport) => {
  it("ends a request mid-way by what send handed over, and the socket closes", async () => {
    const path = `/hang-${name.replace(" ", "-")}`;
    server.route(path, { hang: true });
    const { response, abort } = get(transport, server.url + path);
    while (server.hits(path).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    abort();
    await expect(response).rejects.toThrow();
    await server.hits(path)[0]!.closed;
  });
});

describe("the undici transport", () => {
  const transport = undiciTransport();

  it("hands over a body larger than it keeps unread, chunk by chunk, as sent", async () => {
    // 16 pieces of 64 KiB: over the 256 KiB it buffers before pausing the connection.
    const pieces = Array.from({ length: 16 }, (_, i) => new Uint8Array(64 * 1024).fill(97 + i));
    server.route("/large", { pieces, intervalMs: 0 });
    const response = await get(transport, server.url + "/large").response;
    const received: Uint8Array[] = [];
    for await (const chunk of response.body!) {
      received.push(chunk);
      await new Promise((resolve) => setTimeout(resolve, 1)); // a slow reader
    }
    expect(Buffer.concat(received).equals(Buffer.concat(pieces))).toBe(true);
  });

  it("closes the connection when the reader stops before the end", async () => {
    const pieces = Array.from({ length: 8 }, () => new Uint8Array(64 * 1024));
    server.route("/stopped", { pieces, intervalMs: 5 });
    const response = await get(transport, server.url + "/stopped").response;
    for await (const chunk of response.body!) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await server.hits("/stopped")[0]!.closed;
  });

  it("sends the path and query of the URL, never its fragment", async () => {
    server.route("/path", { body: "ok", headers: { "Content-Length": "2" } });
    const response = await get(transport, `${server.url}/path?a=1&b=%20#frag`).response;
    expect(await response.text?.()).toBe("ok");
    expect(server.hits("/path")[0]!.url).toBe("/path?a=1&b=%20");
  });

  it("sends nothing for a request ended before undici was loaded", async () => {
    server.route("/never", { body: "no" });
    server.route("/after", { body: "ok", headers: { "Content-Length": "2" } });
    const fresh = undiciTransport();
    const { response, abort } = get(fresh, server.url + "/never");
    abort();
    await expect(response).rejects.toThrow();
    // Dispatched after the first (both wait for the same import): once it is answered, the first would have been seen.
    expect(await (await get(fresh, server.url + "/after").response).text?.()).toBe("ok");
    expect(server.hits("/never").length).toBe(0);
  });
});
