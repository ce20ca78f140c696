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

/** Every column a statement below names (checked against prisma/schema.prisma by test/column-drift.test.ts). */
export const TOOL_CALL_INDEX_COLUMNS = ["sessionId", "toolUseId", "seq"] as const satisfies readonly (keyof ToolCallIndexModel)[];

export const TOOL_CALL_INDEX_SQL = {
  insert: `INSERT OR IGNORE INTO ToolCallIndex (sessionId, toolUseId, seq) VALUES (?, ?, ?)`,
  findSeq: `SELECT seq FROM ToolCallIndex WHERE sessionId = ? AND toolUseId = ?`,
} as const;

export const toolCallIndexTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, string, number]>(TOOL_CALL_INDEX_SQL.insert);
  const findSeq = db.prepare<[string, string], ToolCallIndexModel["seq"]>(TOOL_CALL_INDEX_SQL.findSeq).pluck();
  return {
    /** The first line naming a call id keeps it. */
    insert: (sessionId: string, toolUseId: string, seq: number): void => void insert.run(sessionId, toolUseId, seq),
    /** The seq of the line that made the call, when it is a line of this session. */
    findSeq: (sessionId: string, toolUseId: string): number | undefined => findSeq.get(sessionId, toolUseId),
  };
});
