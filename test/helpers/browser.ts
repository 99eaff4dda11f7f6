// Headless Chromium for tests that look at pictures as a person would: Debian's `chromium`
// (installed by .ci/run) driven through puppeteer-core. Every request other than a local file
// is refused and recorded, so a page that needs the network at view time fails its test.
import { spawnSync } from "node:child_process";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

/** The Chromium executable: $CHROMIUM_PATH, or the first of the usual names on PATH. */
export function findChromium(): string | undefined {
  const given = process.env["CHROMIUM_PATH"];
  if (given !== undefined && given !== "") return given;
  for (const name of CANDIDATES) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (found.status === 0 && found.stdout.trim() !== "") return found.stdout.trim();
  }
  return undefined;
}

export const CHROMIUM = findChromium();

/** Why browser tests are skipped, printed once so a skip is never silent. */
export const SKIP_NOTE =
  "SKIPPED: Chromium is not installed, so pictures are not rendered in a browser. Install it with: apt-get install -y chromium";

export async function launch(): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error(SKIP_NOTE);
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers run as root without user namespaces; the GPU is not there.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** A page that refuses every request except file: and data: URLs; `blocked` lists the refused ones. */
export async function offlinePage(
  browser: Browser,
  width = 1000,
  height = 800,
): Promise<{ page: Page; blocked: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width, height });
  const blocked: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    if (url.startsWith("file:") || url.startsWith("data:") || url === "about:blank") {
      void request.continue();
    } else {
      blocked.push(url);
      void request.abort();
    }
  });
  return { page, blocked };
}
