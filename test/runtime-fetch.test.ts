// The transports' framing and abort on real responses from a real server: the declared length
// read through the standard `get()`, and a real AbortController ending a request mid-way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { declaredLength, defaultFetch, type FetchLike } from "../runtime/fetch.js";
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
    const response = await defaultFetch(server.url + path, {
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
  ["cross-fetch", defaultFetch],
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
