/**
 * Raw SQL on the full-text search tables, which Prisma does not model (prisma/migrations/*_search*): the FTS5
 * index `MessageFts` (content from the view `MessageSearchText`, which derives each message's searchable text
 * from its raw JSON) and the queue `SearchPending` (the Message insert trigger queues each stored rowid).
 * FTS5 `MATCH`, `bm25()` and rowid joins have no Prisma Client form.
 *
 * Concurrency rule: one synchronous connection (`services.db`). Indexing runs outside the ingest transaction,
 * in batches of its own (SearchIndexer: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, about a
 * millisecond each), so a streamed line never pays for FTS5's segment writes; a search first indexes what is
 * still queued. The search reads are single statements.
 *
 * Why raw (BENCHMARKS.md rows): 8 search (MATCH/bm25), and 4 streaming / 1 bulk import for the batched indexing.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { Database } from "../database.ts";
import type { MessageModel, SessionModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** The Prisma-modelled columns the search statements name (checked against prisma/schema.prisma). */
export const SEARCH_MESSAGE_COLUMNS = [
  "id",
  "sessionId",
  "seq",
  "type",
  "timestamp",
  "createdAt",
] as const satisfies readonly (keyof MessageModel)[];
export const SEARCH_SESSION_COLUMNS = ["id", "name", "projectPath"] as const satisfies readonly (keyof SessionModel)[];
/** The columns of the tables the migrations create outside Prisma's schema (checked against a migrated database). */
export const SEARCH_TABLE_COLUMNS = {
  MessageFts: ["body"],
  MessageSearchText: ["rid", "body"],
  SearchPending: ["rid"],
} as const satisfies Record<string, readonly string[]>;

export type SearchFilter = "sessionId" | "projectPath" | "type" | "from" | "to";
export const SEARCH_FILTERS: readonly SearchFilter[] = ["sessionId", "projectPath", "type", "from", "to"];

/** One hit of a search page. */
export interface SearchHitRow {
  messageId: MessageModel["id"];
  sessionId: MessageModel["sessionId"];
  seq: MessageModel["seq"];
  type: MessageModel["type"];
  timestamp: MessageModel["timestamp"];
  sessionName: SessionModel["name"];
  projectPath: SessionModel["projectPath"];
  body: string | null;
  score: number;
}

export const SEARCH_INDEX_SQL = {
  anyPending: `SELECT EXISTS (SELECT 1 FROM SearchPending)`,
  batchEnd: `SELECT max(rid) FROM (SELECT rid FROM SearchPending ORDER BY rid LIMIT ?)`,
  indexUpTo: `INSERT INTO MessageFts (rowid, body)
       SELECT rid, body FROM MessageSearchText WHERE rid IN (SELECT rid FROM SearchPending WHERE rid <= ?) AND body <> ''`,
  dequeueUpTo: `DELETE FROM SearchPending WHERE rid <= ?`,
} as const;

/**
 * The matches of `@q` that pass the given filters, as `MessageFts` rows (alias `f`). Only the filters in use
 * appear, so the planner sees the real query. Measured on the 694,158-message bench corpus, `test` (42,276
 * matches), first page: joining every match to Message and Session before ranking cost 130-170 ms, ranking
 * in FTS5 alone 15-20 ms. So:
 * - no filter: FTS5 alone;
 * - sessionId / projectPath: the session's (project's) message rowids come from indexes, once per query,
 *   and each match is tested against that set (9 ms with a session, about 50 ms with a busy project, was
 *   260-300 ms). The unary `+` keeps SQLite from handing the IN list to FTS5 as rowid constraints, which
 *   re-runs the query per rowid (130 ms to seconds);
 * - type / from / to: each match's Message row is read (no index covers them; `timestamp` is stored after
 *   the large `content`), so these cost about what the joined query did.
 */
