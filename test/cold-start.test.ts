// What `callflow check`, `run` and `test` load and leave behind (issue 17, "A fast callflow run"; issue 27, the
// bundle): the built CLI in child processes with a preloaded hook that logs every module they load
// (test/helpers/load-log.ts). They never load ts-morph or TypeScript (nor does compile, but for a .d.ts), `run`
// writes no temporary file, and the module a run imports is, byte for byte, what `callflow compile --emit js`
// writes. The CLI is an esbuild bundle (scripts/bundle-cli.ts): its metafile says which sources each loaded chunk
// holds. Speed itself is measured by bench/cold-start.ts.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, tempDir } from "./compile-helpers.js";
import { CLI } from "./helpers/cli.js";

const HOOK = path.join(ROOT, "test/helpers/load-log.ts");
/** The runtime the CLI's generated modules import: the bundle's, by file URL (loader/load-flow.ts). */
const RUNTIME_URL = pathToFileURL(path.join(ROOT, "dist/cli/runtime/internal-node.js")).href;
const TYPESCRIPT = /\/node_modules\/(ts-morph|@ts-morph\/common|typescript|code-block-writer)\//;

interface Loaded {
  readonly code: number;
  readonly stdout: string;
  /** Every module the process loaded, in order. */
  readonly modules: readonly { readonly url: string; readonly source?: string }[];
}

/** The sources each file of the bundle holds (esbuild's metafile), by path from ROOT. */
let bundled: ReadonlyMap<string, readonly string[]>;

/** The sources (by path from ROOT) a process loaded: a bundle file's sources, any other file itself. */
function sources(modules: Loaded["modules"]): string[] {
  return modules
    .filter((m) => m.url.startsWith("file:"))
    .map((m) => path.relative(ROOT, new URL(m.url).pathname))
    .flatMap((file) => bundled.get(file) ?? [file]);
}

const temp = tempDir("cold-start");
let count = 0;

/** The CLI with the load log, in `cwd` (ROOT by default) and with `env` added. */
function callflow(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Loaded> {
  const log = path.join(temp.dir, `load-${count++}.jsonl`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", pathToFileURL(HOOK).href, CLI, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", CALLFLOW_LOAD_LOG: log, ...env }, encoding: "utf8" },
      (error, stdout) => {
        const lines = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
        const modules = lines.map((line) => JSON.parse(line) as Loaded["modules"][number]);
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, modules });
      },
    );
  });
}

/** A flow that runs to its end without HTTP. */
const GREETING = `flow greeting {
  global caller: string
  start -> hello
  send hello { message "Hello {{caller}}" next -> done }
  end done
}
`;

let greeting: string;
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error("build first: npm run build (npm test does)");
  const meta = JSON.parse(readFileSync(path.join(ROOT, "dist/cli/bundle-meta.json"), "utf8")) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  bundled = new Map(Object.entries(meta.outputs).map(([file, output]) => [file, Object.keys(output.inputs)]));
  greeting = path.relative(ROOT, path.join(temp.dir, "greeting.flow"));
  writeFileSync(path.join(ROOT, greeting), GREETING);
});
afterAll(() => temp.remove());

