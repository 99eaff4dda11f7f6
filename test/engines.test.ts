// The Node the tests run on is one `engines` allows, and the one CI says it is testing
// (.ci/run sets CALLFLOW_EXPECT_NODE for each of its passes).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

const major = Number(process.versions.node.split(".")[0]);

it("runs on a Node that package.json's engines allows", () => {
  const engines = (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { engines: { node: string } }
  ).engines.node;
  const minimum = Number(/^>=(\d+)$/.exec(engines)?.[1]);
  expect(major).toBeGreaterThanOrEqual(minimum);
});

it.runIf(process.env.CALLFLOW_EXPECT_NODE !== undefined)("runs on the Node major CI asked for", () => {
  expect(major).toBe(Number(process.env.CALLFLOW_EXPECT_NODE));
});
