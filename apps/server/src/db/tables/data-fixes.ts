/**
 * Raw SQL on `DataFix`: which one-time data fixes a migration queued (`pending = 1`) and when each ran.
 *
 * Concurrency rule: one synchronous connection (`services.db`), at start, before the server answers and before
 * the sync or any run writes.
 *
 * Why raw: the fixes run before /health answers (BENCHMARKS.md row 6 cold start: no Prisma query, whose first
 * costs ~100-400 ms), and a fix's own writes (messages.ts `fixPage`, `clearSession` of message-views.ts,
 * tool-call-index.ts and tool-result-attach.ts, sessions.ts `sessionMetaTable`) run in one transaction per session,
 * which Prisma's connection refuses.
 */
import type { Database } from "../database.ts";
import type { DataFixModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const DATA_FIX_COLUMNS = ["name", "pending", "appliedAt"] as const satisfies readonly (keyof DataFixModel)[];

export const DATA_FIX_SQL = {
  pending: `SELECT pending FROM DataFix WHERE name = ?`,
  applied: `UPDATE DataFix SET pending = 0, appliedAt = ? WHERE name = ?`,
} as const;

export const dataFixTable = perConnection((db: Database) => {
  const pending = db.prepare<[string], DataFixModel["pending"]>(DATA_FIX_SQL.pending).pluck();
  const applied = db.prepare<[string, string]>(DATA_FIX_SQL.applied);
  return {
    /** Whether a migration queued the fix and it has not run yet (a database without the row never needs it). */
    isPending: (name: string): boolean => pending.get(name) === 1,
    applied: (name: string, appliedAt: string): void => void applied.run(appliedAt, name),
  };
});
