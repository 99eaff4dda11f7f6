// examples/app.ts, the README's example of an application using a generated module: it
// type-checks with the real TypeScript checker in strict mode and runs against the demo API.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_SECRETS } from "../examples/demo-api.js";
import { EXAMPLES, ROOT, runTsc, STRICT_OPTIONS, tempDir } from "./compile-helpers.js";

const APP = path.join(EXAMPLES, "app.ts");
const temp = tempDir("app");
afterAll(() => temp.remove());

/** `tsc` errors for `files`, under settings stricter than the repository's own. */
function typeCheck(files: readonly string[]): string[] {
  const tsconfig = {
    compilerOptions: {
      ...STRICT_OPTIONS,
      // What lets Node run the file directly: `.ts` imports, and only erasable syntax.
      allowImportingTsExtensions: true,
      erasableSyntaxOnly: true,
    },
    files: files.map((file) => path.relative(temp.dir, file)),
  };
  const result = runTsc(temp.dir, tsconfig);
  return `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.includes("error TS"));
}

describe("examples/app.ts", () => {
  it("type-checks in strict mode", () => {
    expect(typeCheck([APP])).toEqual([]);
  });

  it("is checked for real: a wrong global type in the same setting is an error", () => {
    const bad = path.join(temp.dir, "bad.ts");
    const generated = path
      .relative(temp.dir, path.join(EXAMPLES, "generated/order-status.flow.ts"))
      .split(path.sep)
      .join("/");
    writeFileSync(
      bad,
      `import { runOrderStatus } from "${generated}";\nawait runOrderStatus({ caller_id: "+1", order_id: 1001 }, { config: { api_base: "http://127.0.0.1:1" } });\n`,
    );
    const errors = typeCheck([bad]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/bad\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
  });

  it("runs with Node against the demo API: typed result, its own secrets and send/route handlers", async () => {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith("CALLFLOW_SECRET_")) delete env[name];
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [APP], { cwd: ROOT, env, encoding: "utf8" }, (error, out, err) => {
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          stdout: out,
          stderr: err,
        });
      });
    });
    expect(code, stderr).toBe(0);
    // The send handler gets the message as the caller hears it, masked values included.
    expect(stdout).toContain("[announce] say: Your order of 3 items ships on 2026-12-02. Card ending 4242.");
    expect(stdout).toContain("order 1001: 3 item(s), ships 2026-12-02, VIP false; ended at goodbye");
    expect(stdout).toContain("[vip_queue] transfer to queue vip-support");
    expect(stdout).toContain("order 2002: 1 item(s), ships 2026-11-28, VIP true; routed to vip-support");
    for (const secret of Object.values(DEMO_SECRETS)) expect(stdout + stderr).not.toContain(secret);
  });
});
