// How the pictures read, measured in headless Chromium on what the built CLI writes: a condition's
// branches leave it left to right in source order, no edge label touches another label or any edge,
// every text is in one font (HTML, SVG and Mermaid), a flow of 40 widgets opens at a readable size
// in a frame that pans and zooms, and the Mermaid legend is one row.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "../grammar/parse.js";
import { FONT, widgetExits } from "../review/graph.js";
import { CHROMIUM, launch, offlinePage, SKIP_NOTE } from "./helpers/browser.js";
import { CLI, ROOT } from "./helpers/cli.js";

const EXAMPLES = readdirSync(path.join(ROOT, "examples"))
  .filter((f) => f.endsWith(".flow"))
  .map((f) => `examples/${f}`);
const DIFF = ["diff", "examples/order-status.flow", "test/fixtures/order-status-v3.flow"];

/** A contact center of 43 widgets: a menu of 8 departments, each with a lookup, a check, two messages and a queue. */
function bigFlow(): string {
  const departments = ["billing", "orders", "returns", "tech", "sales", "fraud", "loyalty", "shipping"];
  const out = ['flow big "Big contact center" {', "  local choice: number = 0", "  local ok: boolean = false"];
  out.push("  start -> menu", '  condition menu "Main menu" {');
  departments.forEach((d, i) => out.push(`    when choice == ${i + 1} -> ${d}_lookup`));
  out.push("    else -> operator", "  }");
  for (const d of departments) {
    out.push(
      `  http ${d}_lookup "Look up the ${d} account" { method GET url "https://api.example.com/${d}" success -> ${d}_check fail -> ${d}_sorry }`,
      `  condition ${d}_check "Is the ${d} account in good standing?" { when ok == true -> ${d}_info else -> ${d}_queue }`,
      `  send ${d}_info "Read the ${d} details" { message "Here are your ${d} details." next -> goodbye }`,
      `  send ${d}_sorry { message "Sorry, ${d} is not available." next -> ${d}_queue }`,
      `  route ${d}_queue "${d} agents" { queue "${d}" }`,
    );
  }
  out.push('  route operator "Operator" { queue "operator" }', "  end goodbye", "}", "");
  return out.join("\n");
}

let dir = "";
let browser: Browser | undefined;

function callflow(args: readonly string[]): string {
  const run = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect([0, 1]).toContain(run.status);
  return run.stdout;
}

const drawn = new Map<string, string>();
/** What the CLI writes for `args`, run once per file: several tests look at the same pictures. */
function picture(args: readonly string[]): string {
  const key = args.join("\0");
  const known = drawn.get(key);
  if (known !== undefined) return known;
  const out = callflow(args);
  drawn.set(key, out);
  return out;
}

/** Opens a page the CLI wrote, with the network refused, at a laptop's viewport. */
async function open(name: string, html: string): Promise<{ page: Page; blocked: string[] }> {
  if (browser === undefined) throw new Error("no browser");
  const file = path.join(dir, name);
  writeFileSync(file, html);
  const opened = await offlinePage(browser, 1000, 800);
  await opened.page.goto(`file://${file}`, { waitUntil: "load" });
  return opened;
}

interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** Each edge of the SVG: its title, the box around its label's text, and points along its line, in page pixels. */
async function edgesOf(page: Page): Promise<{ title: string; label: string; box?: Box; points: [number, number][] }[]> {
  return await page.$$eval("g.edge", (groups) =>
    groups.map((g) => {
      const texts = [...g.querySelectorAll("text")].map((t) => t.getBoundingClientRect());
      const points: [number, number][] = [];
      for (const line of g.querySelectorAll("path")) {
        const m = line.getScreenCTM();
        if (m === null) continue;
        for (let at = 0; at <= line.getTotalLength(); at += 1) {
          const p = line.getPointAtLength(at);
          points.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
        }
      }
      const box =
        texts.length === 0
          ? undefined
          : {
              left: Math.min(...texts.map((b) => b.left)),
              right: Math.max(...texts.map((b) => b.right)),
              top: Math.min(...texts.map((b) => b.top)),
              bottom: Math.max(...texts.map((b) => b.bottom)),
            };
      return {
        title: g.querySelector("title")?.textContent ?? "",
        label: [...g.querySelectorAll("text")].map((t) => t.textContent).join(" "),
        ...(box === undefined ? {} : { box }),
        points,
      };
    }),
  );
}

/** Labels that overlap another label or have a line through them (a pixel of anti-aliasing aside). */
async function labelClashes(page: Page): Promise<string[]> {
  const edges = await edgesOf(page);
  const clashes: string[] = [];
  for (const a of edges) {
    if (a.box === undefined) continue;
    const { left, right, top, bottom } = a.box;
    for (const b of edges) {
      if (b === a) continue;
      if (b.box !== undefined && left < b.box.right && b.box.left < right && top < b.box.bottom && b.box.top < bottom)
        clashes.push(`"${a.label}" (${a.title}) overlaps "${b.label}" (${b.title})`);
    }
    for (const b of edges) {
      if (b.points.some(([x, y]) => x > left + 1 && x < right - 1 && y > top + 1 && y < bottom - 1))
        clashes.push(`"${a.label}" (${a.title}) is crossed by ${b === a ? "its own edge" : b.title}`);
    }
  }
  return clashes;
}

