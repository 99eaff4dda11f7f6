// The transports' framing and abort on real responses from a real server: the declared length
// read through the standard `get()`, and a real AbortController ending a request mid-way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredLength, crossFetchTransport, type FetchInit, type FetchLike } from "../runtime/fetch.js";
import { undiciTransport } from "../runtime/undici.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

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
    const response = await crossFetchTransport(server.url + path, {
      method: "GET",
      headers: [],
      redirect: "manual",
      signal: new AbortController().signal,
    });
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

describe.each<[string, FetchLike]>([
  ["cross-fetch", crossFetchTransport],
  ["undici", undiciTransport()],
])("aborting with %s", (name, fetch) => {
  it("ends a request mid-way with an AbortController, and the socket closes", async () => {
    const path = `/hang-${name}`;
    server.route(path, { hang: true });
    const controller = new AbortController();
    const pending = fetch(server.url + path, {
      method: "GET",
      headers: [],
      redirect: "manual",
      signal: controller.signal,
    });
    while (server.hits(path).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toThrow();
    await server.hits(path)[0]!.closed;
  });
});

describe("the undici transport", () => {
  const fetch = undiciTransport();
  const init = (signal = new AbortController().signal): FetchInit => ({
    method: "GET",
    headers: [],
    redirect: "manual",
    signal,
  });

  it("hands over a body larger than it keeps unread, chunk by chunk, as sent", async () => {
    // 16 pieces of 64 KiB: over the 256 KiB it buffers before pausing the connection.
    const pieces = Array.from({ length: 16 }, (_, i) => new Uint8Array(64 * 1024).fill(97 + i));
    server.route("/large", { pieces, intervalMs: 0 });
    const response = await fetch(server.url + "/large", init());
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
    const response = await fetch(server.url + "/stopped", init());
    for await (const chunk of response.body!) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await server.hits("/stopped")[0]!.closed;
  });

  it("sends the path and query of the URL, never its fragment", async () => {
    server.route("/path", { body: "ok", headers: { "Content-Length": "2" } });
    const response = await fetch(`${server.url}/path?a=1&b=%20#frag`, init());
    expect(await response.text?.()).toBe("ok");
    expect(server.hits("/path")[0]!.url).toBe("/path?a=1&b=%20");
  });

  it("fails with the signal's abort before any request is sent", async () => {
    const controller = new AbortController();
    controller.abort();
    server.route("/never", { body: "no" });
    await expect(fetch(server.url + "/never", init(controller.signal))).rejects.toThrow();
    expect(server.hits("/never").length).toBe(0);
  });
});
