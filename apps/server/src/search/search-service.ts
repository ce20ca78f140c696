import { SearchInput, toWireDate, type SearchHit, type SearchPage } from "@ils/contracts";
import BetterSqlite3 from "better-sqlite3";
import type { Database } from "../db/database.ts";
import { SEARCH_FILTERS, searchTable, type SearchHitRow, type SearchParams } from "../db/tables/message-search.ts";
import { badRequest } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import { decodeCursor, encodeCursor } from "../messages/cursor.ts";
import type { SearchIndexer } from "./search-indexer.ts";
import { buildSnippet, queryPhrases, type QueryPhrase } from "./snippet.ts";

/**
 * Full-text search over every stored message (the FTS5 index kept by `SearchIndexer`), best
 * bm25 match first. The query is FTS5 syntax, passed through: phrases, prefixes, AND/OR/NOT, NEAR.
 * Pages by offset: relevance has no stable key, and a new message can reorder results anyway.
 */
export class SearchService {
  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly indexer: SearchIndexer,
  ) {}

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
    const used = new Set(SEARCH_FILTERS.filter((name) => params[name] !== null));
    const bound: SearchParams = { q: params.q, ...Object.fromEntries([...used].map((name) => [name, params[name]])) };
    const statements = searchTable(this.db, used);
    const rows = asQueryError(() => statements.hits(bound, q.limit + 1, offset));
    const phrases = queryPhrases(q.q);
    const hasMore = rows.length > q.limit;
    const page = hasMore ? rows.slice(0, q.limit) : rows;
    // The exact count of matches; skipped when a first page holds them all.
    const total = offset === 0 && !hasMore ? page.length : asQueryError(() => statements.count(bound));
    this.logger.debug({ queryLength: q.q.length, hits: page.length, total, ms: Math.round(performance.now() - started) }, "search");
    return {
      items: page.map((row) => toHit(row, phrases)),
      total,
      hasMore,
      nextCursor: hasMore ? encodeCursor({ offset: offset + page.length }) : null,
    };
  }
}

function toHit(row: SearchHitRow, phrases: QueryPhrase[]): SearchHit {
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
