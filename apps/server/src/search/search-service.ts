import { SearchInput, toWireDate, type SearchHit, type SearchPage } from "@ils/contracts";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "../db/database.ts";
import { badRequest } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import { decodeCursor, encodeCursor } from "../messages/cursor.ts";
import { buildSnippet, queryPhrases, type QueryPhrase } from "./snippet.ts";

const FILTERS = `
  MessageFts MATCH @q
  AND (@sessionId IS NULL OR m.sessionId = @sessionId)
  AND (@projectPath IS NULL OR s.projectPath = @projectPath)
  AND (@type IS NULL OR m.type = @type)
  AND (@from IS NULL OR coalesce(m.timestamp, m.createdAt) >= @from)
  AND (@to IS NULL OR coalesce(m.timestamp, m.createdAt) < @to)`;

interface HitRow {
  messageId: string;
  sessionId: string;
  seq: number;
  type: string;
  timestamp: string | null;
  sessionName: string | null;
  projectPath: string | null;
  body: string | null;
  score: number;
}

/**
 * Full-text search over every stored message (the FTS5 index kept by the `MessageFts` triggers), best
 * bm25 match first. The query is FTS5 syntax, passed through: phrases, prefixes, AND/OR/NOT, NEAR.
 * Pages by offset: relevance has no stable key, and a new message can reorder results anyway.
 */
export class SearchService {
  private readonly hits;
  private readonly count;
  private readonly countUnfiltered;

  constructor(
    db: Database,
    private readonly logger: Logger,
  ) {
    // Rank first, then fetch the text of the page's hits only (re-derived from their JSON through the view).
    this.hits = db.prepare(
      `WITH page AS (
         SELECT MessageFts.rowid AS rid, bm25(MessageFts) AS score
           FROM MessageFts
           JOIN Message m ON m.rowid = MessageFts.rowid
           JOIN Session s ON s.id = m.sessionId
          WHERE ${FILTERS}
          ORDER BY score, rid
          LIMIT @limit OFFSET @offset)
       SELECT m.id AS messageId, m.sessionId, m.seq, m.type, m.timestamp, s.name AS sessionName, s.projectPath,
              (SELECT body FROM MessageSearchText WHERE rid = page.rid) AS body, page.score
         FROM page
         JOIN Message m ON m.rowid = page.rid
         JOIN Session s ON s.id = m.sessionId
        ORDER BY page.score, page.rid`,
    );
    this.count = db
      .prepare(
        `SELECT count(*) FROM MessageFts
           JOIN Message m ON m.rowid = MessageFts.rowid
           JOIN Session s ON s.id = m.sessionId
          WHERE ${FILTERS}`,
      )
      .pluck();
    // Every indexed row is a live message (the triggers see to it), so without filters no join is needed.
    this.countUnfiltered = db.prepare(`SELECT count(*) FROM MessageFts WHERE MessageFts MATCH @q`).pluck();
  }

  query(input: SearchInput): SearchPage {
    const q = SearchInput.parse(input);
    // A leading `*` is an FTS5 debugging command (`*reads`), never a search: refused like a syntax error.
    if (q.q.startsWith("*")) throw badRequest("q", `not a valid search query (${STAR_FIRST})`);
    const offset = q.cursor === undefined ? 0 : decodeOffsetCursor(q.cursor);
    const params = {
      q: q.q,
      sessionId: q.sessionId ?? null,
      projectPath: q.projectPath ?? null,
      type: q.type ?? null,
      from: q.from === undefined ? null : new Date(q.from).toISOString(),
      to: q.to === undefined ? null : new Date(q.to).toISOString(),
    };
    const started = performance.now();
    const rows = asQueryError(() => this.hits.all({ ...params, limit: q.limit + 1, offset }) as HitRow[]);
    const phrases = queryPhrases(q.q);
    const hasMore = rows.length > q.limit;
    const page = hasMore ? rows.slice(0, q.limit) : rows;
    const unfiltered = params.sessionId === null && params.projectPath === null && params.type === null && params.from === null && params.to === null;
    const total =
      offset === 0 && !hasMore
        ? page.length
        : (asQueryError(() => (unfiltered ? this.countUnfiltered.get({ q: params.q }) : this.count.get(params))) as number);
    this.logger.debug({ queryLength: q.q.length, hits: page.length, total, ms: Math.round(performance.now() - started) }, "search");
    return {
      items: page.map((row) => toHit(row, phrases)),
      total,
      hasMore,
      nextCursor: hasMore ? encodeCursor({ offset: offset + page.length }) : null,
    };
  }
}

function toHit(row: HitRow, phrases: QueryPhrase[]): SearchHit {
  const { snippet, highlights } = buildSnippet(row.body ?? "", phrases);
  return {
    sessionId: row.sessionId,
    sessionName: row.sessionName,
    projectPath: row.projectPath,
    messageId: row.messageId,
    seq: row.seq,
    type: row.type,
    timestamp: row.timestamp === null ? null : toWireDate(row.timestamp),
    snippet,
    highlights,
    rank: row.score,
  };
}

/**
 * FTS5 reports a query it cannot parse (`"`, `AND`, `*`, an unknown column) as SQLITE_ERROR when the
 * statement runs: that is the caller's input, so a 400 naming `q` with SQLite's reason, never a 500.
 */
function asQueryError<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof BetterSqlite3.SqliteError && error.code === "SQLITE_ERROR") {
      throw badRequest("q", `not a valid search query (${explain(error.message)})`);
    }
    throw error;
  }
}

const STAR_FIRST = "`*` must follow a word, as in `migrat*`";

function explain(sqliteMessage: string): string {
  // FTS5 reads a leading `*` as one of its debugging commands ("special queries").
  if (sqliteMessage.startsWith("unknown special query")) return STAR_FIRST;
  return sqliteMessage.replace(/^fts5: /, "");
}

function decodeOffsetCursor(cursor: string): number {
  const value = decodeCursor(cursor) as { offset?: unknown } | null;
  const offset = value?.offset;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw badRequest("cursor", "not a cursor returned by search");
  }
  return offset;
}