/** The font families Chromium drew each text of the page with, and the CSS family asked for. */
async function fontsOf(page: Page, selector: string): Promise<{ platform: Set<string>; css: Set<string> }> {
  const cdp = await page.createCDPSession();
  await cdp.send("DOM.enable");
  await cdp.send("CSS.enable");
  const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
  const { nodeIds } = await cdp.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector });
  const platform = new Set<string>();
  // One round trip for all the nodes: CDP answers concurrent requests.
  const answers = await Promise.all(nodeIds.map((nodeId) => cdp.send("CSS.getPlatformFontsForNode", { nodeId })));
  for (const { fonts } of answers) for (const font of fonts) platform.add(font.familyName);
  await cdp.detach();
  const css = new Set(
    await page.$$eval(selector, (elements) =>
      elements.filter((e) => (e.textContent ?? "").trim() !== "").map((e) => getComputedStyle(e).fontFamily),
    ),
  );
  return { platform, css };
}

/** Renders Mermaid text with the mermaid package in a blank page, as review sites do. */
async function mermaidPage(source: string): Promise<Page> {
  const { page, blocked } = await open("blank.html", "<!doctype html><html><body></body></html>\n");
  await page.addScriptTag({ path: path.join(ROOT, "node_modules/mermaid/dist/mermaid.min.js") });
  await page.evaluate(async (text: string) => {
    interface MermaidApi {
      initialize(config: object): void;
      render(id: string, text: string): Promise<{ svg: string }>;
    }
    const mermaid = (window as unknown as { mermaid: MermaidApi }).mermaid;
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    document.body.innerHTML = (await mermaid.render("picture", text)).svg;
  }, source);
  expect(blocked).toEqual([]);
  return page;
}

/** The fenced Mermaid block of a Markdown diff. */
const mermaidBlock = (markdown: string): string => /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? "";

