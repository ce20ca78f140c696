import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Message } from "@ils/contracts";
import { createTestServices } from "../support/in-process.ts";

type TestServices = ReturnType<typeof createTestServices>;
let services: TestServices;
let sessionId: string;

const line = (n: number) =>
  JSON.stringify({
    type: "assistant",
    uuid: `uuid-${n}`,
    message: { role: "assistant", content: [{ type: "text", text: `message ${n}` }] },
  });
const numberOf = (m: Message) => Number(String((m.content as { uuid: string }).uuid).slice(5));
const append = (from: number, to: number) =>
  services.ingest.appendMessages(
    sessionId,
    Array.from({ length: to - from + 1 }, (_, i) => ({ raw: line(from + i) })),
  );

beforeEach(async () => {
  services = createTestServices();
  sessionId = (await services.sessions.create({ name: "paging" })).id;
  append(1, 120);
});
afterEach(() => services.cleanup());

describe("messages.list paging over 120 messages", () => {
  it("limit=20 returns 20 with total, hasMore and cursors", () => {
    const page = services.history.list({ sessionId, limit: 20 });
    expect(page.items.map(numberOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(page.total).toBe(120);
    expect(page.hasMore).toBe(true);
    expect(page.prevCursor).toBeNull();
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(page.items.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("walks every page by cursor forward: all 120 once, in order", () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = services.history.list({ sessionId, limit: 20, cursor });
      seen.push(...page.items.map(numberOf));
      if (!page.hasMore) break;
      cursor = page.nextCursor ?? undefined;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it("walks backward from the newest page: all 120 once, each page in order", () => {
    const pages: number[][] = [];
    let page = services.history.list({ sessionId, limit: 20, direction: "backward" });
    pages.push(page.items.map(numberOf));
    while (page.hasMore && page.prevCursor) {
      page = services.history.list({ sessionId, limit: 20, cursor: page.prevCursor, direction: "backward" });
      pages.push(page.items.map(numberOf));
    }
    expect(pages[0]).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
    expect(pages.reverse().flat()).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(page.prevCursor).toBeNull();
  });

  it("walks every page by offset: all 120 once, in order", () => {
    const seen: number[] = [];
    for (let offset = 0; ; offset += 20) {
      const page = services.history.list({ sessionId, limit: 20, offset });
      seen.push(...page.items.map(numberOf));
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(services.history.list({ sessionId, limit: 20, offset: 120 }).items).toEqual([]);
  });

  it("a cursor walk stays exact while messages are appended, and picks up the new ones", () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let next = 121;
    for (let guard = 0; guard < 50; guard++) {
      const page = services.history.list({ sessionId, limit: 20, cursor });
      seen.push(...page.items.map(numberOf));
      if (next <= 150) {
        append(next, next + 4);
        next += 5;
      }
      cursor = page.nextCursor ?? undefined;
      if (!page.hasMore && next > 150) {
        const tail = services.history.list({ sessionId, limit: 20, cursor });
        seen.push(...tail.items.map(numberOf));
        if (!tail.hasMore) break;
        cursor = tail.nextCursor ?? undefined;
      }
    }
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it("an offset walk while appending at the end still yields the first 120 once, in order", () => {
    const seen: number[] = [];
    for (let offset = 0; offset < 120; offset += 20) {
      seen.push(...services.history.list({ sessionId, limit: 20, offset }).items.map(numberOf));
      append(1000 + offset, 1000 + offset + 2);
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it("offset paging stays exact if seqs ever have a gap", () => {
    services.db.prepare(`DELETE FROM Message WHERE sessionId = ? AND seq = 10`).run(sessionId);
    services.db.prepare(`UPDATE Session SET messageCount = messageCount - 1 WHERE id = ?`).run(sessionId);
    const page = services.history.list({ sessionId, limit: 5, offset: 8 });
    expect(page.items.map(numberOf)).toEqual([9, 11, 12, 13, 14]);
    expect(page.total).toBe(119);
  });

  it("an empty forward page keeps a cursor to poll from", () => {
    const last = services.history.list({ sessionId, limit: 500 });
    const empty = services.history.list({ sessionId, limit: 20, cursor: last.nextCursor! });
    expect(empty.items).toEqual([]);
    expect(empty.hasMore).toBe(false);
    append(121, 121);
    expect(services.history.list({ sessionId, limit: 20, cursor: empty.nextCursor! }).items.map(numberOf)).toEqual([121]);
  });
});

describe("around a message", () => {
  it("centres the page on the message", () => {
    const all = services.history.list({ sessionId, limit: 500 }).items;
    const page = services.history.list({ sessionId, limit: 11, around: all[59]!.id });
    expect(page.items.map(numberOf)).toEqual(Array.from({ length: 11 }, (_, i) => 55 + i));
  });
});

describe("bad input", () => {
  it("rejects a garbage cursor, a limit out of range and an unknown session with typed errors", () => {
    expect(() => services.history.list({ sessionId, cursor: "!!!" })).toThrow(expect.objectContaining({ code: "VALIDATION_ERROR" }));
    expect(() => services.history.list({ sessionId, cursor: Buffer.from('{"seq":-1}').toString("base64url") })).toThrow(
      expect.objectContaining({ code: "VALIDATION_ERROR" }),
    );
    expect(() => services.history.list({ sessionId, limit: 501 })).toThrow();
    expect(() => services.history.list({ sessionId: "00000000-0000-0000-0000-000000000000" })).toThrow(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
  });
});
