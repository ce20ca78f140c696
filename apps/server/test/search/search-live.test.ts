import { readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES } from "../support/temp.ts";

/** Acceptance 2: whatever ingestion stores is searchable when subscribers hear of it; deletes leave nothing. */
const RUN = join(FIXTURES, "generated", "02-tools");
const streamLines = readFileSync(join(RUN, "stdout.jsonl"), "utf8").split("\n").filter(Boolean);
const transcriptLines = readFileSync(
  join(RUN, "transcripts", "-home-user-project-tools", "2d003217-3f56-4841-a730-bf4aeda8fca6.jsonl"),
  "utf8",
)
  .split("\n")
  .filter(Boolean);

describe("search stays in step with ingestion", () => {
  let services: ReturnType<typeof createTestServices>;
  beforeEach(async () => {
    services = createTestServices();
  });
  afterEach(() => services.cleanup());

  /** The index is sound and holds exactly the messages that have text: no leftovers from deletes, none missed. */
  const integrityCheck = () => {
    services.db.prepare(`INSERT INTO MessageFts (MessageFts) VALUES ('integrity-check')`).run();
    const indexed = services.db.prepare(`SELECT id FROM MessageFts_docsize ORDER BY id`).pluck().all();
    const withText = services.db.prepare(`SELECT rid FROM MessageSearchText WHERE body <> '' ORDER BY rid`).pluck().all();
    expect(indexed).toEqual(withText);
  };

  it("finds a live run's messages by the time the bus announces them", async () => {
    const session = await services.sessions.create({ name: "live" });
    const seenAtPublish: number[] = [];
    services.bus.subscribe(session.id, () => {
      seenAtPublish.push(services.search.query({ q: "NOTES", sessionId: session.id, limit: 50 }).total);
    });
    // A run stores its stream-json lines one by one as Claude prints them.
    for (const raw of streamLines) services.ingest.appendMessages(session.id, [{ raw }]);
    expect(seenAtPublish).toHaveLength(streamLines.length);
    expect(seenAtPublish.at(-1)).toBeGreaterThan(0);
    const hits = services.search.query({ q: '"two-line summary"', limit: 10 }).items;
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ sessionId: session.id, type: "assistant", sessionName: "live" });
    expect(hits[0]!.snippet).toContain("two-line summary");
  });

  it("finds a sync pass's transcript lines at once, and a deleted session leaves no hits", async () => {
    const synced = await services.sessions.create({ name: "synced" });
    const kept = await services.sessions.create({ name: "kept" });
    services.ingest.appendMessages(
      synced.id,
      transcriptLines.map((raw) => ({ raw })),
    );
    services.ingest.appendMessages(
      kept.id,
      streamLines.map((raw) => ({ raw })),
    );
    const before = services.search.query({ q: "README", limit: 100 });
    expect(new Set(before.items.map((h) => h.sessionId))).toEqual(new Set([synced.id, kept.id]));

    await services.sessions.delete(synced.id);
    const after = services.search.query({ q: "README", limit: 100 });
    expect(after.total).toBeGreaterThan(0);
    expect(after.items.every((h) => h.sessionId === kept.id)).toBe(true);
    expect(after.total).toBe(before.items.filter((h) => h.sessionId === kept.id).length);
    expect(() => integrityCheck()).not.toThrow();

    await services.sessions.delete(kept.id);
    expect(services.search.query({ q: "README", limit: 100 }).total).toBe(0);
    expect(services.db.prepare(`SELECT count(*) FROM MessageFts_docsize`).pluck().get()).toBe(0);
  });

  it("indexes stored messages in the background, without waiting for a search", async () => {
    const session = await services.sessions.create({});
    services.ingest.appendMessages(
      session.id,
      streamLines.map((raw) => ({ raw })),
    );
    const queued = () => services.db.prepare(`SELECT count(*) FROM SearchPending`).pluck().get() as number;
    expect(queued()).toBe(streamLines.length);
    const deadline = Date.now() + 5_000;
    while (queued() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(queued()).toBe(0);
    expect(() => integrityCheck()).not.toThrow();
  });

  it("deletes a session whose messages are partly indexed and partly still queued, leaving the index sound", async () => {
    const session = await services.sessions.create({});
    services.ingest.appendMessages(
      session.id,
      streamLines.map((raw) => ({ raw })),
    );
    expect(services.search.query({ q: "README", limit: 5 }).total).toBeGreaterThan(0); // indexes what is queued
    services.ingest.appendMessages(
      session.id,
      transcriptLines.map((raw) => ({ raw })),
    );
    expect(services.db.prepare(`SELECT count(*) FROM SearchPending`).pluck().get()).toBeGreaterThan(0);
    await services.sessions.delete(session.id);
    expect(services.db.prepare(`SELECT count(*) FROM SearchPending`).pluck().get()).toBe(0);
    expect(() => integrityCheck()).not.toThrow();
    expect(services.search.query({ q: "README", limit: 5 }).total).toBe(0);
  });

  it("answers from the index as it is while another process holds the write lock, then catches up", async () => {
    const session = await services.sessions.create({});
    services.ingest.appendMessages(
      session.id,
      streamLines.map((raw) => ({ raw })),
    );
    const other = new BetterSqlite3(services.config.databasePath);
    services.db.pragma("busy_timeout = 50");
    try {
      other.prepare("BEGIN IMMEDIATE").run();
      expect(services.search.query({ q: "README", limit: 5 }).total).toBe(0); // queued, not yet indexed
      other.prepare("COMMIT").run();
      expect(services.search.query({ q: "README", limit: 5 }).total).toBeGreaterThan(0);
    } finally {
      other.close();
    }
  });

  it("never fails an insert because of odd or malformed content", async () => {
    const session = await services.sessions.create({});
    const odd = [
      { raw: "plain words that are not json wombat" },
      { raw: JSON.stringify({ type: "assistant", uuid: "u1", message: { content: 42 } }) },
      {
        raw: JSON.stringify({
          type: "assistant",
          uuid: "u2",
          message: { content: [null, 7, { type: "tool_use" }, { type: "tool_result", content: { x: 1 } }] },
        }),
      },
      {
        raw: JSON.stringify({
          type: "user",
          uuid: "u3",
          message: { content: [{ type: "tool_result", content: [{ type: "text", text: "tool said wombat" }, { type: "image" }] }] },
        }),
      },
      {
        raw: JSON.stringify({
          type: "assistant",
          uuid: "u4",
          message: { content: [{ type: "tool_use", name: "Bash", input: { command: "grep -r wombat src/app.ts" } }] },
        }),
      },
      { raw: JSON.stringify({ type: "summary", summary: "Wombat migration", leafUuid: "x" }) },
      { raw: JSON.stringify({ type: "user", uuid: "u5", isMeta: true, message: { content: "injected wombat caveat" } }) },
      { raw: "[1, 2, 3]" },
    ];
    expect(services.ingest.appendMessages(session.id, odd)).toHaveLength(odd.length);
    // Ingestion always stores JSON; a row written by anything else with broken JSON is stored, just not indexed.
    services.db
      .prepare(`INSERT INTO Message (id, sessionId, seq, type, content, createdAt) VALUES (?, ?, 99, 'user', '{broken json wombat', 'x')`)
      .run("00000000-0000-4000-8000-000000000099", session.id);
    const hits = services.search.query({ q: "wombat", limit: 50 });
    // Not the isMeta line, not the broken row; the rest are found by any part of their text.
    expect(hits.items.map((h) => h.seq).sort((a, b) => a - b)).toEqual([1, 4, 5, 6]);
    expect(services.search.query({ q: '"src/app.ts"', limit: 5 }).items.map((h) => h.seq)).toEqual([5]);
    expect(services.search.query({ q: "app", limit: 5 }).items.map((h) => h.seq)).toEqual([5]);
    expect(() => integrityCheck()).not.toThrow();
    await services.sessions.delete(session.id);
    expect(() => integrityCheck()).not.toThrow();
  });
  it("filters by time, project and type", () => {
    const here = services.sessions.insert({ projectPath: "/work/kiwi" });
    const there = services.sessions.insert({ projectPath: "/work/other" });
    const line = (uuid: string, timestamp: string, type = "user") =>
      JSON.stringify(
        type === "user"
          ? { type, uuid, timestamp, message: { content: `kiwi ${uuid}` } }
          : { type, uuid, timestamp, message: { content: [{ type: "text", text: "kiwi" }] } },
      );
    services.ingest.appendMessages(here.id, [
      { raw: line("a", "2026-01-01T10:00:00.000Z") },
      { raw: line("b", "2026-02-01T10:00:00.000Z", "assistant") },
      { raw: line("c", "2026-03-01T10:00:00.000Z") },
    ]);
    services.ingest.appendMessages(there.id, [{ raw: line("d", "2026-02-15T10:00:00.000Z") }]);
    const seqs = (input: Record<string, unknown>) =>
      services.search
        .query({ q: "kiwi", limit: 10, ...input })
        .items.map((h) => `${h.sessionId === here.id ? "here" : "there"}:${h.seq}`)
        .sort();
    expect(seqs({ from: "2026-02-01T10:00:00Z" })).toEqual(["here:2", "here:3", "there:1"]);
    expect(seqs({ to: "2026-02-01T10:00:00Z" })).toEqual(["here:1"]);
    expect(seqs({ from: "2026-02-01T00:00:00+01:00", to: "2026-02-20T00:00:00Z", projectPath: "/work/kiwi" })).toEqual(["here:2"]);
    expect(seqs({ type: "user", projectPath: "/work/kiwi" })).toEqual(["here:1", "here:3"]);
    expect(() => services.search.query({ q: "kiwi", from: "2026-03-01T00:00:00Z", to: "2026-01-01T00:00:00Z" })).toThrow(/from/);
  });
});
