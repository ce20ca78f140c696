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
 * - `SESSION_META_SQL` (`sessionMetaTable`): the sync writes an imported session's metadata in one transaction
 *   per file (row 1; the sink is synchronous), and the one-time data fix `presentation-v1` recomputes what ingest
 *   derives for every stored session before /health answers (row 6 cold start), one transaction per session.
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
  "id",
  "claudeSessionId",
  "name",
  "projectPath",
  "projectName",
  "model",
  "permissionMode",
  "status",
  "source",
  "forkedFromId",
  "parentSessionId",
  "forkSourceClaudeId",
  "messageCount",
  "lastSeq",
  "totalCostUsd",
  "numTurns",
  "durationMs",
  "inputTokens",
  "outputTokens",
  "cacheReadInputTokens",
  "cacheCreationInputTokens",
  "firstPrompt",
  "gitBranch",
  "claudeVersion",
  "lastError",
  "viewCount",
  "hasConversation",
  "agentId",
  "parentToolUseId",
  "customTitle",
  "aiTitle",
  "summaryTitle",
  "firstCommand",
  "costEstimated",
  "unpricedModels",
  "runModel",
  "systemPrompt",
  "maxTurns",
  "maxBudgetUsd",
  "forkAtUuid",
  "createdAt",
  "lastActiveAt",
] as const satisfies readonly (keyof SessionModel)[];

