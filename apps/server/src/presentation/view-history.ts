import type { Message, Page } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { badRequest, notFound } from "../errors/app-error.ts";
import { decodeSeqCursor, encodeSeqCursor } from "../messages/cursor.ts";
import { toMessage, type MessageRow } from "../messages/message-row.ts";

const COLUMNS = `m.id, m.sessionId, m.seq, m.type, m.subtype, m.role, m.uuid, m.content, m.timestamp, m.createdAt`;

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
  private readonly session;
  private readonly byView;
  private readonly after;
  private readonly before;
  private readonly hasBefore;
  private readonly answers;

  constructor(db: Database) {
    this.session = db.prepare(`SELECT viewCount, lastSeq FROM Session WHERE id = ?`);
    const join = `FROM MessageView v JOIN Message m ON m.sessionId = v.sessionId AND m.seq = v.seq`;
    this.byView = db.prepare(`SELECT ${COLUMNS} ${join} WHERE v.sessionId = ? AND v.viewSeq > ? ORDER BY v.viewSeq LIMIT ?`);
    this.after = db.prepare(`SELECT ${COLUMNS} ${join} WHERE v.sessionId = ? AND v.seq > ? ORDER BY v.seq ASC LIMIT ?`);
    this.before = db.prepare(`SELECT ${COLUMNS} ${join} WHERE v.sessionId = ? AND v.seq < ? ORDER BY v.seq DESC LIMIT ?`);
    this.hasBefore = db.prepare(`SELECT 1 FROM MessageView WHERE sessionId = ? AND seq < ? LIMIT 1`).pluck();
    // The tool results answering the calls of a page: one range read of the page's seqs.
    this.answers = db.prepare(
      `SELECT a.callSeq AS callSeq, m.content AS content FROM ToolResultAttach a
       JOIN Message m ON m.sessionId = a.sessionId AND m.seq = a.resultSeq
       WHERE a.sessionId = ? AND a.callSeq BETWEEN ? AND ? ORDER BY a.callSeq, a.resultSeq`,
    );
  }

  list(q: ViewPageInput): Page<ViewMessage> {
    const session = this.session.get(q.sessionId) as { viewCount: number; lastSeq: number } | undefined;
    if (!session) throw notFound("session", q.sessionId);
    if (q.offset !== undefined && q.cursor !== undefined) throw badRequest("cursor", "use only one of offset and cursor");
    const total = session.viewCount;
    if (q.offset !== undefined) {
      const rows = this.byView.all(q.sessionId, q.offset, q.limit) as MessageRow[];
      return this.page(q.sessionId, rows, total, q.offset + rows.length < total, session.lastSeq);
    }
    if (q.direction === "backward") {
      const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : Number.MAX_SAFE_INTEGER;
      const rows = (this.before.all(q.sessionId, bound, q.limit + 1) as MessageRow[]).reverse();
      const hasMore = rows.length > q.limit;
      return this.page(q.sessionId, hasMore ? rows.slice(1) : rows, total, hasMore, Math.min(bound - 1, session.lastSeq));
    }
    const bound = q.cursor !== undefined ? decodeSeqCursor(q.cursor) : 0;
    const rows = this.after.all(q.sessionId, bound, q.limit + 1) as MessageRow[];
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
      for (const a of this.answers.iterate(sessionId, first.seq, last.seq) as Iterable<{ callSeq: number; content: string }>) {
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
      prevCursor: first && this.hasBefore.get(sessionId, first.seq) !== undefined ? encodeSeqCursor(first.seq) : null,
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
