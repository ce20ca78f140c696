import { spawnSync } from "node:child_process";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent } from "@ils/contracts";
import { createIlsClient } from "../../../../packages/client/src/index.ts";
import { QUICK_PROMPT, startTarget, type Target } from "./security-support.ts";
import { rawRequest, upgradeStatus } from "../support/raw-http.ts";
import { runServerToExit } from "../support/server-process.ts";
import { REPO_ROOT } from "../support/temp.ts";

/**
 * Issue 12, items 6 and 7 (acceptance 5): the token as a `/t/<token>` prefix, on every transport, printed
 * once at start as base URL and QR code, and never in the log. The server binds all interfaces, as for a phone.
 */
const TOKEN = "tok_Zx9-secret-for-the-prefix-tests_0123";
const JSON_TYPE = { "content-type": "application/json" };
/** The addresses a phone could use on a server bound to 0.0.0.0: what the banner must list (IPv4, not loopback). */
const LAN = Object.values(networkInterfaces())
  .flat()
  .filter((i) => i !== undefined && !i.internal && i.family === "IPv4")
  .map((i) => i!.address);
const LAN_V6 = Object.values(networkInterfaces())
  .flat()
  .filter((i) => i !== undefined && !i.internal && i.family === "IPv6")
  .map((i) => `[${i!.address}]`);

let t: Target;
let bannerEnd = 0;
let base: string;

