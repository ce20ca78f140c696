/**
 * Raw SQL on `Session` that the hot paths need: the counters, last seq and view count ingest updates with every
 * stored batch, the heads history pages and exports read, and the one update the fork transaction makes.
 * Sessions' ordinary reads and writes (CRUD, lists, stats) go through Prisma Client, not through here.
 *
 * Concurrency rule: one synchronous connection (`services.db`). The updates run inside the ingest transaction
 * (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short, never yielding),
 * so a session's counters always match its stored lines, seen from any connection; Prisma's connection refuses
 * transactions, so they cannot move there.
 *
 * Why raw, per statement (BENCHMARKS.md rows): 4 ingest of a streamed line and 1 bulk import (the per-batch
 * updates), 3 history paging and 7 load (the page heads: a warm Prisma findUnique costs ~2 ms, here ~0.04 ms).
 */
import type { Database } from "../database.ts";
import type { SessionModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const SESSION_COUNTER_COLUMNS = [
  "id",
  "name",
  "projectPath",
  "createdAt",
  "lastActiveAt",
  "lastSeq",
  "messageCount",
  "viewCount",
  "hasConversation",
  "totalCostUsd",
  "numTurns",
  "durationMs",
  "inputTokens",
  "outputTokens",
  "cacheReadInputTokens",
  "cacheCreationInputTokens",
  "claudeSessionId",
  "model",
  "claudeVersion",
  "firstPrompt",
] as const satisfies readonly (keyof SessionModel)[];

export type IngestHead = Pick<SessionModel, "lastSeq" | "lastActiveAt" | "viewCount">;
export type HistoryHead = Pick<SessionModel, "messageCount" | "lastSeq">;
export type ViewHead = Pick<SessionModel, "viewCount" | "lastSeq">;
export type ExportHead = Pick<SessionModel, "id" | "name" | "projectPath" | "createdAt" | "lastSeq">;

/** What a `result` line adds to its session's totals. */
export interface ResultStats {
  id: string;
  cost: number;
  turns: number;
  duration: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

/** What a `system/init` line tells about its session (undefined: the line did not say). */
export interface InitLink {
  id: string;
  claudeSessionId: string | undefined;
  model: string | undefined;
  cwd: string | undefined;
  version: string | undefined;
}

export const SESSION_COUNTER_SQL = {
  // Row 4 / row 1, inside the ingest transaction: where the next seq, activity and view number start.
  ingestHead: `SELECT lastSeq, lastActiveAt, viewCount FROM Session WHERE id = ?`,
  addCounters: `UPDATE Session SET lastSeq = @lastSeq, messageCount = messageCount + @added, lastActiveAt = @lastActiveAt WHERE id = @id`,
  setViewCount: `UPDATE Session SET viewCount = @viewCount, hasConversation = max(hasConversation, @conversation) WHERE id = @id`,
  addResultStats: `UPDATE Session SET totalCostUsd = totalCostUsd + @cost, numTurns = numTurns + @turns, durationMs = durationMs + @duration,
         inputTokens = inputTokens + @input, outputTokens = outputTokens + @output,
         cacheReadInputTokens = cacheReadInputTokens + @cacheRead, cacheCreationInputTokens = cacheCreationInputTokens + @cacheCreation
       WHERE id = @id`,
  // A Claude session id belongs to one session: a fork gets its own id from its first init.
  linkInit: `UPDATE Session SET
         claudeSessionId = CASE WHEN @claudeSessionId IS NOT NULL AND NOT EXISTS (SELECT 1 FROM Session s WHERE s.claudeSessionId = @claudeSessionId AND s.id <> @id)
                                THEN @claudeSessionId ELSE claudeSessionId END,
         model = coalesce(@model, model),
         projectPath = coalesce(projectPath, @cwd),
         claudeVersion = coalesce(@version, claudeVersion)
       WHERE id = @id`,
  setFirstPrompt: `UPDATE Session SET firstPrompt = @prompt WHERE id = @id AND firstPrompt IS NULL`,
  // Rows 3 and 7: the head of a raw history page and of an app-view page.
  historyHead: `SELECT messageCount, lastSeq FROM Session WHERE id = ?`,
  viewHead: `SELECT viewCount, lastSeq FROM Session WHERE id = ?`,
  // Export: read synchronously, so NOT_FOUND comes before a transport sends headers; the export ends at lastSeq.
  exportHead: `SELECT id, name, projectPath, createdAt, lastSeq FROM Session WHERE id = ?`,
  // Inside the fork transaction: copied init lines would set the parent's first model; the fork keeps the current one.
  setModel: `UPDATE Session SET model = ? WHERE id = ?`,
} as const;

export const sessionCounters = perConnection((db: Database) => {
  const ingestHead = db.prepare<[string], IngestHead>(SESSION_COUNTER_SQL.ingestHead);
  const addCounters = db.prepare<{ id: string; lastSeq: number; added: number; lastActiveAt: string }>(SESSION_COUNTER_SQL.addCounters);
  const setViewCount = db.prepare<{ id: string; viewCount: number; conversation: number }>(SESSION_COUNTER_SQL.setViewCount);
  const addResultStats = db.prepare<ResultStats>(SESSION_COUNTER_SQL.addResultStats);
  const linkInit = db.prepare<InitLink>(SESSION_COUNTER_SQL.linkInit);
  const setFirstPrompt = db.prepare<{ id: string; prompt: string }>(SESSION_COUNTER_SQL.setFirstPrompt);
  const historyHead = db.prepare<[string], HistoryHead>(SESSION_COUNTER_SQL.historyHead);
  const viewHead = db.prepare<[string], ViewHead>(SESSION_COUNTER_SQL.viewHead);
  const exportHead = db.prepare<[string], ExportHead>(SESSION_COUNTER_SQL.exportHead);
  const setModel = db.prepare<[string | null, string]>(SESSION_COUNTER_SQL.setModel);
  return {
    ingestHead: (id: string): IngestHead | undefined => ingestHead.get(id),
    /** After a batch stored `added` lines ending at `lastSeq`. */
    addCounters: (counters: { id: string; lastSeq: number; added: number; lastActiveAt: string }): void => void addCounters.run(counters),
    /** `conversation` 1: the batch showed a user/assistant bubble (never turns back to 0). */
    setViewCount: (view: { id: string; viewCount: number; conversation: number }): void => void setViewCount.run(view),
    addResultStats: (stats: ResultStats): void => void addResultStats.run(stats),
    /** Undefined fields bind as NULL (better-sqlite3), as the line did not say. */
    linkInit: (init: InitLink): void => void linkInit.run(init),
    /** Only the first typed prompt counts. */
    setFirstPrompt: (id: string, prompt: string): void => void setFirstPrompt.run({ id, prompt }),
    historyHead: (id: string): HistoryHead | undefined => historyHead.get(id),
    viewHead: (id: string): ViewHead | undefined => viewHead.get(id),
    exportHead: (id: string): ExportHead | undefined => exportHead.get(id),
    setModel: (id: string, model: string | null): void => void setModel.run(model, id),
  };
});
