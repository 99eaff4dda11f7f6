// The status page of `callflow serve` (GET /) in headless Chromium: the numbers on the page are the runs made,
// each exit is drawn in the colour of how often runs took it, and failed runs show their redacted timelines.
// UPDATE_SCREENSHOT=1 rewrites docs/serve-status.png.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM, launch, SKIP_NOTE } from "./helpers/browser.js";
import { ROOT } from "./helpers/cli.js";
import { serveWithUpstream, type Served, type ServedProject } from "./helpers/serve.js";

const SCREENSHOT = path.join(ROOT, "docs/serve-status.png");

describe.skipIf(CHROMIUM === undefined)("callflow serve status page", () => {
  let setup: ServedProject | undefined;
  let served: Served;
  let browser: Browser | undefined;

  beforeAll(async () => {
    setup = await serveWithUpstream("serve-status", {
      flows: ["lookup.flow", "quote.flow", "spin.flow"],
      route: (upstream) => {
        upstream.route("/orders/ok", { json: { shipDate: "2026-12-24", last4: "4242" } });
        upstream.route("/orders/down", { status: 500, json: { echo: "crm-status-secret" } });
      },
      secrets: { CRM_TOKEN: "crm-status-secret" },
    });
    served = setup.served;
    browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await setup?.close();
  });

  const run = (flow: string, body: Record<string, unknown>): Promise<number> =>
    fetch(`${served.url}/flows/${flow}/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).then((r) => r.status);
  const order = (id: string, vip = false) =>
    run("order_lookup", { order_id: id, email: "a@b.co", pin: "pin-7777", vip });

  it("shows the runs made: counts by outcome, exits by use, failed runs' timelines", async () => {
    const statuses = [
      ...(await Promise.all([order("ok"), order("ok"), order("ok"), order("ok", true), order("down")])),
      await run("spin", {}),
      await run("spin", {}),
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 200, 502, 502]);

    const page = await browser!.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    await page.goto(`${served.url}/`, { waitUntil: "load" });
    const counts = (flow: string) =>
      page.$$eval(`section[data-flow="${flow}"] td[data-outcome]`, (cells) =>
        Object.fromEntries(cells.map((c) => [c.getAttribute("data-outcome"), Number(c.textContent)])),
      );
    expect(await counts("order_lookup")).toEqual({ all: 5, end: 3, route: 2, failed: 0, deadline: 0, drained: 0 });
    expect(await counts("spin")).toEqual({ all: 2, end: 0, route: 0, failed: 2, deadline: 0, drained: 0 });
    expect(await counts("quote")).toMatchObject({ all: 0 });

    // Each exit's count and colour, by its edge's title (from->to) and label.
    const edges = await page.$$eval('section[data-flow="order_lookup"] g.edge', (gs) =>
      gs.map((g) => ({
        title: g.querySelector("title")?.textContent ?? "",
        label: g.querySelector("text")?.textContent ?? "",
        count: Number(g.getAttribute("data-count")),
        stroke: g.querySelector("path")?.getAttribute("stroke") ?? "",
      })),
    );
    const edge = (title: string) => edges.find((e) => e.title === title)!;
    expect(edge("start->w_lookup").count).toBe(5);
    expect(edge("w_lookup->w_check_vip")).toMatchObject({ count: 4, label: "success ×4" });
    expect(edge("w_lookup->w_agents")).toMatchObject({ count: 1, label: "fail ×1" });
    expect(edge("w_check_vip->w_vip_queue").count).toBe(1);
    expect(edge("w_check_vip->w_announce").count).toBe(3);
    expect(edge("w_announce->w_goodbye").count).toBe(3);
    // The busiest exit is darkest; a fail taken once is lighter; none is grey.
    expect(edge("start->w_lookup").stroke).toBe("#08519c");
    expect(edge("w_lookup->w_agents").stroke).not.toBe(edge("start->w_lookup").stroke);

    const failures = await page.$$eval('section[data-flow="spin"] details.failure', (ds) =>
      ds.map((d) => d.textContent ?? ""),
    );
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain("step-limit");
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toMatch(/crm-status-secret|pin-7777|4242/);

    const png = await page.screenshot({ fullPage: false, type: "png" });
    if (process.env["UPDATE_SCREENSHOT"] === "1") writeFileSync(SCREENSHOT, png);
    await page.close();
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe("PNG");
  }, 60_000);
});

if (CHROMIUM === undefined) console.warn(SKIP_NOTE);
