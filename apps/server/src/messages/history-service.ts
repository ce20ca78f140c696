import { ListMessagesInput, type Message, type Page } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { notFound } from "../errors/app-error.ts";
import { decodeSeqCursor, encodeSeqCursor } from "./cursor.ts";
import { toMessage, type MessageRow } from "./message-row.ts";

const COLUMNS = `id, sessionId, seq, type, subtype, role, uuid, content, timestamp, createdAt`;

/**
 * Paged history, always in conversation order (seq ascending). Every query walks the
 * (sessionId, seq) index, so the last page of a 100k-message session costs what the first does.
 */
export class HistoryService {
  private readonly session;
  private readonly after;
  private readonly before;
  private readonly seqAtOffset;
  private readonly byId;

  constructor(db: Database) {
    this.session = db.prepare(`SELECT messageCount, lastSeq FROM Session WHERE id = ?`);
    this.after = db.prepare(`SELECT ${COLUMNS} FROM Message WHERE sessionId = ? AND seq > ? ORDER BY seq ASC LIMIT ?`);
    this.before = db.prepare(`SELECT ${COLUMNS} FROM Message WHERE sessionId = ? AND seq < ? ORDER BY seq DESC LIMIT ?`);
    // Resolving the offset on the covering index first avoids reading `offset` full rows.
    this.seqAtOffset = db.prepare(`SELECT seq FROM Message WHERE sessionId = ? ORDER BY seq ASC LIMIT 1 OFFSET ?`).pluck();
    this.byId = db.prepare(`SELECT seq FROM Message WHERE sessionId = ? AND id = ?`).pluck();
  }

  list(input: ListMessagesInput): Page<Message> {
    const q = ListMessagesInput.parse(input);
    const session = this.session.get(q.sessionId) as { messageCount: number; lastSeq: number } | undefined;
    if (!session) throw notFound("session", q.sessionId);
    const total = session.messageCount;

    if (q.offset !== undefined) {
      // Seqs are 1..n without gaps (messages are only ever appended, and deleted only with their session),
      // so the offset maps straight to a seq; the index walk stays as the fallback should that ever change.
      const contiguous = session.lastSeq === total;
      const startSeq = contiguous
        ? q.offset < total ? q.offset + 1 : undefined
        : (this.seqAtOffset.get(q.sessionId, q.offset) as number | undefined);
      const rows = startSeq === undefined ? [] : this.forward(q.sessionId, startSeq - 1, q.limit);
      // Past the end, `nextCursor` points after the last message (a client polling it gets only new ones).
      return this.page(q.sessionId, rows, total, q.offset + rows.length < total, session.lastSeq);
    }
    if (q.around !== undefined) {
      const seq = this.byId.get(q.sessionId, q.around) as number | undefined;
      if (seq === undefined) throw notFound("message", q.around);
      // Centre on the message; near either end of the conversation, fill the page from the other side.
      const older = this.before.all(q.sessionId, seq, q.limit - 1) as MessageRow[];
      const newer = this.forward(q.sessionId, seq - 1, q.limit + 1);
      const newerCount = Math.min(newer.length, q.limit - Math.min(older.length, Math.floor((q.limit - 1) / 2)));
      const olderCount = Math.min(older.length, q.limit - newerCount);
      const rows = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, newerCount)];
      return this.page(q.sessionId, rows, total, newer.length > newerCount);
    }
    if (q.direction === "backward") {
      const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : Number.MAX_SAFE_INTEGER;
      const rows = (this.before.all(q.sessionId, bound, q.limit + 1) as MessageRow[]).reverse();
      const hasMore = rows.length > q.limit;
      return this.page(q.sessionId, hasMore ? rows.slice(1) : rows, total, hasMore, q.cursor !== undefined ? bound - 1 : 0);
    }
    const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : 0;
    const rows = this.forward(q.sessionId, bound, q.limit + 1);
    const hasMore = rows.length > q.limit;
    return this.page(q.sessionId, hasMore ? rows.slice(0, q.limit) : rows, total, hasMore, bound);
  }

  private forward(sessionId: string, afterSeq: number, limit: number): MessageRow[] {
    return this.after.all(sessionId, afterSeq, limit) as MessageRow[];
  }

  /**
   * `nextCursor` continues after the last item (never null, so a client can poll for new messages);
   * `prevCursor` continues before the first item, null at the start of the conversation.
   */
  private page(sessionId: string, rows: MessageRow[], total: number, hasMore: boolean, seqBeforeEmptyPage = 0): Page<Message> {
    const first = rows[0];
    const last = rows.at(-1);
    const hasOlder = first !== undefined && this.before.all(sessionId, first.seq, 1).length > 0;
    return {
      items: rows.map((row) => toMessage(row)),
      total,
      hasMore,
      nextCursor: encodeSeqCursor(last ? last.seq : seqBeforeEmptyPage),
      prevCursor: hasOlder && first ? encodeSeqCursor(first.seq) : null,
    };
  }
}
