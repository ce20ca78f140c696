/**
 * Raw SQL on `ClaudeProcess`: each Claude process a run started, its process group and the descendants seen so
 * far, so that the next start can kill what a crashed server left running.
 *
 * Concurrency rule: one synchronous connection (`services.db`); every write goes through db/write-retry.ts
 * `retryBusy`, so a second writer (`ils sync --direct`) makes it wait, not fail.
 *
 * Why raw: crash bookkeeping. A process's row (and its descendants) must be on disk before the process can
 * outlive the server, synchronously in the run's flow, not after an awaited Prisma write. `open` runs at start
 * before /health answers (BENCHMARKS.md row 6 cold start: no Prisma query, whose first costs ~100-400 ms).
 */
import type { Database } from "../database.ts";
import type { ClaudeProcessModel } from "../generated/models.ts";
import { retryBusy } from "../write-retry.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const CLAUDE_PROCESS_COLUMNS = [
  "id",
  "sessionId",
  "pid",
  "pgid",
  "startTime",
  "bootId",
  "descendants",
  "startedAt",
  "endedAt",
] as const satisfies readonly (keyof ClaudeProcessModel)[];

export type NewClaudeProcessRow = Pick<ClaudeProcessModel, "id" | "sessionId" | "pid" | "pgid" | "startTime" | "bootId" | "startedAt">;
export type OpenClaudeProcessRow = Pick<ClaudeProcessModel, "id" | "pid" | "pgid" | "startTime" | "bootId" | "descendants">;

export const CLAUDE_PROCESS_SQL = {
  insert: `INSERT INTO ClaudeProcess (id, sessionId, pid, pgid, startTime, bootId, startedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  setDescendants: `UPDATE ClaudeProcess SET descendants = ? WHERE id = ?`,
  end: `UPDATE ClaudeProcess SET endedAt = ? WHERE id = ?`,
  open: `SELECT id, pid, pgid, startTime, bootId, descendants FROM ClaudeProcess WHERE endedAt IS NULL`,
} as const;

export const claudeProcessTable = perConnection((db: Database) => {
  const insert = db.prepare(CLAUDE_PROCESS_SQL.insert);
  const setDescendants = db.prepare<[string, string]>(CLAUDE_PROCESS_SQL.setDescendants);
  const end = db.prepare<[string, string]>(CLAUDE_PROCESS_SQL.end);
  const open = db.prepare<[], OpenClaudeProcessRow>(CLAUDE_PROCESS_SQL.open);
  return {
    started: (row: NewClaudeProcessRow): void =>
      void retryBusy(db, () => insert.run(row.id, row.sessionId, row.pid, row.pgid, row.startTime, row.bootId, row.startedAt)),
    /** `descendants` is the JSON list of process ids seen so far. */
    setDescendants: (id: string, descendants: string): void => void retryBusy(db, () => setDescendants.run(descendants, id)),
    ended: (id: string, endedAt: string): void => void retryBusy(db, () => end.run(endedAt, id)),
    /** Processes not recorded as ended (at start: what an earlier server may have left running). */
    open: (): OpenClaudeProcessRow[] => open.all(),
  };
});