function matchesSql(used: ReadonlySet<SearchFilter>): string {
  const where = ["MessageFts MATCH @q"];
  if (used.has("sessionId")) where.push(`+f.rowid IN (SELECT rowid FROM Message WHERE sessionId = @sessionId)`);
  if (used.has("projectPath")) {
    where.push(`+f.rowid IN (SELECT pm.rowid FROM Session ps JOIN Message pm ON pm.sessionId = ps.id WHERE ps.projectPath = @projectPath)`);
  }
  if (used.has("type")) where.push(`m.type = @type`);
  if (used.has("from")) where.push(`coalesce(m.timestamp, m.createdAt) >= @from`);
  if (used.has("to")) where.push(`coalesce(m.timestamp, m.createdAt) < @to`);
  const joinMessage = used.has("type") || used.has("from") || used.has("to");
  return `FROM MessageFts f${joinMessage ? " JOIN Message m ON m.rowid = f.rowid" : ""} WHERE ${where.join(" AND ")}`;
}

/** The search statements' SQL for a set of filters in use. */
export function searchSql(used: ReadonlySet<SearchFilter>): { hits: string; count: string } {
  const matches = matchesSql(used);
  return {
    // Rank the matches (bm25, then rowid: a stable order, so paging by offset is exact), keep the page,
    // then join and fetch the text of the page's hits only (re-derived from their JSON through the view).
    hits: `WITH page AS (
             SELECT f.rowid AS rid, bm25(MessageFts) AS score ${matches}
              ORDER BY score, rid
              LIMIT @limit OFFSET @offset)
           SELECT m.id AS messageId, m.sessionId, m.seq, m.type, m.timestamp, s.name AS sessionName, s.projectPath,
                  (SELECT body FROM MessageSearchText WHERE rid = page.rid) AS body, page.score
             FROM page
             JOIN Message m ON m.rowid = page.rid
             JOIN Session s ON s.id = m.sessionId
            ORDER BY page.score, page.rid`,
    // Every indexed row is a live message (the triggers see to it), so no join is needed to count.
    count: `SELECT count(*) ${matches}`,
  };
}

/** `q` and the values of the filters in use (only those: a statement binds exactly its parameters). */
export type SearchParams = { q: string } & Partial<Record<SearchFilter, string>>;

interface SearchStatements {
  hits: BetterSqlite3.Statement<[SearchParams & { limit: number; offset: number }], SearchHitRow>;
  count: BetterSqlite3.Statement<[SearchParams], number>;
}

/** Statements per combination of filters in use (at most 32), prepared on first use. */
const searchStatements = perConnection(() => new Map<string, SearchStatements>());

export const searchIndexTable = perConnection((db: Database) => {
  const anyPending = db.prepare<[], 0 | 1>(SEARCH_INDEX_SQL.anyPending).pluck();
  const batchEnd = db.prepare<[number], number | null>(SEARCH_INDEX_SQL.batchEnd).pluck();
  const indexUpTo = db.prepare<[number]>(SEARCH_INDEX_SQL.indexUpTo);
  const dequeueUpTo = db.prepare<[number]>(SEARCH_INDEX_SQL.dequeueUpTo);
  return {
    anyPending: (): boolean => anyPending.get() !== 0,
    /** The last queued rowid of the next `size` queued (null: none queued). */
    batchEnd: (size: number): number | null => batchEnd.get(size) ?? null,
    /** Indexes the queued messages up to `rid` and takes them off the queue; returns how many it took. */
    indexUpTo: (rid: number): number => {
      indexUpTo.run(rid);
      return dequeueUpTo.run(rid).changes;
    },
  };
});

export function searchTable(db: Database, used: ReadonlySet<SearchFilter>) {
  const statements = searchStatements(db);
  const key = SEARCH_FILTERS.filter((name) => used.has(name)).join(",");
  let prepared = statements.get(key);
  if (!prepared) {
    const sql = searchSql(used);
    prepared = {
      hits: db.prepare<[SearchParams & { limit: number; offset: number }], SearchHitRow>(sql.hits),
      count: db.prepare<[SearchParams], number>(sql.count).pluck(),
    };
    statements.set(key, prepared);
  }
  const { hits, count } = prepared;
  return {
    /** One page of hits, best first. Throws SQLITE_ERROR for a query FTS5 cannot parse. */
    hits: (params: SearchParams, limit: number, offset: number): SearchHitRow[] => hits.all({ ...params, limit, offset }),
    /** How many messages match. */
    count: (params: SearchParams): number => count.get(params)!,
  };
}
