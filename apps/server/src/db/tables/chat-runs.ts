/**
 * Raw SQL on `ChatRun`: each chat run's state, written as the run starts and ends.
 *
 * Concurrency rule: one synchronous connection (`services.db`); every write goes through db/write-retry.ts
 * `retryBusy`, so a second writer (`ils sync --direct`) makes it wait, not fail.
 *
 * Why raw: crash bookkeeping. A run's row must be on disk before its Claude process can outlive the server
 * (kill -9), synchronously in the run's flow; an awaited Prisma write leaves a window where it is not. `interrupt`
 * runs at start before /health answers (BENCHMARKS.md row 6 cold start: no Prisma query, whose first costs
 * ~100-400 ms) and is a multi-row UPDATE (Prisma's updateMany opens a transaction, which its connection refuses).
 */
import type { Database } from "../database.ts";
import type { ChatRunModel } from "../generated/models.ts";
import { retryBusy } from "../write-retry.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const CHAT_RUN_COLUMNS = [
  "id",
  "sessionId",
  "state",
  "error",
  "startedAt",
  "endedAt",
] as const satisfies readonly (keyof ChatRunModel)[];

export type ChatRunEndState = "finished" | "failed" | "cancelled" | "interrupted";

export const CHAT_RUN_SQL = {
  insert: `INSERT INTO ChatRun (id, sessionId, state, startedAt) VALUES (?, ?, 'running', ?)`,
  // Only a running run ends: a late second end (cancel after finish) keeps the first.
  end: `UPDATE ChatRun SET state = ?, error = ?, endedAt = ? WHERE id = ? AND state = 'running'`,
  interrupt: `UPDATE ChatRun SET state = 'interrupted', error = 'the server stopped during the run', endedAt = ? WHERE state = 'running'`,
} as const;

export const chatRunTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, string, string]>(CHAT_RUN_SQL.insert);
  const end = db.prepare<[string, string | null, string, string]>(CHAT_RUN_SQL.end);
  const interrupt = db.prepare<[string]>(CHAT_RUN_SQL.interrupt);
  return {
    started: (id: string, sessionId: string, startedAt: string): void => void retryBusy(db, () => insert.run(id, sessionId, startedAt)),
    ended: (id: string, state: ChatRunEndState, error: string | null, endedAt: string): void =>
      void retryBusy(db, () => end.run(state, error, endedAt, id)),
    /** Runs an earlier server left `running`, marked interrupted; returns how many. */
    interruptRunning: (endedAt: string): number => retryBusy(db, () => interrupt.run(endedAt)).changes,
  };
});
