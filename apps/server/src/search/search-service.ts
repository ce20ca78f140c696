import { SearchInput, toWireDate, type SearchHit, type SearchPage } from "@ils/contracts";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "../db/database.ts";
import { badRequest } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import { decodeCursor, encodeCursor } from "../messages/cursor.ts";
import type { SearchIndexer } from "./search-indexer.ts";
import { buildSnippet, queryPhrases, type QueryPhrase } from "./snippet.ts";

type FilterName = "sessionId" | "projectPath" | "type" | "from" | "to";
const FILTER_NAMES: readonly FilterName[] = ["sessionId", "projectPath", "type", "from", "to"];

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
function matchesSql(used: ReadonlySet<FilterName>): string {
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
 * Full-text search over every stored message (the FTS5 index kept by `SearchIndexer`), best
 * bm25 match first. The query is FTS5 syntax, passed through: phrases, prefixes, AND/OR/NOT, NEAR.
 * Pages by offset: relevance has no stable key, and a new message can reorder results anyway.
 */
export class SearchService {
  /** Prepared statements per combination of filters in use (at most 32), built on first use. */
  private readonly statements = new Map<string, { hits: BetterSqlite3.Statement; count: BetterSqlite3.Statement }>();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly indexer: SearchIndexer,
  ) {}

  private statementsFor(used: ReadonlySet<FilterName>) {
    const key = FILTER_NAMES.filter((name) => used.has(name)).join(",");
    let prepared = this.statements.get(key);
    if (!prepared) {
      const matches = matchesSql(used);
      prepared = {
        // Rank the matches (bm25, then rowid: a stable order, so paging by offset is exact), keep the page,
        // then join and fetch the text of the page's hits only (re-derived from their JSON through the view).
        hits: this.db.prepare(
          `WITH page AS (
             SELECT f.rowid AS rid, bm25(MessageFts) AS score ${matches}
              ORDER BY score, rid
              LIMIT @limit OFFSET @offset)
           SELECT m.id AS messageId, m.sessionId, m.seq, m.type, m.timestamp, s.name AS sessionName, s.projectPath,
                  (SELECT body FROM MessageSearchText WHERE rid = page.rid) AS body, page.score
             FROM page
             JOIN Message m ON m.rowid = page.rid
             JOIN Session s ON s.id = m.sessionId
            ORDER BY page.score, page.rid`,
        ),
        // Every indexed row is a live message (the triggers see to it), so no join is needed to count.
        count: this.db.prepare(`SELECT count(*) ${matches}`).pluck(),
      };
      this.statements.set(key, prepared);
    }
    return prepared;
  }

  /**
   * Messages stored a moment ago may still be queued for the index: a search sees every stored message. Only
   * when another process holds the database's write lock for longer than the write wait budget (an
   * `ils sync --direct` stuck in a batch) does the search answer from the index as it is, rather than fail.
   */
  private catchUpIndex(): void {
    try {
      this.indexer.catchUp();
    } catch (error) {
      if (!(error instanceof BetterSqlite3.SqliteError && error.code.startsWith("SQLITE_BUSY"))) throw error;
      this.logger.warn({ err: error }, "search index catch-up skipped: the database is busy");
    }
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
    this.catchUpIndex();
    const used = new Set(FILTER_NAMES.filter((name) => params[name] !== null));
    const bound = { q: params.q, ...Object.fromEntries([...used].map((name) => [name, params[name]])) };
    const statements = this.statementsFor(used);
    const rows = asQueryError(() => statements.hits.all({ ...bound, limit: q.limit + 1, offset }) as HitRow[]);
    const phrases = queryPhrases(q.q);
    const hasMore = rows.length > q.limit;
    const page = hasMore ? rows.slice(0, q.limit) : rows;
    // The exact count of matches; skipped when a first page holds them all.
    const total = offset === 0 && !hasMore ? page.length : (asQueryError(() => statements.count.get(bound)) as number);
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
