// `npm run demo` as a new user runs it: a child process that must exit 0 and show a retry,
// a Success exit and a Fail exit from real HTTP calls, with every secret hidden.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEMO_SECRETS } from "../examples/demo-api.js";
import { EXAMPLES, ROOT } from "./compile-helpers.js";

function npmRunDemo(): Promise<{ code: number; stdout: string; stderr: string }> {
  // Not a terminal, and CI set: plain lines, no spinner, no colours.
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "1", NO_COLOR: "1" };
  for (const name of Object.keys(env)) if (name.startsWith("CALLFLOW_SECRET_")) delete env[name];
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "demo"], { cwd: ROOT, env, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

describe("npm run demo", () => {
  it("runs every example flow against the embedded API and exits 0", async () => {
    const { code, stdout, stderr } = await npmRunDemo();
    expect(code, stderr).toBe(0);
    for (const flow of readdirSync(EXAMPLES).filter((name) => name.endsWith(".flow"))) {
      expect(stdout).toContain(`━━ examples/${flow}`);
    }
    // A retry after 503 + Retry-After, then the second attempt succeeds.
    expect(stdout).toMatch(/← 503 .*\n\s+↻ retrying in 1\.0 s \(Retry-After\)\n\s+→ POST \S+  attempt 2\/4\n\s+← 201/);
    // Both exits of an http widget.
    expect(stdout).toContain("exit success → check_vip");
    expect(stdout).toMatch(/← 404 [^\n]*\n[^\n]*✖ status 404\n\s+exit fail → apologize/);
    // Masked values and secrets are shown as ••••, never in clear.
    expect(stdout).toContain("card_last4 = ••••");
    for (const hidden of [...Object.values(DEMO_SECRETS), "4242", "0005"]) {
      expect(stdout).not.toContain(hidden);
      expect(stderr).not.toContain(hidden);
    }
    // The flow tests and their exit coverage, after the runs.
    expect(stdout).toMatch(
      /━━ the flow tests\n\$ callflow test --coverage examples\/\n[\s\S]*Exit coverage\n[\s\S]* {3}examples\/order-status\.flow {2}6\/6 exits \(100\.0%\)\n/,
    );
    expect(stdout).toMatch(/\n\d+ passed, 0 failed\n/);
    expect(stdout).toContain(
      "Done: every flow compiled, every run reached an end or a route, and every flow test passed.",
    );
    expect(stdout).not.toContain("\x1b");
  });
});
