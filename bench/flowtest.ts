// `callflow test` benchmark: 1,000 tests, each answering a 503 with `Retry-After: 30` before a 200,
// run by the built CLI in a child process, as CI runs it. In real time each test would wait 30 s
// (10 s with the runtime's default Retry-After cap): 8 hours (or 2.8) in all; in virtual time the
// whole file takes seconds. Fails when it takes 5 s or more.
//
//   npm run build && node bench/flowtest.ts
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TESTS = 1000;
const LIMIT_MS = 5000;
const root = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(root, "dist/cli/cli.js");

const one = (i: number): string => `
test "order ${i}: 503 with Retry-After, then 200" {
  config { api_base = "https://crm.test" }
  globals { caller_id = "+15550100"  order_id = "${1000 + i}" }
  secrets { CRM_TOKEN = "t-123" }
  mock lookup_order {
    reply 503 { header "Retry-After" = "30" }
    reply 200 { json { "shipDate": "2026-12-24", "items": [1, 2, 3], "customer": { "vip": true }, "payment": { "last4": "4242" } } }
  }
  expect { route "vip-support"  attempts lookup_order = 2 }
}
`;

const dir = mkdtempSync(path.join(tmpdir(), "callflow-bench-flowtest-"));
try {
  copyFileSync(path.join(root, "examples/order-status.flow"), path.join(dir, "order-status.flow"));
  let text = 'tests for "order-status.flow"\n';
  for (let i = 0; i < TESTS; i++) text += one(i);
  writeFileSync(path.join(dir, "bench.flowtest"), text);

  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, "test", "bench.flowtest"], { cwd: dir, encoding: "utf8" });
  const ms = performance.now() - started;
  const summary = result.stdout.trimEnd().split("\n").at(-1);
  const virtual = /Duration (.*) virtual/.exec(result.stdout)?.[1] ?? "?";
  console.log(
    `${TESTS} tests (503 + Retry-After: 30, then 200): ${summary}; ${virtual} virtual, ${Math.round(ms)} ms real`,
  );
  if (result.status !== 0 || summary !== `${TESTS} passed, 0 failed`) {
    console.error(result.stdout.slice(-2000), result.stderr);
    process.exitCode = 1;
  } else if (ms >= LIMIT_MS) {
    console.error(`slower than ${LIMIT_MS} ms`);
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
