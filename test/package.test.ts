// The package as a user installs it: `npm pack`, installed into a fresh project with its own
// package.json and strict tsconfig (nothing from this repository's node_modules), where the
// user's commands run: `npx callflow check`, `npx callflow compile` into src/flows/, `tsc
// --noEmit` on an app importing the generated module, and the app against a local node:http
// server. Then chevrotain, ts-morph and TypeScript are deleted and the app runs again: the
// runtime stands alone.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, STRICT_OPTIONS } from "./compile-helpers.js";

const exec = promisify(execFile);
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");
// Installing takes a while on a cold cache; the registry is the only network CI has.
const INSTALL_TIMEOUT = 240_000;

const FLOW = `flow order_lookup "Order lookup" {
  config api_base: url
  global order_id: string
  local ship_date: string = "unknown"
  local item_count: number = 0
  secret CRM_TOKEN

  start -> lookup

  http lookup {
    method GET
    url "{{api_base}}/orders/{{order_id}}"
    authorization "Bearer {{secret.CRM_TOKEN}}"
    retry 1
    results {
      "$.shipDate" -> ship_date
      "$.items.length" -> item_count
    }
    success -> done
    fail -> sorry
  }

  send sorry { message "Sorry, order {{order_id}} was not found." next -> done }
  end done
}
`;

// The user's app: typed input, secrets by the flow's secret names, a local API to call.
const APP = `import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  runOrderLookup,
  type OrderLookupConfig,
  type OrderLookupInput,
  type OrderLookupSecret,
} from "./flows/order-lookup.flow.ts";

const server = createServer((req, res) => {
  const ok = req.url === "/orders/1001" && req.headers.authorization === "Bearer t-1";
  res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
  res.end(JSON.stringify(ok ? { shipDate: "2026-12-24", items: [1, 2, 3] } : { error: "not found" }));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const tokens: Record<OrderLookupSecret, string> = { CRM_TOKEN: "t-1" };
const config: OrderLookupConfig = { api_base: \`http://127.0.0.1:\${port}\` };
try {
  for (const order_id of ["1001", "4040"]) {
    const input: OrderLookupInput = { order_id };
    const { outcome, variables } = await runOrderLookup(input, {
      config,
      secrets: async (name) => tokens[name as OrderLookupSecret],
      onSend: (message) => console.log(\`say: \${message}\`),
    });
    const shipDate: string = variables.ship_date;
    console.log(\`\${order_id}: \${outcome.kind} at \${outcome.widget}, \${variables.item_count} items, ships \${shipDate}\`);
  }
} finally {
  server.close();
}
`;

// Outside the repository, so no module resolves from this repository's node_modules.
const temp = mkdtempSync(path.join(tmpdir(), "callflow-package-"));
const project = path.join(temp, "user-app");
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Runs a command in the user's project; the Node running this test runs npm and npx too. */
function inProject(command: string, args: readonly string[], timeout = 60_000) {
  return exec(command, args, { cwd: project, timeout, env: { ...process.env, NO_COLOR: "1" } });
}

let tarball: string;
beforeAll(async () => {
  // `npm test` has just built dist/; pack what `files` lists, as publishing would.
  const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", temp], {
    cwd: ROOT,
  });
  tarball = path.join(temp, (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? "");
  mkdirSync(path.join(project, "flows"), { recursive: true });
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "user-app", private: true, type: "module" }, null, 2),
  );
  await inProject(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, "@types/node@24"],
    INSTALL_TIMEOUT,
  );
}, INSTALL_TIMEOUT + 30_000);

describe("the packed package, installed", () => {
  it("ships the built package and nothing of the repository's sources or tests", () => {
    const installed = path.join(project, "node_modules/callflow");
    expect(readdirSync(installed).sort()).toEqual(["README.md", "dist", "package.json", "schema"]);
    expect(existsSync(path.join(installed, "schema/callflow.schema.json"))).toBe(true);
    expect(existsSync(path.join(installed, "dist/cli/cli.js"))).toBe(true);
    expect(existsSync(path.join(installed, "dist/test"))).toBe(false);
  });

  it("checks and compiles with npx callflow, and the user's strict tsc passes", async () => {
    writeFileSync(path.join(project, "flows/order-lookup.flow"), FLOW);
    const check = await inProject("npx", ["callflow", "check", "flows/order-lookup.flow"]);
    expect(check.stdout).toMatch(/1 file checked: 0 errors, 0 warnings/);
    await inProject("npx", ["callflow", "compile", "flows/order-lookup.flow", "--out-dir", "src/flows"]);
    const generated = readFileSync(path.join(project, "src/flows/order-lookup.flow.ts"), "utf8");
    expect(generated).toContain('from "callflow/runtime/internal"');

    writeFileSync(path.join(project, "src/app.ts"), APP);
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify(
        { compilerOptions: { ...STRICT_OPTIONS, allowImportingTsExtensions: true, erasableSyntaxOnly: true } },
        null,
        2,
      ),
    );
    const tsc = await inProject(process.execPath, [TSC, "--noEmit", "-p", "."]).catch(
      (error: { stdout: string }) => error,
    );
    expect(tsc.stdout).toBe("");

    // The same check fails for real on a mistake the generated types catch.
    writeFileSync(
      path.join(project, "src/wrong.ts"),
      APP.replace("const input: OrderLookupInput = { order_id };", "const input: OrderLookupInput = {};"),
    );
    const wrong = await inProject(process.execPath, [TSC, "--noEmit", "-p", "."]).catch(
      (error: { stdout: string }) => error,
    );
    expect(wrong.stdout).toMatch(/src\/wrong\.ts.*error TS2741: Property 'order_id' is missing/);
    rmSync(path.join(project, "src/wrong.ts"));
  });

  it("runs the app against a local server", async () => {
    const { stdout } = await inProject(process.execPath, ["src/app.ts"]);
    expect(stdout).toBe(
      [
        "1001: end at done, 3 items, ships 2026-12-24",
        "say: Sorry, order 4040 was not found.",
        "4040: end at done, 0 items, ships unknown",
        "",
      ].join("\n"),
    );
  });

  it("runs the compiled flow with the front end's packages gone: the runtime stands alone", async () => {
    for (const name of ["chevrotain", "@chevrotain", "ts-morph", "@ts-morph", "typescript"]) {
      rmSync(path.join(project, "node_modules", name), { recursive: true, force: true });
    }
    expect(existsSync(path.join(project, "node_modules/ts-morph"))).toBe(false);
    const { stdout } = await inProject(process.execPath, ["src/app.ts"]);
    expect(stdout).toContain("1001: end at done, 3 items, ships 2026-12-24");
    // They really are gone, so the run above proves something (the CLI bundles Chevrotain: it cannot show it).
    const gone = await inProject(process.execPath, ["--input-type=module", "-e", 'await import("chevrotain")']).catch(
      (error: { stderr: string }) => error,
    );
    expect(gone.stderr).toMatch(/Cannot find package 'chevrotain'/);
  });
});
