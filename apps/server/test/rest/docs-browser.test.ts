import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { restRoutes } from "../../src/rest/index.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

/** Chromium from Debian (`apt-get install -y chromium`); playwright-core never downloads a browser. */
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`docs-browser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

const ARTIFACTS = join(REPO_ROOT, "test-artifacts");

let server: ServerProcess;
let dir: ReturnType<typeof tempDir>;
let browser: Browser;

describe.skipIf(!haveChromium)("the /docs page in a headless browser", () => {
  beforeAll(async () => {
    dir = tempDir();
    server = await startServerProcess({ ILS_DB: join(dir.path, "ils.db") });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir?.cleanup();
  });

  it("lists every route, loads nothing from outside the server, and saves a screenshot", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    const outside: string[] = [];
    // Offline proof: anything not served by our server is recorded and refused.
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.origin === server.url) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    await page.goto(`${server.url}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    const listed = await page.locator(".opblock").evaluateAll((blocks) =>
      blocks.map((b) => {
        const method = b.querySelector(".opblock-summary-method")?.textContent?.trim() ?? "";
        const path =
          b.querySelector(".opblock-summary-path")?.getAttribute("data-path") ??
          b.querySelector(".opblock-summary-path")?.textContent ??
          "";
        return `${method} ${path.replace(/\u200b/g, "").trim()}`;
      }),
    );
    for (const route of restRoutes) expect(listed).toContain(`${route.method} ${route.path}`);
    expect(outside).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "docs-page.png"), fullPage: false });
    expect(existsSync(join(ARTIFACTS, "docs-page.png"))).toBe(true);
  });

  // The page's calls carry the server's own Origin: the Origin check (issue 12) must let them through.
  it('"Try it out" on POST /sessions and POST /sessions/scan answers 200 from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    await page.goto(`${server.url}/docs`);
    for (const operation of ["createSession", "scanClaudeSessions"]) {
      const block = page.locator(`[id$="-${operation}"]`);
      await block.locator(".opblock-summary").click();
      await block.locator(".try-out__btn").click();
      await block.locator(".execute").click();
      const status = block.locator(".live-responses-table tbody .response-col_status").first();
      await status.waitFor({ timeout: 30_000 });
      expect((await status.textContent())?.trim(), operation).toBe("200");
    }
  });

  it('opened as /t/<token>/docs on a server with a token, "Try it out" sends the token prefix and answers 200', async () => {
    const token = "docs-browser-token-0123456789";
    const guarded = await startServerProcess({ ILS_DB: join(dir.path, "guarded", "ils.db"), ILS_TOKEN: token });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
      await page.goto(`${guarded.url}/t/${token}/docs`);
      const block = page.locator('[id$="-listSessions"]');
      await block.locator(".opblock-summary").click();
      await block.locator(".try-out__btn").click();
      await block.locator(".execute").click();
      const status = block.locator(".live-responses-table tbody .response-col_status").first();
      await status.waitFor({ timeout: 30_000 });
      expect((await status.textContent())?.trim()).toBe("200");
    } finally {
      await guarded.stop();
    }
  });
});
