// The Node the tests run on is one `engines` allows, and the one CI says it is testing
// (.ci/run sets CALLFLOW_EXPECT_NODE for each of its passes). An older Node gets one line and exit 2
// from the `callflow` executable (cli/main.cts) instead of a SyntaxError from deep in a module.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";

const major = Number(process.versions.node.split(".")[0]);
const engines = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { engines: { node: string } }
).engines.node;
const minimum = /^>=(\d+)\.(\d+)$/.exec(engines)!.slice(1).map(Number) as [number, number];

const older = (version: string): boolean => {
  const [maj = 0, min = 0] = version.replace(/^v/, "").split(".").map(Number);
  return maj < minimum[0] || (maj === minimum[0] && min < minimum[1]);
};

it("runs on a Node that package.json's engines allows", () => {
  expect(older(process.versions.node)).toBe(false);
});

it.runIf(process.env.CALLFLOW_EXPECT_NODE !== undefined)("runs on the Node major CI asked for", () => {
  expect(major).toBe(Number(process.env.CALLFLOW_EXPECT_NODE));
});

/** A Node older than `engines` allows: CI's CALLFLOW_OLD_NODE, or one on the PATH (the system's own). */
function olderNode(): string | undefined {
  const found = spawnSync("sh", ["-c", "which -a node"], { encoding: "utf8" }).stdout.split("\n");
  const candidates = [process.env.CALLFLOW_OLD_NODE, ...found].filter((p): p is string => p !== undefined && p !== "");
  return candidates.find((node) => {
    const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
    return version !== "" && older(version);
  });
}
const old = olderNode();

it.skipIf(old === undefined)(
  `on an older Node (${old ?? "none found"}) callflow says which it needs and exits 2`,
  () => {
    for (const args of [["--version"], ["lsp", "--stdio"], ["check", "examples/order-status.flow"]]) {
      const ran = spawnSync(old!, [CLI, ...args], { encoding: "utf8", cwd: path.resolve(CLI, "../../.."), input: "" });
      expect(ran.status).toBe(2);
      expect(ran.stdout).toBe("");
      const version = execFileSync(old!, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
      expect(ran.stderr).toBe(`callflow needs Node.js ${minimum.join(".")} or newer; this is Node.js ${version}.\n`);
    }
  },
);
