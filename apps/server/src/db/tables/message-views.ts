/**
 * Raw SQL on `MessageView`: the app's default history (docs/presentation.md), numbered at ingest so a page is a
 * range read.
 *
 * Concurrency rule: one synchronous connection (`services.db`). `insert` runs inside the ingest transaction
 * (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short, never yielding),
 * so a view number is committed with its line and the session's viewCount; Prisma's connection refuses
 * transactions. The page reads are single statements.
 *
 * Why raw, per statement (BENCHMARKS.md rows): 4 ingest of a streamed line and 1 bulk import (`insert`),
 * 3 history paging and 7 load (the page reads join Message; a warm Prisma findMany of 50 rows costs ~2.4 ms).
 */
import type { Database } from "../database.ts";
import type { MessageViewModel } from "../generated/models.ts";
import { MESSAGE_COLUMNS, type MessageRow } from "./messages.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const MESSAGE_VIEW_COLUMNS = ["sessionId", "seq", "viewSeq"] as const satisfies readonly (keyof MessageViewModel)[];

const ROW = MESSAGE_COLUMNS.map((column) => `m.${column}`).join(", ");
const JOIN = `FROM MessageView v JOIN Message m ON m.sessionId = v.sessionId AND m.seq = v.seq`;

export const MESSAGE_VIEW_SQL = {
  // Rows 4 and 1: the next view number of the session, inside the ingest transaction.
  insert: `INSERT INTO MessageView (sessionId, seq, viewSeq) VALUES (?, ?, ?)`,
  // Rows 3 and 7: an offset page (view numbers are 1..n), and cursor pages both ways.
  byViewSeq: `SELECT ${ROW} ${JOIN} WHERE v.sessionId = ? AND v.viewSeq > ? ORDER BY v.viewSeq LIMIT ?`,
  after: `SELECT ${ROW} ${JOIN} WHERE v.sessionId = ? AND v.seq > ? ORDER BY v.seq ASC LIMIT ?`,
  before: `SELECT ${ROW} ${JOIN} WHERE v.sessionId = ? AND v.seq < ? ORDER BY v.seq DESC LIMIT ?`,
  hasBefore: `SELECT 1 FROM MessageView WHERE sessionId = ? AND seq < ? LIMIT 1`,
  // The one-time data fix presentation-v1 (db/tables/data-fixes.ts) recomputes a session's rows from its lines.
  clearSession: `DELETE FROM MessageView WHERE sessionId = ?`,
} as const;

export const messageViewTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, number, number]>(MESSAGE_VIEW_SQL.insert);
  const byViewSeq = db.prepare<[string, number, number], MessageRow>(MESSAGE_VIEW_SQL.byViewSeq);
  const after = db.prepare<[string, number, number], MessageRow>(MESSAGE_VIEW_SQL.after);
  const before = db.prepare<[string, number, number], MessageRow>(MESSAGE_VIEW_SQL.before);
  const hasBefore = db.prepare<[string, number], 1>(MESSAGE_VIEW_SQL.hasBefore).pluck();
  const clearSession = db.prepare<[string]>(MESSAGE_VIEW_SQL.clearSession);
  return {
    /** Deletes every row of the session (inside the data fix's transaction). */
    clearSession: (sessionId: string): void => void clearSession.run(sessionId),
    insert: (sessionId: string, seq: number, viewSeq: number): void => void insert.run(sessionId, seq, viewSeq),
    /** Up to `limit` shown lines after view number `viewSeq`. */
    byViewSeq: (sessionId: string, viewSeq: number, limit: number): MessageRow[] => byViewSeq.all(sessionId, viewSeq, limit),
    /** Up to `limit` shown lines after `seq`, ascending. */
    after: (sessionId: string, seq: number, limit: number): MessageRow[] => after.all(sessionId, seq, limit),
    /** Up to `limit` shown lines before `seq`, descending. */
    before: (sessionId: string, seq: number, limit: number): MessageRow[] => before.all(sessionId, seq, limit),
    hasBefore: (sessionId: string, seq: number): boolean => hasBefore.get(sessionId, seq) !== undefined,
  };
});
