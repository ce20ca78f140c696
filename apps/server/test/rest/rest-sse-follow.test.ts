import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { streamText } from "../support/stream-text.ts";
import { tcpProxy } from "../support/tcp-proxy.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";

// Acceptance 6 of issue 17: a standard EventSource client (the `eventsource` package) following a session.
const SID = "707787de-f8f6-4883-bb83-4fbd3357c8e4";
const RESUME = join(FIXTURES, "generated", "04-resume");
const FIXTURE_CWD = "/home/user/project-resume";

const dir = tempDir("ils-sse-follow-");
const project = join(dir.path, "project");
const claudeDir = join(dir.path, "claude");
const transcriptDir = join(claudeDir, "projects", project.replace(/[^a-zA-Z0-9]/g, "-"));
const transcriptFile = join(transcriptDir, `${SID}.jsonl`);
/** The fixture's transcript of a run, moved to this test's project folder (a session the server may continue). */
const transcript = (run: string) =>
  readFileSync(join(RESUME, run, "transcripts", "-home-user-project-resume", `${SID}.jsonl`), "utf8").replaceAll(FIXTURE_CWD, project);

let server: ServerProcess;
let proxyPort: number;

beforeAll(async () => {
  mkdirSync(project);
  mkdirSync(transcriptDir, { recursive: true });
  writeFileSync(transcriptFile, transcript("run-1"));
  proxyPort = await freePort();
  server = await startServerProcess({
    ILS_DB: join(dir.path, "data", "ils.db"),
    ILS_CLAUDE_BIN: join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs"),
    ILS_SYNC: "watch",
    ILS_CLAUDE_DIR: claudeDir,
    // The client goes through a TCP proxy on another port: a Host the server must be told to serve.
    ILS_ALLOWED_HOSTS: `127.0.0.1:${proxyPort}`,
    // ~100 lines 80 ms apart (~8 s): the run is still going when the connection is cut the second time, after a 3 s retry.
    FAKE_CLAUDE_SCENARIO: "09-long",
    FAKE_CLAUDE_DELAY_MS: "80",
  });
});
afterAll(async () => {
  await server?.stop();
  dir.cleanup();
});

const api = (path: string) => `${server.url}/api/v1${path}`;

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sessionStatus(id: string): Promise<string> {
  return ((await (await fetch(api(`/sessions/${id}`))).json()) as { data: { status: string } }).data.status;
}

/** What the server sends for the whole stored session in one uncut request: the reference. */
async function replayAll(id: string): Promise<{ id: string; data: string }[]> {
  const text = await (await fetch(api(`/sessions/${id}/events?after=0&until=run-ends`))).text();
  expect(text.startsWith(": connected\nretry: 3000\n\n")).toBe(true); // the reconnect delay a standard client uses
  const events: { id: string; data: string }[] = [];
  for (const block of text.split("\n\n")) {
    const lines = block.split("\n");
    const eventId = lines.find((l) => l.startsWith("id: "))?.slice(4);
    const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
    if (eventId !== undefined && data !== undefined) events.push({ id: eventId, data });
  }
  return events;
}

describe("GET /sessions/{id}/events with a standard EventSource client", () => {
  it("follows a server run through two cut connections and a terminal continuation: every message once, in order", async () => {
    // The sync watcher imported the transcript at start: the session the client follows.
    const id = await until("the imported session", async () => {
      const body = (await (await fetch(api("/sessions?limit=10"))).json()) as { data: { items: { id: string }[] } };
      return body.data.items[0]?.id;
    });
    const imported = (await replayAll(id)).length;
    expect(imported).toBeGreaterThan(0);

    const proxy = await tcpProxy(proxyPort, server.port);
    const received: { id: string; data: string }[] = [];
    // `after=0` stays in the URL on every reconnect: Last-Event-ID must win, or history repeats (the 177-for-59 bug).
    const source = new EventSource(`http://127.0.0.1:${proxy.port}/api/v1/sessions/${id}/events?after=0`);
    source.onmessage = (e) => received.push({ id: e.lastEventId, data: e.data });
    try {
      await until("the imported history", () => received.length >= imported);
      // A server run in the same session (POST /chat/stream, read to its end in the background).
      const run = fetch(api("/chat/stream"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "go", sessionId: id }),
      }).then((r) => r.text());

      for (const cut of [1, 2]) {
        const seen = received.length;
        await until(`run output before cut ${cut}`, () => received.length >= seen + 5);
        proxy.dropAll();
        expect(await sessionStatus(id)).toBe("active"); // cut during the run
      }
      const runStream = await run;
      expect(runStream).toContain('"type":"result"');
      await until("the run's result after the reconnects", () => received.some((e) => JSON.parse(e.data).type === "result"));

      // `claude --resume` in a terminal appends to the transcript file; the watcher imports it.
      const before = (await replayAll(id)).length;
      appendFileSync(transcriptFile, transcript("run-2").slice(transcript("run-1").length));
      const reference = await until("the imported continuation", async () => {
        const all = await replayAll(id);
        return all.length > before ? all : undefined;
      });
      await until("the continuation on the stream", () => received.length >= reference.length, 10_000).catch(() => undefined);

      expect(proxy.connections()).toBe(3);
      expect(received.map((e) => e.id)).toEqual(reference.map((e) => e.id));
      expect(received).toEqual(reference);
    } finally {
      source.close();
      await proxy.close();
    }
  }, 60_000);

  it('tRPC chat.events takes the same until: "run-ends": on an idle session it completes after the stored messages', async () => {
    const body = (await (await fetch(api("/sessions?limit=10"))).json()) as { data: { items: { id: string }[] } };
    const id = body.data.items[0]!.id;
    const input = encodeURIComponent(JSON.stringify({ sessionId: id, until: "run-ends" }));
    const text = await (await fetch(`${server.url}/trpc/chat.events?input=${input}`, { headers: { accept: "text/event-stream" } })).text();
    const ids = (text.match(/^id: (\d+)$/gm) ?? []).map((l) => Number(l.slice(4)));
    const stored = (
      (await (await fetch(api(`/sessions/${id}/messages?include=all`))).json()) as { data: { items: { seq: number }[] } }
    ).data.items.map((m) => m.seq);
    expect(ids).toEqual(stored);
  });

  it("a follow stream ends with the final SERVER_SHUTDOWN event when the server stops (last: it stops the server)", async () => {
    const body = (await (await fetch(api("/sessions?limit=10"))).json()) as { data: { items: { id: string }[] } };
    const res = await fetch(api(`/sessions/${body.data.items[0]!.id}/events?after=0`));
    const stream = streamText(res);
    // The whole history, then nothing: the stream stays open (it follows) until the server stops.
    const stored = (await replayAll(body.data.items[0]!.id)).length;
    await stream.until((text) => (text.match(/^id: /gm) ?? []).length >= stored);
    const stopping = server.stop();
    const text = await stream.toEnd();
    await stopping;
    const last = text
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .at(-1);
    expect(JSON.parse(last!.slice(6))).toMatchObject({ type: "error", code: "SERVER_SHUTDOWN" });
  });
});
