// The rendered diff that README.md and docs/review-tools.md show (raw Markdown, so GitHub draws its
// Mermaid picture in place) is the real output of the command they name.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, ROOT } from "./helpers/cli.js";

const COMMAND = ["diff", "examples/order-status.flow", "test/fixtures/order-status-v3.flow", "--format", "markdown"];

describe.each(["README.md", "docs/review-tools.md"])("%s", (doc) => {
  it("shows the real Markdown of the example diff, picture included", () => {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    const shown = /<!-- diff-markdown:start -->\n([\s\S]*?)<!-- diff-markdown:end -->/.exec(text)?.[1];
    expect(shown).toBeDefined();
    const run = spawnSync(process.execPath, [CLI, ...COMMAND], { cwd: ROOT, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(shown).toBe(run.stdout);
    expect(shown).toContain("```mermaid\n---\nconfig:\n");
  });

  it("points at the screenshot of the HTML diff", () => {
    const text = readFileSync(path.join(ROOT, doc), "utf8");
    expect(text).toMatch(/!\[[^\]]+\]\((?:docs\/)?diff-example\.png\)/);
  });
});
