import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page, Message } from "@ils/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ios from "../support/ios-decoders.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { streamText } from "../support/stream-text.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";
import { trpcQuery } from "../support/trpc-http.ts";

// Issue 14, live sessions: a run's own cost wins, failure detail over REST, nextCursor past the end, and a
// final `error` event when the server shuts down during a stream. Real server processes, the stand-in Claude.
const dir = tempDir("ils-present-live-");
const project = join(dir.path, "project");
mkdirSync(project, { recursive: true });
const start = (name: string) =>
  startServerProcess({
    ILS_DB: join(dir.path, "data", `${name}.db`),
    ILS_CLAUDE_BIN: join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs"),
    ILS_DEFAULT_PROJECT_DIR: project,
    FAKE_CLAUDE_DELAY_MS: "1",
  });

async function createSession(server: ServerProcess): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ projectPath: project }),
  });
  return ((await res.json()) as { data: { id: string } }).data.id;
}
async function stream(server: ServerProcess, sessionId: string, prompt: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/chat/stream`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ prompt, sessionId: sessionId.toUpperCase() }),
  });
  expect(res.status).toBe(200);
  return res.text();
}
const session = async (server: ServerProcess, id: string) => {
  const body = await (await fetch(`${server.url}/api/v1/sessions/${id.toUpperCase()}`)).json();
  ios.envelope(ios.chatSession)(body, "$");
  return (body as { data: Record<string, unknown> }).data;
};
const cursorSeq = (cursor: string) => (JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { seq: number }).seq;

describe("live runs", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await start("live");
  });
  afterAll(() => server?.stop());

  it("a live run keeps the CLI's own total_cost_usd", async () => {
    const id = await createSession(server);
    await stream(server, id, "hello");
    const recorded = readFileSync(join(FIXTURES, "generated", "01-simple", "stdout.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((v) => v.type === "result").total_cost_usd as number;
    expect((await session(server, id)).totalCostUSD).toBe(recorded);
    const trpc = (await trpcQuery<{ totalCostUsd: number; costEstimated: boolean }>(server.url, "sessions.get", { sessionId: id })).data!;
    expect(trpc).toMatchObject({ totalCostUsd: recorded, costEstimated: false });
  });

  it("a failed run's reason is on the REST session (lastError)", async () => {
    const id = await createSession(server);
    const text = await stream(server, id, "[fake mode=fail after=1 stderr=boom-on-purpose exit=3]");
    expect(ios.decodeAppStream(text).at(-1)).toMatchObject({ type: "error" });
    const row = await session(server, id);
    expect(row.status).toBe("error");
    expect(row.lastError).toMatch(/exited with code 3.*boom-on-purpose/);
  });

  it("a page past the end has a nextCursor after the last message (default view, include=all, tRPC)", async () => {
    const id = await createSession(server);
    await stream(server, id, "hello");
    const lastSeq = (await trpcQuery<{ lastSeq: number }>(server.url, "sessions.get", { sessionId: id })).data!.lastSeq;
    expect(lastSeq).toBeGreaterThan(2);
    for (const query of ["limit=10&offset=1000", "limit=10&offset=1000&include=all"]) {
      const body = (await (await fetch(`${server.url}/api/v1/sessions/${id}/messages?${query}`)).json()) as {
        data: { items: unknown[]; nextCursor: string };
      };
      expect(body.data.items).toEqual([]);
      expect(cursorSeq(body.data.nextCursor), query).toBe(lastSeq);
      // Polling that cursor returns nothing old.
      const poll = (await (
        await fetch(
          `${server.url}/api/v1/sessions/${id}/messages?limit=10&cursor=${body.data.nextCursor}${query.includes("all") ? "&include=all" : ""}`,
        )
      ).json()) as { data: { items: unknown[] } };
      expect(poll.data.items).toEqual([]);
    }
    const page = (await trpcQuery<Page<Message>>(server.url, "messages.list", { sessionId: id, limit: 10, offset: 1000 })).data!;
    expect(cursorSeq(page.nextCursor!)).toBe(lastSeq);
    // The default view leaves the bookkeeping out (init, the successful result), include=all does not.
    const shown = (await (await fetch(`${server.url}/api/v1/sessions/${id}/messages`)).json()) as {
      data: { total: number; items: { type: string }[] };
    };
    const stored = (await (await fetch(`${server.url}/api/v1/sessions/${id}/messages?include=all`)).json()) as { data: { total: number } };
    expect(shown.data.total).toBe(shown.data.items.length);
    expect(shown.data.total).toBeLessThan(stored.data.total);
    expect(shown.data.items.map((m) => m.type)).not.toContain("result");
  });
});

describe("server shutdown during a stream", () => {
  it("ends the open stream with a final error event", async () => {
    const server = await start("shutdown");
    try {
      const id = await createSession(server);
      const res = await fetch(`${server.url}/api/v1/chat/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ prompt: "[fake mode=hang after=2]", sessionId: id }),
      });
      const body = streamText(res);
      // Wait for the first stored message, then stop the server while the run hangs.
      await body.until((text) => text.includes("\nid: ") || text.startsWith("id: "));
      const stopping = server.stop();
      const text = await body.toEnd();
      await stopping;
      const events = ios.decodeAppStream(text);
      expect(events.at(-1)).toMatchObject({ type: "error" });
      expect(String(events.at(-1)?.message)).toMatch(/shut/);
    } finally {
      await server.stop();
    }
  });
});
