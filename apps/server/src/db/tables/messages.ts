/**
 * Raw SQL on `Message`: the hot paths only (everything else goes through Prisma Client, db/prisma.ts).
 *
 * Concurrency rule: one synchronous connection (`services.db`). The writes here run inside the ingest
 * transaction (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short,
 * never yielding to the event loop), the fork transaction or sync's metadata transaction; Prisma's connection
 * refuses transactions, so these cannot move there. Reads are single statements on the same connection.
 *
 * Why raw, per statement (BENCHMARKS.md rows): 1 bulk import, 3 history paging, 4 ingest of a streamed line.
 * A warm Prisma findMany of 50 rows costs ~2.4 ms against ~0.04 ms here, and Prisma cannot join a transaction.
 */
import type { Database } from "../database.ts";
import type { MessageModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const MESSAGE_COLUMNS = [
  "id",
  "sessionId",
  "seq",
  "type",
  "subtype",
  "role",
  "uuid",
  "content",
  "timestamp",
  "createdAt",
] as const satisfies readonly (keyof MessageModel)[];

/** A whole stored line, as history pages and ingest carry it. */
export type MessageRow = Pick<MessageModel, (typeof MESSAGE_COLUMNS)[number]>;
/** The raw line and its place: what export and fork read. */
export type MessageContent = Pick<MessageModel, "seq" | "content">;
/** Usage of one model counted from the stored assistant lines (sync's recount). */
export interface ModelUsageRow {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  cacheCreation1hInputTokens: number;
}

const ROW = MESSAGE_COLUMNS.join(", ");

export const MESSAGE_SQL = {
  // Row 4 (a streamed line) and row 1 (bulk import): the single write path; dedupe by (sessionId, uuid).
  insert: `INSERT INTO Message (${ROW})
       VALUES (@id, @sessionId, @seq, @type, @subtype, @role, @uuid, @content, @timestamp, @createdAt)
       ON CONFLICT (sessionId, uuid) DO NOTHING`,
  // Rows 4 and 1: ingest (is a transcript prompt already stored?) and sync (does a summary name a line of this session?).
  hasUuid: `SELECT 1 FROM Message WHERE sessionId = ? AND uuid = ?`,
  // Row 4: the prompt a run stored itself (origin "ils", no uuid) and the same prompt in Claude's transcript are one message.
  findOwnPrompt: `SELECT id FROM Message WHERE sessionId = ? AND uuid IS NULL AND type = 'user'
           AND json_extract(content, '$.origin') = 'ils' AND json_extract(content, '$.message.content') = ?
         ORDER BY seq LIMIT 1`,
  // Row 4: that stored prompt takes Claude's uuid.
  adoptUuid: `UPDATE Message SET uuid = ? WHERE id = ?`,
  // Row 3: history pages walk the (sessionId, seq) index by keyset.
  after: `SELECT ${ROW} FROM Message WHERE sessionId = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
  before: `SELECT ${ROW} FROM Message WHERE sessionId = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
  // Row 3: resolving an offset on the covering index first avoids reading `offset` full rows.
  seqAtOffset: `SELECT seq FROM Message WHERE sessionId = ? ORDER BY seq ASC LIMIT 1 OFFSET ?`,
  // Row 3 (a page around a message) and the fork transaction (a fork at a message).
  seqOf: `SELECT seq FROM Message WHERE sessionId = ? AND id = ?`,
  // The fork transaction (copies in pages) and export (streams in pages): the same keyset read as row 3.
  contentPage: `SELECT seq, content FROM Message WHERE sessionId = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
  // The fork transaction: the Claude uuid a fork at a message resumes up to.
  lastAssistantUuid: `SELECT uuid FROM Message WHERE sessionId = ? AND seq <= ? AND type = 'assistant' AND uuid IS NOT NULL ORDER BY seq DESC LIMIT 1`,
  // The one-time data fix presentation-v1 (db/tables/data-fixes.ts): every stored line once, in keyset pages, at start.
  fixPage: `SELECT seq, uuid, content FROM Message WHERE sessionId = ? AND seq > ? ORDER BY seq LIMIT ?`,
  // Row 1 (sync's metadata transaction): an incremental read cannot know earlier lines of a split message, so
  // usage is recounted from the stored lines, the last line (highest seq) of each message id. Filters on the
  // raw line's type, as the importer did (ingest may classify an odd-shaped assistant line as unknown).
  recountUsage: `SELECT coalesce(m, '') AS model, coalesce(sum(i), 0) AS inputTokens, coalesce(sum(o), 0) AS outputTokens,
              coalesce(sum(cr), 0) AS cacheReadInputTokens, coalesce(sum(cc), 0) AS cacheCreationInputTokens,
              coalesce(sum(c1h), 0) AS cacheCreation1hInputTokens
       FROM (
         SELECT json_extract(content, '$.message.model') AS m,
                json_extract(content, '$.message.usage.input_tokens') AS i,
                json_extract(content, '$.message.usage.output_tokens') AS o,
                json_extract(content, '$.message.usage.cache_read_input_tokens') AS cr,
                json_extract(content, '$.message.usage.cache_creation_input_tokens') AS cc,
                json_extract(content, '$.message.usage.cache_creation.ephemeral_1h_input_tokens') AS c1h,
                row_number() OVER (PARTITION BY coalesce(json_extract(content, '$.message.id'), id) ORDER BY seq DESC) AS rn
         FROM Message WHERE sessionId = ? AND json_valid(content) AND json_extract(content, '$.type') = 'assistant'
       ) WHERE rn = 1 GROUP BY m`,
} as const;

export const messageTable = perConnection((db: Database) => {
  const insert = db.prepare<MessageRow>(MESSAGE_SQL.insert);
  const hasUuid = db.prepare<[string, string | null], 1>(MESSAGE_SQL.hasUuid).pluck();
  const findOwnPrompt = db.prepare<[string, string], string>(MESSAGE_SQL.findOwnPrompt).pluck();
  const adoptUuid = db.prepare<[string, string]>(MESSAGE_SQL.adoptUuid);
  const after = db.prepare<[string, number, number], MessageRow>(MESSAGE_SQL.after);
  const before = db.prepare<[string, number, number], MessageRow>(MESSAGE_SQL.before);
  const seqAtOffset = db.prepare<[string, number], number>(MESSAGE_SQL.seqAtOffset).pluck();
  const seqOf = db.prepare<[string, string], number>(MESSAGE_SQL.seqOf).pluck();
  const contentPage = db.prepare<[string, number, number, number], MessageContent>(MESSAGE_SQL.contentPage);
  const lastAssistantUuid = db.prepare<[string, number], string>(MESSAGE_SQL.lastAssistantUuid).pluck();
  const recountUsage = db.prepare<[string], ModelUsageRow>(MESSAGE_SQL.recountUsage);
  const fixPage = db.prepare<[string, number, number], Pick<MessageRow, "seq" | "uuid" | "content">>(MESSAGE_SQL.fixPage);
  return {
    /** False when (sessionId, uuid) is already stored. */
    insert: (row: MessageRow): boolean => insert.run(row).changes > 0,
    hasUuid: (sessionId: string, uuid: string | null): boolean => hasUuid.get(sessionId, uuid) !== undefined,
    findOwnPrompt: (sessionId: string, prompt: string): string | undefined => findOwnPrompt.get(sessionId, prompt),
    adoptUuid: (uuid: string, id: string): void => void adoptUuid.run(uuid, id),
    /** Up to `limit` lines after `seq`, ascending. */
    after: (sessionId: string, seq: number, limit: number): MessageRow[] => after.all(sessionId, seq, limit),
    /** Up to `limit` lines before `seq`, descending. */
    before: (sessionId: string, seq: number, limit: number): MessageRow[] => before.all(sessionId, seq, limit),
    seqAtOffset: (sessionId: string, offset: number): number | undefined => seqAtOffset.get(sessionId, offset),
    seqOf: (sessionId: string, messageId: string): number | undefined => seqOf.get(sessionId, messageId),
    /** Up to `limit` lines with afterSeq < seq <= lastSeq, ascending. */
    contentPage: (sessionId: string, afterSeq: number, lastSeq: number, limit: number): MessageContent[] =>
      contentPage.all(sessionId, afterSeq, lastSeq, limit),
    lastAssistantUuid: (sessionId: string, seq: number): string | undefined => lastAssistantUuid.get(sessionId, seq),
    recountUsage: (sessionId: string): ModelUsageRow[] => recountUsage.all(sessionId),
    /** Up to `limit` lines after `seq` with only what a data fix reads, ascending. */
    fixPage: (sessionId: string, afterSeq: number, limit: number): Pick<MessageRow, "seq" | "uuid" | "content">[] =>
      fixPage.all(sessionId, afterSeq, limit),
  };
});