beforeAll(async () => {
  t = await startTarget({ ILS_HOST: "0.0.0.0", ILS_TOKEN: TOKEN, ILS_LOG_LEVEL: "debug" });
  base = `${t.server.url}/t/${TOKEN}`;
  const deadline = Date.now() + 10_000;
  while (!t.server.output().includes("ILS server: use this base URL") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  bannerEnd = t.server.output().length;
});
afterAll(() => t?.cleanup());

describe.skipIf(LAN.length === 0)("start-up banner", () => {
  it("prints the base URL with the token prefix for each non-loopback address, with a QR code, on stdout", () => {
    const out = t.server.output();
    for (const address of LAN) expect(out).toContain(`http://${address}:${t.server.port}/t/${TOKEN}\n`);
    expect(out).not.toContain(`http://127.0.0.1:${t.server.port}/t/`);
    // 0.0.0.0 accepts no IPv6 connection: no IPv6 URL would work.
    for (const address of LAN_V6) expect(out).not.toContain(`http://${address}:`);
    // qrcode's terminal renderer draws with half blocks; a code is at least 21 modules wide.
    expect(out).toMatch(/[▄▀█ ]{21,}/);
    // The token appears in the banner's URLs and nowhere else.
    expect(out.split(TOKEN).length - 1).toBe(LAN.length);
  });
});

describe("the /t/<token> prefix", () => {
  it("/t/<token>/api/v1/chat/stream streams a run with no Authorization header", async () => {
    const res = await fetch(`${base}/api/v1/chat/stream`, {
      method: "POST",
      headers: { ...JSON_TYPE, accept: "text/event-stream" },
      body: JSON.stringify({ prompt: QUICK_PROMPT }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(await res.text()).toContain('"type":"result"');
    expect(t.counts()).toEqual({ sessions: 1, runs: 1 });
  });

  it("opens every route: /health, REST, tRPC, the OpenAPI document, /docs, the session browser", async () => {
    // `/t/<token>` alone is the base URL: the session browser's page.
    for (const path of [
      "/health",
      "/api/v1/sessions",
      `/trpc/sessions.list?input=${encodeURIComponent("{}")}`,
      "/api/v1/openapi.json",
      "/docs",
      "",
      "/",
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path || "(base)").toBe(200);
    }
  });

  it("a wrong or empty prefix is 401 on every route, /health included, and starts nothing", async () => {
    const before = t.counts();
    for (const prefix of ["/t/wrong-token-but-long-enough", "/t/", `/t/${TOKEN}x`, `/t/${TOKEN.slice(0, -1)}`]) {
      for (const path of ["/health", "/api/v1/sessions", `/trpc/sessions.list?input=${encodeURIComponent("{}")}`]) {
        const res = await fetch(`${t.server.url}${prefix}${path}`);
        expect(res.status, `${prefix}${path}`).toBe(401);
        expect(await res.text()).toContain("UNAUTHORIZED");
      }
      const stream = await fetch(`${t.server.url}${prefix}/api/v1/chat/stream`, {
        method: "POST",
        headers: JSON_TYPE,
        body: JSON.stringify({ prompt: QUICK_PROMPT }),
      });
      expect(stream.status).toBe(401);
    }
    expect(t.counts()).toEqual(before);
  });

  it("without any token: REST 401, and the SSE form of a tRPC subscription answers 401 before any event", async () => {
    const before = t.counts();
    const stream = await fetch(`${t.server.url}/api/v1/chat/stream`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ prompt: QUICK_PROMPT }),
    });
    expect(stream.status).toBe(401);
    const input = encodeURIComponent(JSON.stringify({ sessionId: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F" }));
    const sse = await fetch(`${t.server.url}/trpc/chat.events?input=${input}`, { headers: { accept: "text/event-stream" } });
    expect(sse.status).toBe(401);
    expect(sse.headers.get("content-type")).toContain("application/json");
    expect(await sse.text()).not.toContain("data:");
    const mutation = await fetch(`${t.server.url}/trpc/chat.send`, {
      method: "POST",
      headers: JSON_TYPE,
      body: JSON.stringify({ sessionId: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F", prompt: QUICK_PROMPT }),
    });
    expect(mutation.status).toBe(401);
    expect(t.counts()).toEqual(before);
    // With the prefix the same subscription is an event stream.
    const controller = new AbortController();
    const sessions = (await (await fetch(`${base}/api/v1/sessions`)).json()) as { data: { items: { id: string }[] } };
    const open = await fetch(
      `${base}/trpc/chat.events?input=${encodeURIComponent(JSON.stringify({ sessionId: sessions.data.items[0]!.id }))}`,
      {
        headers: { accept: "text/event-stream" },
        signal: controller.signal,
      },
    );
    expect(open.status).toBe(200);
    expect(open.headers.get("content-type")).toContain("text/event-stream");
    controller.abort();
  });

  it("a WebSocket upgrade without the token is refused at the upgrade (401, no socket); the prefix or the header opens one", async () => {
    expect(await upgradeStatus(t.server.url, "/")).toEqual({ status: 401, opened: false });
    expect(await upgradeStatus(t.server.url, "/t/wrong-token-but-long-enough")).toEqual({ status: 401, opened: false });
    expect(await upgradeStatus(t.server.url, `/t/${TOKEN}`)).toEqual({ status: 101, opened: true });
    expect(await upgradeStatus(t.server.url, "/", { authorization: `Bearer ${TOKEN}` })).toEqual({ status: 101, opened: true });
  });

  it("the typed client with a token runs a chat over HTTP and WebSocket", async () => {
    const client = createIlsClient({ url: t.server.url, token: TOKEN });
    try {
      const session = await client.trpc.sessions.create.mutate({ projectPath: t.dir.path });
      const controller = new AbortController();
      const events: ChatEvent[] = [];
      const reading = (async () => {
        for await (const event of client.events(session.id, { signal: controller.signal })) {
          events.push(event);
          if (event.kind === "run" && event.state !== "started") controller.abort();
        }
      })();
      await client.send(session.id, QUICK_PROMPT);
      await reading;
      expect(events.some((e) => e.kind === "run" && e.state === "finished")).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("the Host check still applies behind a valid prefix", async () => {
    const res = await rawRequest(t.server.url, { path: `/t/${TOKEN}/api/v1/sessions`, headers: { host: "evil.example:9999" } });
    expect(res.status).toBe(403);
    // Bound to all interfaces, each of this machine's addresses is a valid Host (a phone on the LAN uses one).
    for (const address of LAN) {
      expect(
        (await rawRequest(t.server.url, { path: `/t/${TOKEN}/health`, headers: { host: `${address}:${t.server.port}` } })).status,
        address,
      ).toBe(200);
    }
  });

  // Last: it reads what all the requests above wrote to the log.
  it("the log (debug level) records the requests made with the prefix and the Bearer header, never the token", async () => {
    expect((await fetch(`${t.server.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${base}/api/v1/sessions?limit=1`)).status).toBe(200);
    // The child's output arrives through a pipe: wait until the last request's line is in.
    const deadline = Date.now() + 10_000;
    while (!t.server.output().includes("/t/[redacted]/api/v1/sessions?limit=1") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const log = t.server.output().slice(bannerEnd);
    expect(log).toContain('"msg":"request"');
    expect(log).toContain("/t/[redacted]/api/v1/sessions?limit=1");
    expect(log).toContain("request refused");
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(encodeURIComponent(TOKEN));
  });
});

describe("tokens", () => {
  it("`ils token` prints a new random base64url token of 32 bytes", () => {
    const run = () =>
      spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts"), "token"], {
        cwd: REPO_ROOT,
        encoding: "utf8",
      });
    const [a, b] = [run(), run()];
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(a.stdout.trim(), "base64url")).toHaveLength(32);
    expect(b.stdout).not.toBe(a.stdout);
  });

  it("refuses a token that is all whitespace or shorter than 16 characters, and bad allow-lists, naming the variable", async () => {
    for (const [name, value] of [
      ["ILS_TOKEN", " ".repeat(20)],
      ["ILS_TOKEN", "fifteen-chars-x"],
      ["ILS_ALLOWED_ORIGINS", "null"],
      ["ILS_ALLOWED_ORIGINS", "https://app.example/path"],
      ["ILS_ALLOWED_HOSTS", "bad host/x"],
    ] as const) {
      const run = await runServerToExit({ [name]: value, ILS_DB: join(t.dir.path, "refused.db") });
      expect(run.code, `${name}=${value}`).not.toBe(0);
      expect(run.output).toContain(name);
    }
  });
});
