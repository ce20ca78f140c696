import { ListMessagesInput, type Message, type Page } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { messageTable } from "../db/tables/messages.ts";
import { sessionCounters } from "../db/tables/session-counters.ts";
import { notFound } from "../errors/app-error.ts";
import { decodeSeqCursor, encodeSeqCursor } from "./cursor.ts";
import { toMessage, type MessageRow } from "./message-row.ts";

/**
 * Paged history, always in conversation order (seq ascending). Every query walks the
 * (sessionId, seq) index, so the last page of a 100k-message session costs what the first does.
 */
export class HistoryService {
  private readonly messages;
  private readonly sessions;

  constructor(db: Database) {
    this.messages = messageTable(db);
    this.sessions = sessionCounters(db);
  }

  list(input: ListMessagesInput): Page<Message> {
    const q = ListMessagesInput.parse(input);
    const session = this.sessions.historyHead(q.sessionId);
    if (!session) throw notFound("session", q.sessionId);
    const total = session.messageCount;

    if (q.offset !== undefined) {
      // Seqs are 1..n without gaps (messages are only ever appended, and deleted only with their session),
      // so the offset maps straight to a seq; the index walk stays as the fallback should that ever change.
      const contiguous = session.lastSeq === total;
      const startSeq = contiguous ? (q.offset < total ? q.offset + 1 : undefined) : this.messages.seqAtOffset(q.sessionId, q.offset);
      const rows = startSeq === undefined ? [] : this.forward(q.sessionId, startSeq - 1, q.limit);
      // Past the end, `nextCursor` points after the last message (a client polling it gets only new ones).
      return this.page(q.sessionId, rows, total, q.offset + rows.length < total, session.lastSeq);
    }
    if (q.around !== undefined) {
      const seq = this.messages.seqOf(q.sessionId, q.around);
      if (seq === undefined) throw notFound("message", q.around);
      // Centre on the message; near either end of the conversation, fill the page from the other side.
      const older = this.messages.before(q.sessionId, seq, q.limit - 1);
      const newer = this.forward(q.sessionId, seq - 1, q.limit + 1);
      const newerCount = Math.min(newer.length, q.limit - Math.min(older.length, Math.floor((q.limit - 1) / 2)));
      const olderCount = Math.min(older.length, q.limit - newerCount);
      const rows = [...older.slice(0, olderCount).reverse(), ...newer.slice(0, newerCount)];
      return this.page(q.sessionId, rows, total, newer.length > newerCount);
    }
    if (q.direction === "backward") {
      const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : Number.MAX_SAFE_INTEGER;
      const rows = this.messages.before(q.sessionId, bound, q.limit + 1).reverse();
      const hasMore = rows.length > q.limit;
      return this.page(q.sessionId, hasMore ? rows.slice(1) : rows, total, hasMore, q.cursor !== undefined ? bound - 1 : 0);
    }
    const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : 0;
    const rows = this.forward(q.sessionId, bound, q.limit + 1);
    const hasMore = rows.length > q.limit;
    return this.page(q.sessionId, hasMore ? rows.slice(0, q.limit) : rows, total, hasMore, bound);
  }

  private forward(sessionId: string, afterSeq: number, limit: number): MessageRow[] {
    return this.messages.after(sessionId, afterSeq, limit);
  }

  /**
   * `nextCursor` continues after the last item (never null, so a client can poll for new messages);
   * `prevCursor` continues before the first item, null at the start of the conversation.
   */
  private page(sessionId: string, rows: MessageRow[], total: number, hasMore: boolean, seqBeforeEmptyPage = 0): Page<Message> {
    const first = rows[0];
    const last = rows.at(-1);
    const hasOlder = first !== undefined && this.messages.before(sessionId, first.seq, 1).length > 0;
    return {
      items: rows.map((row) => toMessage(row)),
      total,
      hasMore,
      nextCursor: encodeSeqCursor(last ? last.seq : seqBeforeEmptyPage),
      prevCursor: hasOlder && first ? encodeSeqCursor(first.seq) : null,
    };
  }
}
