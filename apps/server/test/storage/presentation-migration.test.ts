import { randomUUID } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/db/migrate.ts";
import { applyDataFixes } from "../../src/presentation/data-fix.ts";
import { titleOf, type SessionRow } from "../../src/sessions/session-row.ts";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

// Rows stored before the presentation migration (20261201190004): the SQL migration fixes their dates, the
// one-time data fix (`presentation-v1`, run at start) computes the view, titles and cost, and the result is
// what a fresh import of the same files gives.
const dir = tempDir("ils-present-mig-");
afterAll(() => dir.cleanup());

const PROJECT = join(FIXTURES, "presentation", "projects", "-home-user-titles");
const FILES: [string, string, string] = [
  "33333333-3333-4333-8333-333333333333",
  "55555555-5555-4555-8555-555555555555",
  "66666666-6666-4666-8666-666666666666",
];
const IMPORTED_AT = "2030-01-01T00:00:00.000Z";

/** What the previous code stored for one transcript: every line, undated ones dated at import, the name from a summary. */
function storeAsBefore(db: Database, claudeId: string, lines: string[], extra: { agentOf?: string } = {}): string {
  const id = randomUUID();
  const values = lines.map(
    (l) => JSON.parse(l) as { type?: unknown; timestamp?: unknown; summary?: unknown; uuid?: unknown; message?: { role?: unknown } },
  );
  const stamps = values.map((v) => (typeof v.timestamp === "string" ? new Date(v.timestamp).toISOString() : null));
  const summary = values.find((v) => v.type === "summary")?.summary ?? null;
  db.prepare(
    `INSERT INTO Session (id, claudeSessionId, name, source, status, parentSessionId, messageCount, lastSeq, createdAt, lastActiveAt)
     VALUES (?, ?, ?, 'external', 'completed', ?, ?, ?, ?, ?)`,
  ).run(id, claudeId, summary, extra.agentOf ?? null, lines.length, lines.length, IMPORTED_AT, IMPORTED_AT);
  const insert = db.prepare(
    `INSERT INTO Message (id, sessionId, seq, type, role, uuid, content, timestamp, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  values.forEach((v, i) =>
    insert.run(randomUUID(), id, i + 1, v.type, v.message?.role ?? null, v.uuid ?? `k${i}`, lines[i], stamps[i], IMPORTED_AT),
  );
  db.prepare(
    `INSERT INTO SyncFile (path, sessionId, size, mtimeMs, inode, offset, lines, updatedAt) VALUES (?, ?, 1, ?, '1', 1, 1, ?)`,
  ).run(`p/${claudeId}.jsonl`, id, Date.parse("2026-03-09T00:00:00.000Z"), IMPORTED_AT);
  return id;
}

// A real recording with tool calls and their results (Bash, Read, Write), besides the hand-written files.
const TOOLS = join(
  FIXTURES,
  "generated",
  "02-tools",
  "transcripts",
  "-home-user-project-tools",
  "2d003217-3f56-4841-a730-bf4aeda8fca6.jsonl",
);
const pathOf = (name: string) => (name === "2d003217-3f56-4841-a730-bf4aeda8fca6" ? TOOLS : join(PROJECT, `${name}.jsonl`));
const linesOf = (name: string) => readFileSync(pathOf(name), "utf8").split("\n").filter(Boolean);

describe("presentation migration and one-time data fix", () => {
  it("fixes dates in SQL, then the data fix gives what a fresh import gives", async () => {
    // The database as the previous release left it: every migration before this one.
    const older = join(dir.path, "older-migrations");
    for (const name of readdirSync(MIGRATIONS_DIR)) {
      if (name < "20261201190004") cpSync(join(MIGRATIONS_DIR, name), join(older, name), { recursive: true });
    }
    const db = openDatabase(join(dir.path, "old.db"));
    applyMigrations(db, older);
    const ids = FILES.map((f) => storeAsBefore(db, f, linesOf(f))) as [string, string, string];
    const agent = storeAsBefore(db, `${FILES[2]}/agent-abc123`, [linesOf(FILES[2])[0]!], { agentOf: ids[2] });
    const tools = storeAsBefore(db, "2d003217-3f56-4841-a730-bf4aeda8fca6", linesOf("2d003217-3f56-4841-a730-bf4aeda8fca6"));

    expect(applyMigrations(db)).toEqual(["20261201190004_presentation"]);
    const rows = (id: string) =>
      db.prepare(`SELECT content, timestamp, createdAt FROM Message WHERE sessionId = ? ORDER BY seq`).all(id) as {
        content: string;
        timestamp: string | null;
        createdAt: string;
      }[];
    // 33333333: a foreign summary first (dated after it: the first dated line), then a snapshot with its own date.
    expect(rows(ids[0]!).map((r) => r.createdAt)).toEqual([
      "2026-03-03T10:00:00.000Z",
      "2026-03-03T10:00:00.000Z",
      IMPORTED_AT, // dated lines keep their own `timestamp` (the app shows it); createdAt is not read for them
      IMPORTED_AT,
    ]);
    // 55555555: no `timestamp` anywhere: the snapshot's date, and the summary takes the next dated line.
    expect(rows(ids[1]!).map((r) => r.createdAt)).toEqual(["2026-03-05T10:00:00.000Z", "2026-03-05T10:00:00.000Z"]);
    const session = (id: string) => db.prepare(`SELECT * FROM Session WHERE id = ?`).get(id) as SessionRow;
    expect(session(ids[0]!)).toMatchObject({ createdAt: "2026-03-03T10:00:00.000Z", lastActiveAt: "2026-03-03T10:00:05.000Z" });
    expect(session(agent).agentId).toBe("abc123");
    expect(db.prepare(`SELECT pending FROM DataFix WHERE name = 'presentation-v1'`).pluck().get()).toBe(1);

    expect(applyDataFixes(db)).toBe(true);
    expect(applyDataFixes(db)).toBe(false); // recorded: runs once
    expect(titleOf(session(ids[0]!))).toBe("Refactor the parser"); // not the foreign summary the old sync chose
    expect(session(ids[0]!).name).toBeNull();
    expect(session(ids[1]!)).toMatchObject({ hasConversation: 0, viewCount: 0 });
    expect(titleOf(session(ids[1]!))).toBe("Untitled");
    expect(session(ids[2]!).totalCostUsd).toBeCloseTo(0.02775 + 0.03453, 10);
    expect(session(ids[2]!).unpricedModels).toBe("claude-unknown-9");

    // A fresh import of the same files by the current sync: same view rows, titles, cost.
    const claudeDir = join(dir.path, "claude");
    mkdirSync(join(claudeDir, "projects", "p"), { recursive: true });
    const all = [...FILES, "2d003217-3f56-4841-a730-bf4aeda8fca6"];
    for (const f of all) cpSync(pathOf(f), join(claudeDir, "projects", "p", `${f}.jsonl`));
    const fresh = createTestServices({ ILS_CLAUDE_DIR: claudeDir });
    try {
      await fresh.sync.scan();
      for (const [i, f] of all.entries()) {
        const now = fresh.sessions.findByClaudeSessionId(f)!;
        const fixedId = i < ids.length ? ids[i]! : tools;
        const fixed = session(fixedId);
        expect(fixed.viewCount, f).toBe(now.viewCount);
        expect(fixed.hasConversation, f).toBe(now.hasConversation);
        expect(titleOf(fixed), f).toBe(titleOf(now));
        expect(fixed.firstPrompt, f).toBe(now.firstPrompt);
        expect(fixed.totalCostUsd, f).toBeCloseTo(now.totalCostUsd, 12);
        const views = (d: Database, id: string) =>
          d.prepare(`SELECT seq, viewSeq FROM MessageView WHERE sessionId = ? ORDER BY seq`).all(id);
        expect(views(db, fixedId), f).toEqual(views(fresh.db, now.id));
        const attached = (d: Database, id: string) =>
          d.prepare(`SELECT callSeq, resultSeq FROM ToolResultAttach WHERE sessionId = ? ORDER BY callSeq, resultSeq`).all(id);
        expect(attached(db, fixedId), f).toEqual(attached(fresh.db, now.id));
        if (f === "2d003217-3f56-4841-a730-bf4aeda8fca6") expect(attached(db, fixedId).length).toBe(3);
        expect(
          rows(fixedId).map((r) => r.timestamp ?? r.createdAt),
          f,
        ).toEqual(
          (
            fresh.db.prepare(`SELECT timestamp, createdAt FROM Message WHERE sessionId = ? ORDER BY seq`).all(now.id) as {
              timestamp: string | null;
              createdAt: string;
            }[]
          ).map((r) => r.timestamp ?? r.createdAt),
        );
      }
    } finally {
      fresh.cleanup();
    }
    db.close();
  });

  it("a fresh database has no data fix to run", () => {
    const db = openDatabase(join(dir.path, "fresh.db"));
    applyMigrations(db);
    expect(db.prepare(`SELECT count(*) FROM DataFix`).pluck().get()).toBe(0);
    expect(applyDataFixes(db)).toBe(false);
    db.close();
  });
});
