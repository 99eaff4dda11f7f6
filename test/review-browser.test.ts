// `callflow diff --format html` and `callflow graph --format html|svg` as a reviewer sees them: the
// built CLI writes the file, headless Chromium opens it with the network refused, and the DOM must
// show every widget with each changed one carrying its class. UPDATE_SCREENSHOT=1 rewrites
// docs/diff-example.png, the README's picture, from the same page.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../grammar/parse.js";
import { CHROMIUM, launch, offlinePage, SKIP_NOTE } from "./helpers/browser.js";
import { CLI, ROOT } from "./helpers/cli.js";

const OLD = "examples/order-status.flow";
const NEW = "test/fixtures/order-status-v3.flow";
const SCREENSHOT = path.join(ROOT, "docs/diff-example.png");

function callflow(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
}

/** Widget ids of a flow file, in source order. */
function widgetIds(file: string): string[] {
  const flow = parse(readFileSync(path.join(ROOT, file), "utf8"), file).flow;
  return (flow?.widgets ?? []).map((w) => w.id.name);
}

describe("HTML and SVG output", () => {
  it("is one self-contained page: inline SVG, no script, nothing fetched, same bytes every time", () => {
    const run = callflow(["diff", OLD, NEW, "--format", "html"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^<!doctype html>\n/);
    expect(run.stdout).toContain("<svg");
    expect(run.stdout).not.toMatch(/<script|<link|@import|src=|href="http/i);
    expect(callflow(["diff", OLD, NEW, "--format", "html"]).stdout).toBe(run.stdout);
  });

  it("graph --format svg is an SVG document of every widget, without Graphviz on the PATH", () => {
    const run = spawnSync(process.execPath, [CLI, "graph", OLD, "--format", "svg"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PATH: path.dirname(process.execPath) },
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("<svg");
    for (const id of widgetIds(OLD)) expect(run.stdout).toContain(`<title>w_${id}</title>`);
  });
});

describe.skipIf(CHROMIUM === undefined)("HTML and SVG in headless Chromium", () => {
  let browser: Browser | undefined;
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "callflow-browser-"));
    browser = await launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a file the CLI wrote; returns each drawn node's title and classes, and a screenshot. */
  async function open(
    name: string,
    content: string,
  ): Promise<{ nodes: { title: string; classes: string; text: string }[]; png: Uint8Array; blocked: string[] }> {
    if (browser === undefined) throw new Error("no browser");
    const file = path.join(dir, name);
    writeFileSync(file, content);
    const { page, blocked } = await offlinePage(browser, 900, 700);
    await page.goto(`file://${file}`, { waitUntil: "load" });
    const nodes = await page.$$eval("g.node", (gs) =>
      gs.map((g) => ({
        title: g.querySelector("title")?.textContent ?? "",
        classes: g.getAttribute("class") ?? "",
        text: [...g.querySelectorAll("text")].map((t) => t.textContent).join(" "),
      })),
    );
    const png = await page.screenshot({ fullPage: true, type: "png" });
    await page.close();
    return { nodes, png, blocked };
  }

  const isPng = (bytes: Uint8Array): boolean =>
    Buffer.from(bytes.subarray(0, 8)).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

  it("diff --format html draws every widget, old and new, each changed one with its class", async () => {
    const run = callflow(["diff", OLD, NEW, "--format", "html"]);
    const { nodes, png, blocked } = await open("diff.html", run.stdout);
    expect(blocked).toEqual([]);
    expect(isPng(png)).toBe(true);
    const byTitle = new Map(nodes.map((n) => [n.title, n]));
    // Every widget of the new version, drawn with its id in its label.
    for (const id of widgetIds(NEW)) {
      expect(byTitle.has(`w_${id}`), id).toBe(true);
      expect(byTitle.get(`w_${id}`)?.text).toContain(id);
    }
    // The removed widget, drawn from the old version.
    expect(byTitle.get("removed_apologize")?.classes).toBe("node removed");
    const marked = Object.fromEntries(
      nodes.filter((n) => n.classes !== "node").map((n) => [n.title, n.classes.replace(/^node /, "")]),
    );
    expect(marked).toEqual({
      w_lookup_order: "changed",
      w_check_vip: "changed",
      w_announce: "changed",
      w_survey: "added",
      w_hang_up: "renamed",
      removed_apologize: "removed",
    });
    if (process.env["UPDATE_SCREENSHOT"] === "1") writeFileSync(SCREENSHOT, png);
  }, 60_000);

  it("graph --format html and --format svg draw every widget, unmarked", async () => {
    for (const format of ["html", "svg"]) {
      const run = callflow(["graph", OLD, "--format", format]);
      expect(run.status).toBe(0);
      const { nodes, blocked } = await open(`graph.${format}`, run.stdout);
      expect(blocked).toEqual([]);
      expect(nodes.map((n) => n.title).sort()).toEqual(["start", ...widgetIds(OLD).map((id) => `w_${id}`)].sort());
      expect(nodes.every((n) => n.classes === "node")).toBe(true);
    }
  }, 60_000);

  it("keeps a small screenshot of the example diff in docs/ for the README", () => {
    const png = readFileSync(SCREENSHOT);
    expect(isPng(png)).toBe(true);
    expect(png.length).toBeLessThan(400_000);
  });
});

if (CHROMIUM === undefined) console.warn(SKIP_NOTE);
