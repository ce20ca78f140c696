/**
 * Raw SQL on `ToolResultAttach`: a tool-result line shown as part of the assistant line that made the call.
 *
 * Concurrency rule: one synchronous connection (`services.db`). `insert` runs inside the ingest transaction
 * (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short, never
 * yielding), which Prisma's connection refuses; `answers` is a single read.
 *
 * Why raw, per statement (BENCHMARKS.md rows): 4 ingest of a streamed line and 1 bulk import (`insert`),
 * 3 history paging and 7 load (`answers`: one range read joined to Message per app-view page).
 */
import type { Database } from "../database.ts";
import type { MessageModel, ToolResultAttachModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const TOOL_RESULT_ATTACH_COLUMNS = ["sessionId", "callSeq", "resultSeq"] as const satisfies readonly (keyof ToolResultAttachModel)[];

/** A result line's raw JSON, with the seq of the call it answers. */
export type AttachedAnswer = Pick<ToolResultAttachModel, "callSeq"> & Pick<MessageModel, "content">;

export const TOOL_RESULT_ATTACH_SQL = {
  insert: `INSERT OR IGNORE INTO ToolResultAttach (sessionId, callSeq, resultSeq) VALUES (?, ?, ?)`,
  // The tool results answering the calls of a page: one range read of the page's seqs.
  answers: `SELECT a.callSeq AS callSeq, m.content AS content FROM ToolResultAttach a
       JOIN Message m ON m.sessionId = a.sessionId AND m.seq = a.resultSeq
       WHERE a.sessionId = ? AND a.callSeq BETWEEN ? AND ? ORDER BY a.callSeq, a.resultSeq`,
  // The one-time data fix presentation-v1 (db/tables/data-fixes.ts) recomputes a session's rows from its lines.
  clearSession: `DELETE FROM ToolResultAttach WHERE sessionId = ?`,
} as const;

export const toolResultAttachTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, number, number]>(TOOL_RESULT_ATTACH_SQL.insert);
  const answers = db.prepare<[string, number, number], AttachedAnswer>(TOOL_RESULT_ATTACH_SQL.answers);
  const clearSession = db.prepare<[string]>(TOOL_RESULT_ATTACH_SQL.clearSession);
  return {
    /** Deletes every row of the session (inside the data fix's transaction). */
    clearSession: (sessionId: string): void => void clearSession.run(sessionId),
    insert: (sessionId: string, callSeq: number, resultSeq: number): void => void insert.run(sessionId, callSeq, resultSeq),
    /** The answers to calls with fromSeq <= callSeq <= toSeq, in order. */
    answers: (sessionId: string, fromSeq: number, toSeq: number): IterableIterator<AttachedAnswer> =>
      answers.iterate(sessionId, fromSeq, toSeq),
  };
});
