import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Message, Page, Session } from "@ils/contracts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";
import { trpcMutation, trpcQuery } from "../support/trpc-http.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function serverOn(db: string): Promise<ServerProcess> {
  const server = await startServerProcess({ ILS_DB: db });
  cleanups.push(() => server.stop());
  return server;
}

async function allMessages(url: string, sessionId: string): Promise<Message[]> {
  const items: Message[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await trpcQuery<Page<Message>>(url, "messages.list", { sessionId, limit: 500, ...(cursor ? { cursor } : {}) });
    expect(page.status).toBe(200);
    items.push(...page.data!.items);
    if (!page.data!.hasMore) return items;
    cursor = page.data!.nextCursor!;
  }
}

describe("persistence across a crash", () => {
  it("every acknowledged message survives kill -9, in order, none duplicated", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const db = join(dir.path, "ils.db");
    const first = await serverOn(db);

    const created = await trpcMutation<Session>(first.url, "sessions.create", { name: "crash test" });
    expect(created.status).toBe(200);
    const sessionId = created.data!.id;

    // Appends run back to back; the process is killed while they are in flight.
    const acknowledged: number[] = [];
    let n = 0;
    let killed = false;
    const writer = (async () => {
      while (!killed) {
        const batch = Array.from({ length: 5 }, () => {
          n += 1;
          return JSON.stringify({
            type: "assistant",
            uuid: `m-${n}`,
            message: { role: "assistant", content: [{ type: "text", text: `n=${n}` }] },
          });
        });
        const numbers = batch.map((l) => Number(JSON.parse(l).uuid.slice(2)));
        try {
          const res = await trpcMutation<{ inserted: number }>(first.url, "messages.append", { sessionId, messages: batch });
          if (res.status === 200) acknowledged.push(...numbers);
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    })();
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 10));
    await first.kill9();
    killed = true;
    await writer;

    const second = await serverOn(db);
    const stored = await allMessages(second.url, sessionId);
    const numbers = stored.map((m) => Number((m.content as { uuid: string }).uuid.slice(2)));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(numbers.slice(0, acknowledged.length)).toEqual(acknowledged);
    expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));

    const session = await trpcQuery<Session>(second.url, "sessions.get", { sessionId: sessionId.toUpperCase() });
    expect(session.data!.messageCount).toBe(stored.length);
    expect(session.data!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe("errors over HTTP", () => {
  it("400 names the field, 404 for an unknown session, no stack traces", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const server = await serverOn(join(dir.path, "ils.db"));
    const bad = await trpcQuery(server.url, "messages.list", { sessionId: "nope", limit: 0 });
    expect(bad.status).toBe(400);
    expect(bad.error!.data.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(bad.error)).toContain("sessionId");
    expect(JSON.stringify(bad.error)).toContain("limit");
    const badCursor = await trpcQuery(server.url, "messages.list", { sessionId: "00000000-0000-4000-8000-000000000000", cursor: "zzz" });
    expect([400, 404]).toContain(badCursor.status);
    const missing = await trpcQuery(server.url, "sessions.get", { sessionId: "00000000-0000-4000-8000-000000000000" });
    expect(missing.status).toBe(404);
    expect(missing.error!.data.code).toBe("NOT_FOUND");
    for (const body of [bad, missing]) expect(JSON.stringify(body)).not.toMatch(/stack|\.ts:\d+/);
  });
});

describe("WAL checkpoints run in the background", () => {
  it("keep the WAL bounded while writing, and truncate it on a clean stop", async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const db = join(dir.path, "ils.db");
    const server = await serverOn(db);
    const sessionId = (await trpcMutation<Session>(server.url, "sessions.create", {})).data!.id;
    const filler = "x".repeat(4000);
    let written = 0;
    for (let batch = 0; batch < 80; batch++) {
      const messages = Array.from({ length: 100 }, (_, i) =>
        JSON.stringify({ type: "assistant", uuid: `w-${batch}-${i}`, message: { content: [{ type: "text", text: filler }] } }),
      );
      expect((await trpcMutation(server.url, "messages.append", { sessionId, messages })).status).toBe(200);
      written += messages.reduce((n, m) => n + m.length, 0);
      await new Promise((r) => setTimeout(r, 75));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    // Without checkpoints the WAL would hold every page written (messages, indexes, FTS: more than `written`).
    expect(statSync(`${db}-wal`).size).toBeLessThan(written);
    await server.stop();
    expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).toBe(true);
  });
});
