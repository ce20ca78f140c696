import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Session } from "@ils/contracts";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_CLAUDE, recording } from "../chat/chat-support.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";
import { trpcMutation, trpcQuery } from "../support/trpc-http.ts";

/** Chromium from Debian (`apt-get install -y chromium`); playwright-core never downloads a browser. */
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`web-browser: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
const SAMPLE_PROJECT = join(FIXTURES, "transcripts/d-kimuson__claude-code-viewer/mock-global-claude-dir/projects/sample-project");
const OTHER_PROJECT = join(FIXTURES, "transcripts/OpenCoworkAI__open-cowork/.claude/projects/-Users-liuyusen-Desktop---------VLM");
/** 438 lines: nine pages of 50, so three pages back is still far from the start. */
const LONG_CLAUDE_ID = "fe5e1c67-53e7-4862-81ae-d0e013e3270b";

let server: ServerProcess;
let dir: ReturnType<typeof tempDir>;
let browser: Browser;
let sessions: Session[];

async function allSessions(url: string): Promise<Session[]> {
  const res = await trpcQuery<{ items: Session[] }>(url, "sessions.list", { limit: 200 });
  return res.data!.items;
}

async function newPage(): Promise<{ page: Page; outside: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const outside: string[] = [];
  const errors: string[] = [];
  // Offline proof: anything not served by our server is recorded and refused.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === server.url) return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  return { page, outside, errors };
}

function screenshot(page: Page, name: string): Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return page.screenshot({ path: join(ARTIFACTS, name) });
}

const seqs = (page: Page) =>
  page.locator("ol.messages > li[data-seq]").evaluateAll((items) => items.map((i) => Number(i.getAttribute("data-seq"))));

describe.skipIf(!haveChromium)("the session browser at / in a headless browser", () => {
  beforeAll(async () => {
    dir = tempDir("ils-web-");
    const claudeDir = join(dir.path, "claude");
    cpSync(SAMPLE_PROJECT, join(claudeDir, "projects", "sample-project"), { recursive: true });
    cpSync(OTHER_PROJECT, join(claudeDir, "projects", "-Users-liuyusen-Desktop---------VLM"), { recursive: true });
    server = await startServerProcess({
      ILS_DB: join(dir.path, "ils.db"),
      ILS_CLAUDE_DIR: claudeDir,
      ILS_CLAUDE_BIN: FAKE_CLAUDE,
      FAKE_CLAUDE_SCENARIO: "02-tools",
      // Slow enough that the page sees the run while it is running.
      FAKE_CLAUDE_DELAY_MS: "150",
    });
    const scan = await trpcMutation<{ sessions: number }>(server.url, "sessions.scan", {});
    expect(scan.status).toBe(200);
    sessions = await allSessions(server.url);
    expect(sessions.length).toBeGreaterThanOrEqual(4);
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

  it("serves the page and its bundle from the server, with a strict content security policy", async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).toContain(`src="assets/app.js"`); // relative: works under /t/<token>/ as well
    const js = await fetch(`${server.url}/assets/app.js`);
    expect(js.headers.get("content-type")).toContain("text/javascript");
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${server.url}/assets/app.css`)).status).toBe(200);
    for (const path of ["/assets/nope.js", "/assets/../package.json", "/assets/index.html", "/index.html"]) {
      expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
    }
  });

  it("lists the sessions, filters them by project, and loads nothing from outside the server", async () => {
    const { page, outside, errors } = await newPage();
    await page.goto(`${server.url}/`);
    const items = page.locator("nav a[data-session]");
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBe(sessions.length);
    await expect.poll(() => page.locator("nav .status").textContent()).toBe(`${sessions.length} sessions`);
    // Newest activity first, as sessions.list returns them.
    const listed = await items.evaluateAll((links) => links.map((a) => a.getAttribute("data-session")));
    expect(listed).toEqual(sessions.map((s) => s.id));
    await screenshot(page, "web-list.png");

    const sample = sessions.filter((s) => s.projectPath === sessions.find((x) => x.claudeSessionId === LONG_CLAUDE_ID)!.projectPath);
    expect(sample.length).toBe(3);
    expect(sample.length).toBeLessThan(sessions.length);
    await expect.poll(() => page.locator("#project-filter option").count()).toBeGreaterThan(2);
    await page.selectOption("#project-filter", sample[0]!.projectPath!);
    await expect.poll(() => items.count()).toBe(sample.length);
    expect(new Set(await items.evaluateAll((links) => links.map((a) => a.getAttribute("data-session"))))).toEqual(
      new Set(sample.map((s) => s.id)),
    );
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("searches for a word and opens the conversation at the hit", async () => {
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/`);
    await page.locator("nav a[data-session]").first().waitFor();
    await page.fill("#search-input", "devDependencies");
    await page.click("#search-form button[type=submit]");
    const hits = page.locator("nav a.hit");
    await hits.first().waitFor({ timeout: 20_000 });
    expect(await page.locator("nav a.hit mark").first().textContent()).toMatch(/devDependencies/i);
    await screenshot(page, "web-search.png");

    const hit = hits.first();
    const messageId = await hit.getAttribute("data-message");
    await hit.click();
    const focused = page.locator("ol.messages > li.focus");
    await focused.waitFor({ timeout: 20_000 });
    expect(await focused.getAttribute("data-id")).toBe(messageId);
    expect(await focused.textContent()).toMatch(/devDependencies/i);
    // It is on screen, and keyboard focus is on it.
    expect(await focused.isVisible()).toBe(true);
    expect(await page.locator(":focus").getAttribute("data-id")).toBe(messageId);
    await screenshot(page, "web-hit.png");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("pages backwards as the reader scrolls up: three older pages appear in the DOM", async () => {
    const long = sessions.find((s) => s.claudeSessionId === LONG_CLAUDE_ID)!;
    expect(long.messageCount).toBeGreaterThan(300);
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/#/session/${long.id}`);
    await page.locator("ol.messages > li[data-seq]").first().waitFor({ timeout: 20_000 });
    let shown = await seqs(page);
    // The newest page: it ends at the session's last message.
    expect(Math.max(...shown)).toBe(long.lastSeq);
    const oldest = [Math.min(...shown)];
    for (let pageBack = 1; pageBack <= 3; pageBack++) {
      await page.locator(".scroller").evaluate((el) => (el.scrollTop = 0));
      await expect.poll(async () => Math.min(...(await seqs(page))), { timeout: 20_000 }).toBeLessThan(oldest.at(-1)!);
      shown = await seqs(page);
      oldest.push(Math.min(...shown));
      // The reading position stays where it was: the older page sits above, out of view.
      expect(await page.locator(".scroller").evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    }
    // In conversation order, without duplicates, and far from the start still.
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(new Set(shown).size).toBe(shown.length);
    // Four pages of 50 on the page: the oldest shown message is in the fourth.
    expect(long.lastSeq - oldest.at(-1)!).toBeGreaterThanOrEqual(3 * 50);
    expect(oldest.at(-1)!).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("follows a live run to its end, then exports the conversation as a file", async () => {
    const created = await trpcMutation<Session>(server.url, "sessions.create", { name: "Live run from the browser test" });
    const sessionId = created.data!.id;
    const { page, errors } = await newPage();
    await page.goto(`${server.url}/#/session/${sessionId}`);
    const live = page.locator(".live");
    await expect.poll(() => live.getAttribute("data-state"), { timeout: 20_000 }).toBe("watching");
    // Every state the page goes through, recorded in the page (a poll could miss a short one).
    await live.evaluate((el) => {
      // This runs in the page (the test's tsconfig has no DOM types).
      const page = globalThis as unknown as {
        liveStates: string[];
        MutationObserver: new (cb: () => void) => { observe(node: unknown, opts: object): void };
      };
      const seen: string[] = (page.liveStates = []);
      new page.MutationObserver(() => seen.push(el.getAttribute("data-state") ?? "")).observe(el, { attributes: true });
    });

    const sent = await trpcMutation(server.url, "chat.send", { sessionId, prompt: "List the files and write NOTES.md" });
    expect(sent.status).toBe(200);
    await expect.poll(() => live.getAttribute("data-state"), { timeout: 30_000 }).toBe("finished");
    expect(await page.evaluate(() => (globalThis as unknown as { liveStates: string[] }).liveStates)).toContain("running");
    await page.locator("ol.messages > li.result").waitFor();
    const session = (await trpcQuery<Session>(server.url, "sessions.get", { sessionId })).data!;
    expect(Math.max(...(await seqs(page)))).toBe(session.lastSeq);
    const finalText = recording("02-tools").find((l) => l.type === "result")!.result as string;
    expect(await page.locator("ol.messages").textContent()).toContain(finalText);
    expect(await page.locator("ol.messages details summary").allTextContents()).toContain("Tool call: Bash");
    // The list entry shows the new message count too.
    await expect
      .poll(() => page.locator(`nav a[data-session="${sessionId}"] .facts`).textContent())
      .toContain(`${session.messageCount} messages`);
    await screenshot(page, "web-conversation.png");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Markdown")]);
    expect(download.suggestedFilename()).toBe(`session-${sessionId}.md`);
    const file = join(ARTIFACTS, "web-export.md"); // one name: runs do not pile up files
    await download.saveAs(file);
    const markdown = readFileSync(file, "utf8");
    expect(markdown).toMatch(/^# Live run from the browser test/);
    expect(markdown).toContain(finalText);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows message text as text: markup in a message is never run or rendered", async () => {
    const created = await trpcMutation<Session>(server.url, "sessions.create", { name: "Markup" });
    const sessionId = created.data!.id;
    const attack = `<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b>`;
    const appended = await trpcMutation(server.url, "messages.append", {
      sessionId,
      messages: [{ type: "user", uuid: "6f1c8a52-3c1e-4a8e-9a53-5f0d2b7c9e10", message: { role: "user", content: attack } }],
    });
    expect(appended.status).toBe(200);
    const { page } = await newPage();
    await page.goto(`${server.url}/#/session/${sessionId}`);
    const item = page.locator("ol.messages > li.user .text");
    await item.waitFor({ timeout: 20_000 });
    expect(await item.textContent()).toBe(attack);
    expect(await page.locator("ol.messages img, ol.messages script, ol.messages b").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await page.close();
  });
});

describe.skipIf(!haveChromium)("the session browser on a server with a token", () => {
  const TOKEN = "browser-test-token-0123456789abcdef";
  let tokenServer: ServerProcess;
  let tokenDir: ReturnType<typeof tempDir>;
  let tokenBrowser: Browser;

  beforeAll(async () => {
    tokenDir = tempDir("ils-web-token-");
    tokenServer = await startServerProcess({ ILS_DB: join(tokenDir.path, "ils.db"), ILS_TOKEN: TOKEN });
    const created = await trpcMutation(tokenServer.url, "sessions.create", { name: "Behind the token" }, TOKEN);
    expect(created.status).toBe(200);
    tokenBrowser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  });
  afterAll(async () => {
    await tokenBrowser?.close();
    await tokenServer?.stop();
    tokenDir?.cleanup();
  });

  it("at / without the token: says how to open it, and shows no session", async () => {
    const page = await tokenBrowser.newPage();
    await page.goto(`${tokenServer.url}/`);
    const status = page.locator("nav .status[role=alert]");
    await status.waitFor({ timeout: 20_000 });
    expect(await status.textContent()).toContain("/t/<token>/");
    expect(await page.locator("nav a[data-session]").count()).toBe(0);
    await page.close();
  });

  it("opened at /t/<token> (the server's token prefix): lists the sessions and follows them over the prefixed WebSocket", async () => {
    const page = await tokenBrowser.newPage();
    const sockets: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    // Without the trailing slash, as a user types it: the page adds it, so its relative URLs stay under the prefix.
    await page.goto(`${tokenServer.url}/t/${TOKEN}`);
    await page.locator("nav a[data-session]").first().waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe(`/t/${TOKEN}/`);
    await page.locator("nav a[data-session]").first().click();
    await expect.poll(() => page.locator(".live").getAttribute("data-state"), { timeout: 20_000 }).toBe("watching");
    expect(sockets.length).toBeGreaterThan(0);
    for (const url of sockets) expect(new URL(url).pathname.startsWith(`/t/${TOKEN}/`)).toBe(true);
    await page.close();
  });
});
