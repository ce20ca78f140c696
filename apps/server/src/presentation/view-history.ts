import type { Message, Page } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { messageViewTable } from "../db/tables/message-views.ts";
import { sessionCounters } from "../db/tables/session-counters.ts";
import { toolResultAttachTable } from "../db/tables/tool-result-attach.ts";
import { badRequest, notFound } from "../errors/app-error.ts";
import { decodeSeqCursor, encodeSeqCursor } from "../messages/cursor.ts";
import { toMessage, type MessageRow } from "../messages/message-row.ts";

/** A message of the app's view, with the tool-result lines shown as part of it (raw lines, in order). */
export type ViewMessage = Message & { answers?: unknown[] };

export interface ViewPageInput {
  sessionId: string;
  limit: number;
  offset?: number;
  cursor?: string;
  direction?: "forward" | "backward";
}

/**
 * The app's default history: only the lines a person reads (`MessageView`, filled at ingest), in conversation
 * order. Offsets count shown messages (view numbers are 1..n, so an offset is a range read) and cursors are the
 * same `{seq}` cursors as the raw history, so every page costs what the first does.
 */
export class ViewHistoryService {
  private readonly sessions;
  private readonly views;
  private readonly attached;

  constructor(db: Database) {
    this.sessions = sessionCounters(db);
    this.views = messageViewTable(db);
    this.attached = toolResultAttachTable(db);
  }

  list(q: ViewPageInput): Page<ViewMessage> {
    const session = this.sessions.viewHead(q.sessionId);
    if (!session) throw notFound("session", q.sessionId);
    if (q.offset !== undefined && q.cursor !== undefined) throw badRequest("cursor", "use only one of offset and cursor");
    const total = session.viewCount;
    if (q.offset !== undefined) {
      const rows = this.views.byViewSeq(q.sessionId, q.offset, q.limit);
      return this.page(q.sessionId, rows, total, q.offset + rows.length < total, session.lastSeq);
    }
    if (q.direction === "backward") {
      const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : Number.MAX_SAFE_INTEGER;
      const rows = this.views.before(q.sessionId, bound, q.limit + 1).reverse();
      const hasMore = rows.length > q.limit;
      return this.page(q.sessionId, hasMore ? rows.slice(1) : rows, total, hasMore, Math.min(bound - 1, session.lastSeq));
    }
    const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : 0;
    const rows = this.views.after(q.sessionId, bound, q.limit + 1);
    const hasMore = rows.length > q.limit;
    return this.page(q.sessionId, hasMore ? rows.slice(0, q.limit) : rows, total, hasMore, Math.max(bound, session.lastSeq));
  }

  /**
   * `nextCursor` continues after the last item; on an empty page past the end it points after the session's last
   * stored line (never back to the start), so a client polling it gets only what is new.
   */
  private page(sessionId: string, rows: MessageRow[], total: number, hasMore: boolean, seqWhenEmpty: number): Page<ViewMessage> {
    const first = rows[0];
    const last = rows.at(-1);
    const answers = new Map<number, unknown[]>();
    if (first && last) {
      for (const a of this.attached.answers(sessionId, first.seq, last.seq)) {
        const list = answers.get(a.callSeq) ?? [];
        list.push(parse(a.content));
        answers.set(a.callSeq, list);
      }
    }
    return {
      items: rows.map((row): ViewMessage => {
        const message = toMessage(row);
        const answered = answers.get(row.seq);
        return answered ? { ...message, answers: answered } : message;
      }),
      total,
      hasMore,
      nextCursor: encodeSeqCursor(last ? last.seq : Math.max(0, seqWhenEmpty)),
      prevCursor: first && this.views.hasBefore(sessionId, first.seq) ? encodeSeqCursor(first.seq) : null,
    };
  }
}

function parse(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return content;
  }
}
