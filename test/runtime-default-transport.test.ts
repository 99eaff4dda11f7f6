// Which transport `run` uses when the host names none, as a host's process sees it: a child process
// imports one of the runtime's two entries (dist/runtime/node.js, which package.json's "node"
// condition selects; dist/runtime/index.js, the "default" one) with a resolve hook that logs every
// module it loads, runs a flow against a real node:http server, and reports what it loaded.
import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./compile-helpers.js";
import { startServer, type TestServer } from "./helpers/http-server.js";

const exec = promisify(execFile);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.route("/order", { json: { shipDate: "2026-12-24" } });
});
afterAll(() => server.close());

/** Runs a one-widget flow through `entry`'s `run` in a fresh process; what it loaded and how the run ended. */
async function runThrough(entry: string, sendsRequest = true): Promise<{ outcome: string; undici: boolean }> {
  const url = pathToFileURL(path.join(ROOT, "dist/runtime", entry)).href;
  const script = `
    import { registerHooks } from "node:module";
    let undici = false;
    registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        if (resolved.url.includes("/node_modules/undici/")) undici = true;
        return resolved;
      },
    });
    const { run } = await import(${JSON.stringify(url)});
    const http = { kind: "http", id: "lookup", source: "t.flow:1", method: "GET", secrets: [], secretHeaders: [],
      url: () => ${JSON.stringify(server.url + "/order")}, results: [], success: "done", fail: "done" };
    const steps = { done: { kind: "end", id: "done", source: "t.flow:2" } };
    if (${sendsRequest}) steps.lookup = http;
    const flow = { id: "t", source: "t.flow", start: ${sendsRequest} ? "lookup" : "done", variables: {}, secrets: [], steps };
    const { outcome } = await run(flow, {});
    console.log(JSON.stringify({ outcome: outcome.kind, undici }));
  `;
  const { stdout } = await exec(process.execPath, ["--input-type=module", "-e", script], { timeout: 30_000 });
  return JSON.parse(stdout) as { outcome: string; undici: boolean };
}

describe("the default transport", () => {
  it("on Node (the node condition) is undici, and a run's process exits on its own after it", async () => {
    const before = server.hits("/order").length;
    expect(await runThrough("node.js")).toEqual({ outcome: "end", undici: true });
    const request = server.hits("/order")[before]!;
    // node-fetch names itself in User-Agent; undici's Dispatcher sends none.
    expect(request.headers["user-agent"]).toBeUndefined();
  });

  it("elsewhere (the default condition) is cross-fetch, and undici is never loaded", async () => {
    const before = server.hits("/order").length;
    expect(await runThrough("index.js")).toEqual({ outcome: "end", undici: false });
    expect(server.hits("/order")[before]!.headers["user-agent"]).toMatch(/node-fetch/);
  });

  it("is loaded only when a flow sends a request", async () => {
    expect(await runThrough("node.js", false)).toEqual({ outcome: "end", undici: false });
  });

  it("is what package.json's exports give Node for callflow/runtime", async () => {
    const { stdout } = await exec(
      process.execPath,
      ["--input-type=module", "-e", 'console.log(import.meta.resolve("callflow/runtime"))'],
      { cwd: ROOT },
    );
    expect(stdout.trim()).toBe(pathToFileURL(path.join(ROOT, "dist/runtime/node.js")).href);
  });
});