describe.skipIf(CHROMIUM === undefined)("pictures as Chromium draws them", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "callflow-layout-"));
    writeFileSync(path.join(dir, "big.flow"), bigFlow());
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  it("draws a condition's branches left to right in the order they are written", async () => {
    const checked: string[] = [];
    const pages = [
      ...[...EXAMPLES, path.join(dir, "big.flow")].map((file) => ({ file, args: ["graph", file, "--format", "html"] })),
      { file: "test/fixtures/order-status-v3.flow", args: [...DIFF, "--format", "html"] },
    ];
    for (const { file, args } of pages) {
      const flow = parse(readFileSync(path.resolve(ROOT, file), "utf8"), file).flow;
      const { page } = await open("graph.html", picture(args));
      const centers = new Map(
        await page.$$eval("g.node", (nodes) =>
          nodes.map((n) => {
            const box = n.getBoundingClientRect();
            return [n.querySelector("title")?.textContent ?? "", box.left + box.width / 2] as const;
          }),
        ),
      );
      // Where each exit's label sits, by its edge's ends and text (a removed exit is drawn apart).
      const labels = new Map(
        (await edgesOf(page)).flatMap((e) =>
          e.box === undefined ? [] : [[`${e.title} ${e.label}`, (e.box.left + e.box.right) / 2] as const],
        ),
      );
      for (const widget of flow?.widgets ?? []) {
        if (widget.kind !== "ConditionWidget") continue;
        // The `when` branches as written, then `else`: their labels read left to right in that order.
        const exits = widgetExits(widget);
        const at = exits.map((e) => labels.get(`w_${widget.id.name}->w_${e.target} ${e.label}`) ?? Number.NaN);
        const ordered = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? 0));
        expect(ordered(at), `${args.join(" ")}: ${widget.id.name} labels at ${at.map(Math.round).join(", ")}`).toBe(
          true,
        );
        // In a whole flow the widgets they lead to stand in that order too.
        if (args[0] === "graph") {
          const targets = [...new Set(exits.map((e) => e.target))];
          const xs = targets.map((t) => centers.get(`w_${t}`) ?? Number.NaN);
          expect(
            ordered(xs),
            `${file}: ${widget.id.name} -> ${targets.join(", ")} at ${xs.map(Math.round).join(", ")}`,
          ).toBe(true);
        }
        checked.push(widget.id.name);
      }
      await page.close();
    }
    // The examples' conditions, the generated flow's nine and the diff's one.
    expect(checked.length).toBeGreaterThan(10);
  }, 180_000);

  it("keeps every edge label clear of the other labels and of every edge", async () => {
    const pages = [
      ...EXAMPLES.map((file) => ["graph", file, "--format", "html"]),
      ["graph", path.join(dir, "big.flow"), "--format", "html"],
      [...DIFF, "--format", "html"],
    ];
    for (const args of pages) {
      const { page } = await open("labels.html", picture(args));
      expect(await labelClashes(page), args.join(" ")).toEqual([]);
      await page.close();
    }
  }, 180_000);

  it("writes every text of the HTML pages in one font, the one Mermaid pictures use too", async () => {
    for (const args of [
      ["graph", "examples/order-routing.flow", "--format", "html"],
      [...DIFF, "--format", "html"],
    ]) {
      const { page } = await open("fonts.html", picture(args));
      const { platform, css } = await fontsOf(page, "h1, h2, li, code, label, p, text");
      expect([...css], args.join(" ")).toEqual([FONT]);
      expect(platform.size, [...platform].join(", ")).toBe(1);
      await page.close();
    }
    const html = await open("page.html", picture(["graph", "examples/order-routing.flow", "--format", "html"]));
    const pageFont = [...(await fontsOf(html.page, "h1")).platform];
    await html.page.close();
    for (const source of [
      picture(["graph", "examples/order-routing.flow"]),
      mermaidBlock(picture([...DIFF, "--format", "markdown"])),
    ]) {
      const page = await mermaidPage(source);
      const { platform, css } = await fontsOf(page, "svg text, svg span, svg p");
      expect([...css]).toEqual([FONT]);
      expect([...platform]).toEqual(pageFont);
      await page.close();
    }
  }, 180_000);

  it("opens a flow of 40 widgets at a readable size, in a frame that pans and zooms", async () => {
    const html = picture(["graph", path.join(dir, "big.flow"), "--format", "html"]);
    expect(callflow(["graph", path.join(dir, "big.flow"), "--format", "html"])).toBe(html);
    expect(html).not.toMatch(/<script|<link|@import|src=|href="http/i);
    const { page, blocked } = await open("big.html", html);
    /** Height of a widget's name on screen, and where the picture and its frame are. */
    const measure = async (): Promise<{ text: number; svg: Box; frame: Box; scroll: [number, number] }> =>
      await page.evaluate(() => {
        const frame = document.querySelector(".picture");
        const svg = frame?.querySelector("svg");
        const text = svg?.querySelector("g.node text");
        if (!frame || !svg || !text) throw new Error("no picture");
        const box = (e: Element): Box => {
          const { left, right, top, bottom } = e.getBoundingClientRect();
          return { left, right, top, bottom };
        };
        return {
          text: text.getBoundingClientRect().height,
          svg: box(svg),
          frame: { ...box(frame), right: frame.getBoundingClientRect().left + frame.clientWidth },
          scroll: [frame.scrollWidth - frame.clientWidth, frame.scrollHeight - frame.clientHeight] as [number, number],
        };
      });
    const opened = await measure();
    // Graphviz's 14pt node text at its own size, as in a small flow; shrunk to the page it was under 5px.
    expect(opened.text).toBeGreaterThan(16);
    // The picture is wider and taller than its frame, and the frame, not the page, scrolls.
    expect(opened.scroll[0]).toBeGreaterThan(0);
    expect(opened.scroll[1]).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // It opens with the start in view, though Graphviz centers it over a picture three times the frame's width.
    const start = await page.$eval(".picture g.node", (g) => {
      const { left, right, top, bottom } = g.getBoundingClientRect();
      return { left, right, top, bottom, title: g.querySelector("title")?.textContent };
    });
    expect(start.title).toBe("start");
    expect(start.left).toBeGreaterThanOrEqual(opened.frame.left);
    expect(start.right).toBeLessThanOrEqual(opened.frame.right);
    expect(start.bottom).toBeLessThanOrEqual(opened.frame.bottom);
    // Pan: scrolling the frame moves the picture under it.
    await page.$eval(".picture", (frame) => frame.scrollBy(300, 200));
    const panned = await measure();
    expect(panned.svg.left).toBeCloseTo(opened.svg.left - 300, 0);
    expect(panned.svg.top).toBeCloseTo(opened.svg.top - 200, 0);
    // Zoom: 200% doubles the text; Fit shows the whole picture inside the frame.
    await page.click("label[for='picture-zoom-200']");
    expect((await measure()).text / opened.text).toBeCloseTo(2, 1);
    await page.click("label[for='picture-zoom-fit']");
    const fit = await measure();
    expect(fit.scroll).toEqual([0, 0]);
    expect(fit.svg.right - fit.svg.left).toBeLessThanOrEqual(fit.frame.right - fit.frame.left);
    await page.click("label[for='picture-zoom-100']");
    expect((await measure()).text).toBeCloseTo(opened.text, 1);
    expect(blocked).toEqual([]);
    await page.close();
  }, 180_000);

  it("draws the Mermaid legend in one row", async () => {
    const page = await mermaidPage(mermaidBlock(picture([...DIFF, "--format", "markdown"])));
    const legend = await page.$$eval("g.node", (nodes) =>
      nodes
        .filter((n) => /-legend_/.test(n.id))
        .map((n) => {
          const box = n.getBoundingClientRect();
          return { x: box.left, y: Math.round(box.top + box.height / 2) };
        }),
    );
    expect(legend).toHaveLength(4);
    expect(new Set(legend.map((l) => l.y)).size).toBe(1);
    expect(legend.map((l) => l.x)).toEqual(legend.map((l) => l.x).toSorted((a, b) => a - b));
    await page.close();
  }, 180_000);
});

if (CHROMIUM === undefined) console.warn(SKIP_NOTE);
