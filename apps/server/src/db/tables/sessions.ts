/**
 * Raw SQL on `Session` outside ingest's counters (those are in session-counters.ts): what must stay synchronous on
 * the main connection. Sessions' ordinary reads and writes (create, get, list and filters, rename, delete, project
 * groups) go through Prisma Client in SessionService / ProjectService, not through here.
 *
 * Why raw, per statement:
 * - `insert`: bulk import (BENCHMARKS.md row 1, at most a few ms per file; a Prisma create costs ~2 ms) creates
 *   each imported session here, and a fork creates its row in the same transaction as the copied lines (the
 *   transaction rule: Prisma's connection refuses transactions, src/db/prisma.ts).
 * - `byId`, `byClaudeId`, `exists`, `unlinkedRun`: read per file by the importer, whose sink (`@ils/sync`
 *   SyncSink) is synchronous (rows 1 and 2), and by the run path before a run is registered and a stream
 *   subscribes (`streaming.events` subscribes when called, so no event falls between the lookup and the
 *   subscription; row 4 streaming latency).
 * - `setStatus`, `markInterrupted`: a run's state is on disk before the run can outlive the server (a crash
 *   leaves `active` for the next start to mark); `markInterrupted` runs at start before /health answers (row 6
 *   cold start: no Prisma query, whose first costs ~100 ms) and is a multi-row UPDATE (Prisma's updateMany opens
 *   a transaction).
 * - `applyMeta` statements: the sync writes an imported session's metadata in one transaction per file (row 1).
 *
 * Concurrency rule: one synchronous connection (`services.db`); writes go through db/write-retry.ts `retryBusy`
 * (or run inside the caller's transaction), so a second writer (`ils sync --direct`) makes them wait, not fail.
 */
import type { Database } from "../database.ts";
import type { SessionModel } from "../generated/models.ts";
import { retryBusy } from "../write-retry.ts";
import { perConnection } from "./per-connection.ts";

/** Every column of a session row (checked against prisma/schema.prisma by the column-drift test). */
export const SESSION_ROW_COLUMNS = [
  "id", "claudeSessionId", "name", "projectPath", "projectName", "model", "permissionMode", "status", "source",
  "forkedFromId", "parentSessionId", "forkSourceClaudeId", "messageCount", "lastSeq", "totalCostUsd", "numTurns",
  "durationMs", "inputTokens", "outputTokens", "cacheReadInputTokens", "cacheCreationInputTokens", "firstPrompt",
  "gitBranch", "claudeVersion", "lastError", "viewCount", "hasConversation", "agentId", "parentToolUseId",
  "customTitle", "aiTitle", "summaryTitle", "firstCommand", "costEstimated", "unpricedModels", "runModel",
  "systemPrompt", "maxTurns", "maxBudgetUsd", "forkAtUuid", "createdAt", "lastActiveAt",
] as const satisfies readonly (keyof SessionModel)[];

/** The columns a new row is inserted with (the rest take their schema defaults). */
export const SESSION_INSERT_COLUMNS = [
  "id", "claudeSessionId", "name", "projectPath", "projectName", "model", "permissionMode", "status", "source",
  "forkedFromId", "forkSourceClaudeId", "parentSessionId", "firstPrompt", "runModel", "systemPrompt", "maxTurns",
  "maxBudgetUsd", "forkAtUuid", "createdAt", "lastActiveAt",
] as const satisfies readonly (keyof SessionModel)[];

/** A session row plus what the app's view reads beside it (see `SESSION_SELECT`). */
export type SessionRow = SessionModel & {
  /** The number of sub-agent sessions it started. */
  subagentCount?: number;
  /** For a sub-agent: the parent's tool_use that started it, from an `AgentLink`. */
  linkedToolUseId?: string | null;
};

export type NewSessionRow = Pick<SessionModel, (typeof SESSION_INSERT_COLUMNS)[number]>;

/**
 * Every column plus the sub-agent count and the tool_use that started a sub-agent as its parent's lines name it.
 * Both are index lookups per row.
 */
const SESSION_SELECT = `${SESSION_ROW_COLUMNS.map((c) => `Session.${c}`).join(", ")},
  (SELECT count(*) FROM Session c WHERE c.parentSessionId = Session.id) AS subagentCount,
  (SELECT l.toolUseId FROM AgentLink l WHERE l.sessionId = Session.parentSessionId AND l.agentId = Session.agentId) AS linkedToolUseId`;

const statements = perConnection((db) => ({
  insert: db.prepare(
    `INSERT INTO Session (${SESSION_INSERT_COLUMNS.join(", ")}) VALUES (${SESSION_INSERT_COLUMNS.map((c) => `@${c}`).join(", ")})`,
  ),
  byId: db.prepare(`SELECT ${SESSION_SELECT} FROM Session WHERE id = ?`),
  byClaudeId: db.prepare(`SELECT ${SESSION_SELECT} FROM Session WHERE claudeSessionId = ?`),
  exists: db.prepare(`SELECT 1 FROM Session WHERE id = ?`).pluck(),
  // A server run that has not learned its Claude id yet (the sync defers fresh transcripts while one exists).
  unlinkedRun: db.prepare(`SELECT 1 FROM Session WHERE status = 'active' AND claudeSessionId IS NULL LIMIT 1`).pluck(),
  setStatus: db.prepare(`UPDATE Session SET status = ?, lastError = ? WHERE id = ?`),
  markInterrupted: db.prepare(
    `UPDATE Session SET status = 'error', lastError = 'interrupted: the server stopped during a run' WHERE status = 'active'`,
  ),
}));

/** Inserts a row; inside the caller's transaction when there is one (a fork), else waiting out a second writer. */
export function insertSession(db: Database, row: NewSessionRow): void {
  const insert = statements(db).insert;
  if (db.inTransaction) insert.run(row);
  else retryBusy(db, () => insert.run(row));
}

export function findSessionRow(db: Database, id: string): SessionRow | undefined {
  return statements(db).byId.get(id) as SessionRow | undefined;
}

export function findSessionByClaudeId(db: Database, claudeSessionId: string): SessionRow | undefined {
  return statements(db).byClaudeId.get(claudeSessionId) as SessionRow | undefined;
}

export function sessionExists(db: Database, id: string): boolean {
  return statements(db).exists.get(id) !== undefined;
}

export function hasUnlinkedRun(db: Database): boolean {
  return statements(db).unlinkedRun.get() !== undefined;
}

export function setSessionStatus(db: Database, id: string, status: string, lastError: string | null): void {
  const update = statements(db).setStatus;
  retryBusy(db, () => update.run(status, lastError, id));
}

/** Sessions a crash left `active`, marked `error`; returns how many. */
export function markActiveSessionsInterrupted(db: Database): number {
  const update = statements(db).markInterrupted;
  return retryBusy(db, () => update.run()).changes;
}
