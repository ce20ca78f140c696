/**
 * Raw SQL on `ToolCallIndex`: tool calls by id, so the line answering a call is shown with it.
 *
 * Concurrency rule: one synchronous connection (`services.db`); both statements run inside the ingest
 * transaction (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short,
 * never yielding), which Prisma's connection refuses.
 *
 * Why raw (BENCHMARKS.md rows): 4 ingest of a streamed line and 1 bulk import.
 */
import type { Database } from "../database.ts";
import type { ToolCallIndexModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const TOOL_CALL_INDEX_COLUMNS = ["sessionId", "toolUseId", "seq"] as const satisfies readonly (keyof ToolCallIndexModel)[];

export const TOOL_CALL_INDEX_SQL = {
  insert: `INSERT OR IGNORE INTO ToolCallIndex (sessionId, toolUseId, seq) VALUES (?, ?, ?)`,
  findSeq: `SELECT seq FROM ToolCallIndex WHERE sessionId = ? AND toolUseId = ?`,
  // The one-time data fix presentation-v1 (db/tables/data-fixes.ts) recomputes a session's rows from its lines.
  clearSession: `DELETE FROM ToolCallIndex WHERE sessionId = ?`,
} as const;

export const toolCallIndexTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, string, number]>(TOOL_CALL_INDEX_SQL.insert);
  const findSeq = db.prepare<[string, string], ToolCallIndexModel["seq"]>(TOOL_CALL_INDEX_SQL.findSeq).pluck();
  const clearSession = db.prepare<[string]>(TOOL_CALL_INDEX_SQL.clearSession);
  return {
    /** Deletes every row of the session (inside the data fix's transaction). */
    clearSession: (sessionId: string): void => void clearSession.run(sessionId),
    /** The first line naming a call id keeps it. */
    insert: (sessionId: string, toolUseId: string, seq: number): void => void insert.run(sessionId, toolUseId, seq),
    /** The seq of the line that made the call, when it is a line of this session. */
    findSeq: (sessionId: string, toolUseId: string): number | undefined => findSeq.get(sessionId, toolUseId),
  };
});
