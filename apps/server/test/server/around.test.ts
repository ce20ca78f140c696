import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.ts";
import { createTestServices } from "../support/in-process.ts";

/** Acceptance 4: opening a search hit with messages.list({ around }) in a 120-message session. */
describe("messages.list around a message", () => {
  const services = createTestServices();
  const LIMIT = 21;
  let sessionId: string;
  let other: string;
  const idOf = new Map<number, string>();

  beforeAll(async () => {
    sessionId = (await services.sessions.create({ name: "long" })).id;
    other = (await services.sessions.create({ name: "other" })).id;
    const lines = Array.from({ length: 120 }, (_, i) =>
      JSON.stringify({
        type: i % 2 ? "assistant" : "user",
        uuid: randomUUID(),
        message: { role: i % 2 ? "assistant" : "user", content: `message number ${i + 1}` },
      }),
    );
    for (const m of services.ingest.appendMessages(
      sessionId,
      lines.map((raw) => ({ raw })),
    ))
      idOf.set(m.seq, m.id);
    services.ingest.appendMessages(other, [
      { raw: JSON.stringify({ type: "user", uuid: randomUUID(), message: { content: "elsewhere" } }) },
    ]);
  });
  afterAll(() => services.cleanup());

  for (const [label, seq] of [
    ["first", 1],
    ["middle", 60],
    ["last", 120],
  ] as const) {
    it(`returns the page holding the ${label} message, and its cursors continue it`, () => {
      const page = services.history.list({ sessionId, around: idOf.get(seq)!, limit: LIMIT });
      const seqs = page.items.map((m) => m.seq);
      expect(seqs).toContain(seq);
      expect(page.items.find((m) => m.seq === seq)!.id).toBe(idOf.get(seq));
      expect(seqs.length).toBeLessThanOrEqual(LIMIT);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i)); // contiguous, in order
      // Centred; near either end the page is filled from the other side, so it is always full.
      expect(seqs.length).toBe(LIMIT);
      const expectedFirst = Math.min(Math.max(1, seq - Math.floor((LIMIT - 1) / 2)), 120 - LIMIT + 1);
      expect(seqs[0]).toBe(expectedFirst);
      expect(page.total).toBe(120);

      const first = seqs[0]!;
      const last = seqs.at(-1)!;
      if (first === 1) expect(page.prevCursor).toBeNull();
      else {
        const older = services.history.list({ sessionId, cursor: page.prevCursor!, direction: "backward", limit: 5 });
        expect(older.items.at(-1)!.seq).toBe(first - 1);
      }
      const newer = services.history.list({ sessionId, cursor: page.nextCursor!, direction: "forward", limit: 5 });
      expect(newer.items[0]?.seq).toBe(last < 120 ? last + 1 : undefined);
    });
  }

  it("says hasMore when newer messages follow the page", () => {
    expect(services.history.list({ sessionId, around: idOf.get(1)!, limit: LIMIT }).hasMore).toBe(true);
    expect(services.history.list({ sessionId, around: idOf.get(60)!, limit: LIMIT }).hasMore).toBe(true);
  });

  it("says no more after the page holding the last message", () => {
    expect(services.history.list({ sessionId, around: idOf.get(120)!, limit: LIMIT }).hasMore).toBe(false);
  });

  it("answers NOT_FOUND for a message of another session or an unknown id", () => {
    const foreign = services.history.list({ sessionId: other, limit: 1 }).items[0]!.id;
    for (const around of [foreign, randomUUID()]) {
      let error: unknown;
      try {
        services.history.list({ sessionId, around, limit: LIMIT });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("NOT_FOUND");
    }
  });
});