describe.concurrent("cold start: what the commands load", () => {
  it("check, run and test never load ts-morph or TypeScript", async () => {
    const runs = await Promise.all([
      callflow(["check", "examples/order-status.flow"]),
      callflow(["check", "examples/order-status.flowtest"]),
      callflow(["run", greeting, "--global", "caller=Ada"]),
      callflow(["test", "examples/order-status.flowtest"]),
    ]);
    for (const ran of runs) {
      expect(ran.code).toBe(0);
      expect(ran.modules.length).toBeGreaterThan(10);
      expect(ran.modules.map((m) => m.url).filter((url) => TYPESCRIPT.test(url))).toEqual([]);
    }
  });

  it("compile loads ts-morph only for the .d.ts of --emit js (and the log sees it)", async () => {
    const out = path.join(temp.dir, "ts-morph");
    const typed = await callflow(["compile", "examples/order-status.flow", "--out-dir", out]);
    const js = await callflow(["compile", "examples/order-status.flow", "--out-dir", out, "--emit", "js"]);
    expect(typed.code).toBe(0);
    expect(typed.modules.filter((m) => TYPESCRIPT.test(m.url))).toEqual([]);
    expect(js.code).toBe(0);
    expect(js.modules.some((m) => TYPESCRIPT.test(m.url))).toBe(true);
  });

  it("check of a .flow file loads neither the runtime nor the test runner", async () => {
    const ran = await callflow(["check", "examples/order-status.flow"]);
    const loaded = sources(ran.modules);
    expect(loaded).toContain("compiler/check.ts");
    expect(loaded.filter((file) => file.startsWith("testing/"))).toEqual([]);
    // The checker reads the runtime's contract (compiler/ may import runtime/contract.ts only) and nothing else of it.
    expect(loaded.filter((file) => file.startsWith("runtime/"))).toEqual(["runtime/contract.ts"]);
  });

  it("check loads the bundle: a few files of dist/cli/, nothing from node_modules", async () => {
    const ran = await callflow(["check", "examples/order-status.flow"]);
    const files = ran.modules.filter((m) => m.url.startsWith("file:")).map((m) => new URL(m.url).pathname);
    expect(files.filter((file) => !file.startsWith(path.join(ROOT, "dist/cli/")))).toEqual([]);
    expect(files.length).toBeLessThan(30);
  });

  it("run with a request loads one copy of the runtime and not Node's own undici", async () => {
    const server = createServer((request, response) => {
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({ shipDate: "2026-12-24", items: [1], customer: { vip: false }, payment: { last4: "4242" } }),
      );
      request.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ran = await callflow(
      [
        "run",
        "examples/order-status.flow",
        "--config",
        `api_base=${base}`,
        "-g",
        "caller_id=+1555",
        "-g",
        "order_id=7",
      ],
      { CALLFLOW_SECRET_CRM_TOKEN: "t-1" },
    );
    server.close();
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("end at goodbye");
    const urls = ran.modules.map((m) => m.url);
    // The runtime the flow imports is the one the CLI's own code runs on (nothing of dist/runtime/), and undici
    // does not touch the global Headers, which would load Node's bundled copy (as long as `node -e 0` to load).
    expect(urls).toContain(RUNTIME_URL);
    expect(urls.filter((url) => url.includes("/dist/runtime/"))).toEqual([]);
    expect(urls.filter((url) => url.startsWith("node:internal/deps/undici"))).toEqual([]);
    expect(sources(ran.modules)).toContain("node_modules/undici/lib/dispatcher/agent.js");
  });
});

describe.concurrent("cold start: the module a run imports", () => {
  it("is what compile --emit js writes, imported from memory", async () => {
    const out = path.join(temp.dir, "emit-js");
    const compiled = await callflow([
      "compile",
      "examples/order-status.flow",
      "--out-dir",
      out,
      "--emit",
      "js",
      "--runtime-import",
      RUNTIME_URL,
    ]);
    expect(compiled.code).toBe(0);
    const written = readFileSync(path.join(out, "order-status.flow.js"), "utf8");

    const tested = await callflow(["test", "examples/order-status.flowtest"]);
    expect(tested.code).toBe(0);
    const imported = tested.modules.filter((m) => m.url.startsWith("data:"));
    expect(imported.map((m) => m.source)).toEqual([written]);
  });

  it("run leaves no file behind in the temporary folder", async () => {
    const tmp = path.join(temp.dir, "tmpdir");
    mkdirSync(tmp);
    const ran = await callflow(["run", greeting, "--global", "caller=Ada"], { TMPDIR: tmp, TMP: tmp, TEMP: tmp });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain('send "Hello Ada"');
    expect(ran.modules.filter((m) => m.url.startsWith("data:"))).toHaveLength(1);
    // Only Node's module compile cache, which every command keeps there (README, The command line).
    expect(readdirSync(tmp)).toEqual(["node-compile-cache"]);
  });
});
