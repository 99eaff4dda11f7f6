// Loading a transport is not the server's time: the first request of a process imports undici
// (or cross-fetch), and that import must not count against the attempt's timeout. A child process
// whose import of the transport is slowed by a module hook runs a flow with a short timeout
// against a real node:http server.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "./compile-helpers.js";
import { ROOT } from "./helpers/cli.js";

const temp = tempDir("runtime-transport-load");
afterAll(() => temp.remove());

/** Blocks the first load of the transport's package for 600 ms, as a slow disk or a busy machine would. */
const HOOKS = `import { registerHooks } from "node:module";
let slowed = false;
registerHooks({
  load(url, context, nextLoad) {
    if (!slowed && /\\/node_modules\\/(undici|cross-fetch)\\//.test(url)) {
      slowed = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
    }
    return nextLoad(url, context);
  },
});
`;

const script = (entry: string, transport: string): string => `import { createServer } from "node:http";
import * as runtime from ${JSON.stringify(pathToFileURL(path.join(ROOT, entry)).href)};
const server = createServer((_req, res) => res.end("{}"));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = "http://127.0.0.1:" + server.address().port + "/";
const flow = {
  id: "load", source: "load.flow", start: "call", variables: {}, secrets: [],
  steps: {
    call: { kind: "http", id: "call", source: "load.flow:1", method: "GET", secrets: [], url: () => url,
      secretHeaders: [], timeoutMs: 200, results: [], success: "ok", fail: "bad" },
    ok: { kind: "end", id: "ok", source: "load.flow:2" },
    bad: { kind: "end", id: "bad", source: "load.flow:3" },
  },
};
const result = await runtime.run(flow, {}, ${transport === "default" ? "{}" : `{ transport: runtime.${transport} }`});
const end = result.trace.find((e) => e.type === "http.attempt.end");
console.log(JSON.stringify({ widget: result.outcome.widget, error: end?.error?.code }));
server.close();
`;

describe.each([
  ["undici, Node's default", "dist/runtime/node.js", "default"],
  ["cross-fetch", "dist/runtime/index.js", "crossFetchTransport"],
])("the first request through %s", (name, entry, transport) => {
  it("gets its whole timeout for the server, however long the transport takes to load", async () => {
    const hooks = path.join(temp.dir, "hooks.mjs");
    const main = path.join(temp.dir, `${name.split(",")[0]}.mjs`);
    writeFileSync(hooks, HOOKS);
    writeFileSync(main, script(entry, transport));
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--import", pathToFileURL(hooks).href, main], (error, out, err) =>
        error === null ? resolve(out) : reject(new Error(err)),
      ),
    );
    expect(JSON.parse(stdout)).toEqual({ widget: "ok" });
  });
});
