// What the runtime does only for the default fetch (runtime/fetch.ts): reading the body's framing
// from node-fetch's raw header map, and the light per-attempt signal. Both must agree with the
// standard calls on real responses from a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { abortHandle, declaredLength, defaultFetch, type FetchLike } from "../runtime/fetch.js";
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
  ])("reads %s from node-fetch's raw map as get() does", async (path, expected) => {
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

describe("abortHandle", () => {
  it("gives any other fetch a real AbortController", () => {
    expect(abortHandle(globalThis.fetch as FetchLike)).toBeInstanceOf(AbortController);
  });

  it("aborts node-fetch mid-request with the light signal, and the socket closes", async () => {
    const handle = abortHandle(defaultFetch);
    expect(handle).not.toBeInstanceOf(AbortController);
    const pending = defaultFetch(server.url + "/hang", {
      method: "GET",
      headers: [],
      redirect: "manual",
      signal: handle.signal,
    });
    while (server.hits("/hang").length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    handle.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    await server.hits("/hang")[0]!.closed;
    expect(handle.signal.aborted).toBe(true);
  });

  it("calls each listener once, not after removal, and none added after the abort", () => {
    const handle = abortHandle(defaultFetch);
    const calls: string[] = [];
    const kept = (): number => calls.push("kept");
    const removed = (): number => calls.push("removed");
    handle.signal.addEventListener("abort", kept);
    handle.signal.addEventListener("abort", removed);
    handle.signal.removeEventListener("abort", removed);
    handle.abort();
    handle.abort();
    handle.signal.addEventListener("abort", () => calls.push("late"));
    expect(calls).toEqual(["kept"]);
  });

  it("calls every listener even when one throws, and does not throw itself", () => {
    const handle = abortHandle(defaultFetch);
    const calls: string[] = [];
    handle.signal.addEventListener("abort", () => {
      throw new Error("listener failed");
    });
    handle.signal.addEventListener("abort", () => calls.push("second"));
    expect(() => handle.abort()).not.toThrow();
    expect(calls).toEqual(["second"]);
  });
});
