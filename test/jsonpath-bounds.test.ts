// Result paths that could block the process (issue 22, item 5): jsonpath-plus evaluates a path synchronously,
// so a filter with a backtracking regular expression on a 41-character string stopped the event loop and no
// attempt timeout could fire. Such paths are CF2045 in `check`, `test` and the language server, and `run()`
// refuses a hand-written definition holding one.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./compile-helpers.js";
import { CLI, ROOT } from "./helpers/cli.js";
import { startServer, type TestServer } from "./helpers/http-server.js";
import { startClient } from "./helpers/lsp-client.js";

const exec = promisify(execFile);
const temp = tempDir("jsonpath-bounds");
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  // 41 characters that make /(a+)+$/ backtrack about 2^40 times.
  server.route("/items", { json: { items: [{ x: `${"a".repeat(40)}!`, v: "found" }] } });
});
afterAll(async () => {
  await server.close();
  temp.remove();
});

const REDOS = "$.items[?(@.x.match(/(a+)+$/))].v";

const flowWith = (resultPath: string): string => `flow bounds {
  config api: url
  local v: string = ""
  start -> call
  http call {
    method GET
    url "{{api}}/items"
    results {
      ${JSON.stringify(resultPath)} -> v
    }
    success -> done
    fail -> done
  }
  end done
}
`;

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process that is killed after 30 s: a blocked event loop fails the test instead of hanging it. */
async function node(args: readonly string[]): Promise<Ran> {
  try {
    const { stdout, stderr } = await exec(process.execPath, args, {
      cwd: temp.dir,
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; killed?: boolean; stdout: string; stderr: string };
    return { code: e.killed === true ? -1 : (e.code ?? -1), stdout: e.stdout, stderr: e.stderr };
  }
}

describe("a result path that cannot be bounded", () => {
  it.each([
    ["a backtracking regular expression", REDOS, "regular expression"],
    ["a regular expression as a string", "$.items[?(@.x.search('(a+)+$'))].v", "calls search"],
    ["a string search (quadratic in V8)", "$.items[?(@.x.includes(@.y))].v", "calls includes"],
    ["an assignment", "$..[?(@root.s = @root.s + @root.s)]", "an assignment"],
    ["@root re-read at every node", "$..[?(@ == @root.big)]", "reads @root"],
    ["two recursive descents", "$..*..*", "second recursive descent"],
    ["the parent operator", "$.a.b^.c", "parent operator"],
    ["a repeating union", "$.a[0,0][0,0]", "names 0 twice"],
  ])("%s is CF2045 in `check`, with its span", async (_name, resultPath, reason) => {
    writeFileSync(path.join(temp.dir, "bad.flow"), flowWith(resultPath));
    const ran = await node([CLI, "check", "--format", "json", "bad.flow"]);
    expect(ran.code).toBe(1);
    const { diagnostics } = JSON.parse(ran.stdout) as {
      diagnostics: { code: string; message: string; line: number; column: number; length: number }[];
    };
    expect(diagnostics.map((d) => d.code)).toEqual(["CF2045"]);
    expect(diagnostics[0]!.message).toContain(reason);
    expect(diagnostics[0]).toMatchObject({ line: 9, column: 7, length: JSON.stringify(resultPath).length });
  });

  it("`run` stops at the check instead of hanging", async () => {
    writeFileSync(path.join(temp.dir, "redos.flow"), flowWith(REDOS));
    const ran = await node([CLI, "run", "redos.flow", "--config", `api=${server.url}`]);
    expect(ran.code).toBe(2);
    expect(ran.stdout + ran.stderr).toContain("CF2045");
  });

  it("`test` reports the flow's errors instead of hanging", async () => {
    writeFileSync(path.join(temp.dir, "redos.flow"), flowWith(REDOS));
    writeFileSync(
      path.join(temp.dir, "redos.flowtest"),
      `tests for "redos.flow"\n\ntest "maps v" {\n  config { api = "https://api.test" }\n  mock call { reply 200 { json { "items": [{ "x": "${"a".repeat(40)}!", "v": "found" }] } } }\n  expect { v = "found" }\n}\n`,
    );
    const ran = await node([CLI, "test", "redos.flowtest"]);
    expect(ran.code).toBe(2);
    expect(ran.stdout + ran.stderr).toContain("CF3002: The flow redos.flow has errors");
    expect(ran.stdout + ran.stderr).toContain("redos.flow:9:7 - error CF2045");
  });

  it("the language server publishes CF2045 at the path", async () => {
    const client = await startClient();
    try {
      const uri = await client.open("redos.flow", flowWith(REDOS));
      const published = await client.diagnostics(uri);
      const found = published.diagnostics.filter((d) => d.code === "CF2045");
      expect(found).toHaveLength(1);
      expect(found[0]!.range.start).toEqual({ line: 8, character: 6 });
      // A test file of that flow: CF3002, with the flow's CF2045 as related information.
      writeFileSync(path.join(temp.dir, "lsp-redos.flow"), flowWith(REDOS));
      const test = await client.open(
        path.join(path.relative(ROOT, temp.dir), "lsp-redos.flowtest"),
        'tests for "lsp-redos.flow"\n',
      );
      const tested = (await client.diagnostics(test)).diagnostics;
      expect(tested.map((d) => d.code)).toEqual(["CF3002"]);
      expect(tested[0]!.relatedInformation?.map((r) => r.message).join("\n")).toContain("CF2045");
    } finally {
      await client.close();
    }
  });

  it("a name jsonpath-plus reads as its own placeholder (#5) checks without crashing", async () => {
    writeFileSync(path.join(temp.dir, "hash.flow"), flowWith("$.#5.a"));
    const checked = await node([CLI, "check", "hash.flow"]);
    expect(checked.stderr).not.toContain("internal error");
    expect(checked.code).toBe(0);
  });

  it("bounded filters still check and map: comparisons and the allowed methods", async () => {
    const good = "$.items[?(@.x.startsWith('aaa') && @.x.toLowerCase() != 'b' && @.v.length > 2)].v";
    writeFileSync(path.join(temp.dir, "good.flow"), flowWith(good));
    const checked = await node([CLI, "check", "good.flow"]);
    expect(checked.stdout + checked.stderr).not.toContain("CF2045");
    expect(checked.code).toBe(0);
  });
});

describe("run() and a hand-written definition", () => {
  /** A child process running `resultPath` against the server's 41-character string; prints the outcome. */
  function runWith(resultPath: string): Promise<Ran> {
    const script = `
      import { run } from ${JSON.stringify(pathToFileURL(path.join(ROOT, "dist/runtime/node.js")).href)};
      const flow = {
        id: "bounds", source: "bounds.flow", start: "call", secrets: [],
        variables: { v: { scope: "local", type: "string", masked: false, default: "" } },
        steps: {
          call: { kind: "http", id: "call", source: "bounds.flow:5", method: "GET", secrets: [], secretHeaders: [],
            url: () => ${JSON.stringify(`${server.url}/items`)}, retry: 0,
            results: [{ source: { kind: "json", path: ${JSON.stringify(resultPath)} }, target: "v", type: "string" }],
            success: "done", fail: "done" },
          done: { kind: "end", id: "done", source: "bounds.flow:12" },
        },
      };
      try {
        const outcome = await run(flow, {});
        console.log("ran", JSON.stringify(outcome.variables.v));
      } catch (error) {
        console.log(error.name, error.message);
      }
    `;
    return node(["--input-type=module", "-e", script]);
  }

  it("refuses a path that could block, naming the widget and the reason", async () => {
    const ran = await runWith(REDOS);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain("FlowDefinitionError");
    expect(ran.stdout).toContain("call: result path");
    expect(ran.stdout).toContain("regular expression");
  });

  it.each([
    ["a filter in quotes instead of brackets", "$.items'?(@.x.match(/(a+)+$/))'.v", "regular expression"],
    ["a filter in a bracket closed by a quote", "$.items[?(@.x.match(/(a+)+$/))'.v", "regular expression"],
    ["descents spelled .[ and [[", "$.[*][[*]]", "second recursive descent"],
  ])("refuses %s, as jsonpath-plus reads it", async (_name, resultPath, reason) => {
    const ran = await runWith(resultPath);
    expect(ran.stdout).toContain("FlowDefinitionError");
    expect(ran.stdout).toContain(reason);
  });

  it("runs a bounded filter against the server", async () => {
    const ran = await runWith("$.items[?(@.x.startsWith('aaa'))].v");
    expect(ran.stdout.trim()).toBe('ran "found"');
  });
});