/** The columns a new row is inserted with (the rest take their schema defaults). */
export const SESSION_INSERT_COLUMNS = [
  "id",
  "claudeSessionId",
  "name",
  "projectPath",
  "projectName",
  "model",
  "permissionMode",
  "status",
  "source",
  "forkedFromId",
  "forkSourceClaudeId",
  "parentSessionId",
  "firstPrompt",
  "runModel",
  "systemPrompt",
  "maxTurns",
  "maxBudgetUsd",
  "forkAtUuid",
  "createdAt",
  "lastActiveAt",
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

export type SessionOrigin = Pick<SessionModel, "source" | "parentSessionId">;

/** What a transcript says about its session; each value only fills or replaces as the statement says. */
export interface SessionMetaUpdate {
  id: string;
  projectPath: string | null;
  projectName: string | null;
  gitBranch: string | null;
  model: string | null;
  claudeVersion: string | null;
  createdAt: string | null;
}

export type SessionTitles = Pick<SessionModel, "id" | "customTitle" | "aiTitle" | "summaryTitle" | "firstCommand">;
export type SessionUsage = Pick<SessionModel, "id" | "inputTokens" | "outputTokens" | "cacheReadInputTokens" | "cacheCreationInputTokens">;
export interface SessionEstimatedCost {
  id: string;
  usd: number;
  unpriced: string | null;
}
/** What the presentation-v1 data fix recomputes for a session from its stored lines. */
export type SessionPresentation = SessionTitles & Pick<SessionModel, "viewCount" | "firstPrompt"> & { conversation: number };

/** The statements of sessionMetaTable (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const SESSION_META_SQL = {
  origin: `SELECT source, parentSessionId FROM Session WHERE id = ?`,
  allOrigins: `SELECT id, source FROM Session ORDER BY id`,
  applyMeta: `UPDATE Session SET
         projectPath = coalesce(projectPath, @projectPath),
         projectName = coalesce(projectName, @projectName),
         gitBranch = coalesce(@gitBranch, gitBranch),
         model = coalesce(@model, model),
         claudeVersion = coalesce(@claudeVersion, claudeVersion),
         createdAt = CASE WHEN @createdAt IS NOT NULL AND source = 'external' AND @createdAt < createdAt THEN @createdAt ELSE createdAt END
       WHERE id = @id`,
  // Title sources (docs/presentation.md): the latest of each kind wins; the title rule picks among them on read.
  setTitles: `UPDATE Session SET customTitle = coalesce(@customTitle, customTitle), aiTitle = coalesce(@aiTitle, aiTitle),
         summaryTitle = coalesce(@summaryTitle, summaryTitle), firstCommand = coalesce(firstCommand, @firstCommand) WHERE id = @id`,
  setEstimatedCost: `UPDATE Session SET totalCostUsd = @usd, costEstimated = 1, unpricedModels = @unpriced WHERE id = @id`,
  setAgent: `UPDATE Session SET agentId = @agentId, parentToolUseId = coalesce(parentToolUseId, @toolUseId) WHERE id = @id`,
  setUsage: `UPDATE Session SET inputTokens = @inputTokens, outputTokens = @outputTokens,
         cacheReadInputTokens = @cacheReadInputTokens, cacheCreationInputTokens = @cacheCreationInputTokens
       WHERE id = @id`,
  // Ingest dates lines without a timestamp (last-prompt, summary, ...) "now"; an imported session's
  // activity is its newest dated line, so it sorts by when it was used, not when it was imported.
  settleLastActive: `UPDATE Session SET lastActiveAt = coalesce((SELECT max(timestamp) FROM Message WHERE sessionId = @id),
         (SELECT max(createdAt) FROM Message WHERE sessionId = @id), createdAt) WHERE id = @id`,
  linkParent: `UPDATE Session SET parentSessionId = ? WHERE id = ? AND parentSessionId IS NULL`,
  // presentation-v1: an imported session's `name` was written by the old sync (summary or prompt): the title rule replaces it.
  setPresentation: `UPDATE Session SET viewCount = @viewCount, hasConversation = @conversation, firstPrompt = @firstPrompt,
         customTitle = @customTitle, aiTitle = @aiTitle, summaryTitle = @summaryTitle, firstCommand = @firstCommand,
         name = CASE WHEN source = 'external' THEN NULL ELSE name END
       WHERE id = @id`,
} as const;

/**
 * Session metadata the sync and the data fix write. The writes run inside the caller's transaction (the sync's
 * per-file transaction, the fix's per-session one) except `setAgent`, a single statement right after the insert.
 */
export const sessionMetaTable = perConnection((db: Database) => {
  const origin = db.prepare<[string], SessionOrigin>(SESSION_META_SQL.origin);
  const allOrigins = db.prepare<[], Pick<SessionModel, "id" | "source">>(SESSION_META_SQL.allOrigins);
  const applyMeta = db.prepare<[SessionMetaUpdate]>(SESSION_META_SQL.applyMeta);
  const setTitles = db.prepare<[SessionTitles]>(SESSION_META_SQL.setTitles);
  const setEstimatedCost = db.prepare<[SessionEstimatedCost]>(SESSION_META_SQL.setEstimatedCost);
  const setAgent = db.prepare<[{ id: string; agentId: string; toolUseId: string | null }]>(SESSION_META_SQL.setAgent);
  const setUsage = db.prepare<[SessionUsage]>(SESSION_META_SQL.setUsage);
  const settleLastActive = db.prepare<[{ id: string }]>(SESSION_META_SQL.settleLastActive);
  const linkParent = db.prepare<[string, string]>(SESSION_META_SQL.linkParent);
  const setPresentation = db.prepare<[SessionPresentation]>(SESSION_META_SQL.setPresentation);
  return {
    origin: (id: string): SessionOrigin | undefined => origin.get(id),
    allOrigins: (): Pick<SessionModel, "id" | "source">[] => allOrigins.all(),
    applyMeta: (row: SessionMetaUpdate): void => void applyMeta.run(row),
    setTitles: (row: SessionTitles): void => void setTitles.run(row),
    /** An imported session's cost, estimated from its transcript's usage (`costEstimated` set). */
    setEstimatedCost: (row: SessionEstimatedCost): void => void setEstimatedCost.run(row),
    /** A sub-agent's id and the parent tool_use that started it (the first one named stays). */
    setAgent: (id: string, agentId: string, toolUseId: string | null): void => void setAgent.run({ id, agentId, toolUseId }),
    setUsage: (row: SessionUsage): void => void setUsage.run(row),
    settleLastActive: (id: string): void => void settleLastActive.run({ id }),
    /** Links a sub-agent to its parent unless it has one. */
    linkParent: (id: string, parentSessionId: string): void => void linkParent.run(parentSessionId, id),
    setPresentation: (row: SessionPresentation): void => void setPresentation.run(row),
  };
});

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
