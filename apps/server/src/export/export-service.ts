import { setImmediate as nextTurn } from "node:timers/promises";
import type { ExportFormat } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { messageTable, type MessageContent } from "../db/tables/messages.ts";
import { sessionCounters, type ExportHead } from "../db/tables/session-counters.ts";
import { notFound } from "../errors/app-error.ts";
import { MarkdownRenderer } from "./markdown.ts";

/** Rows read per query: a 100k-message session is streamed, never held in memory. */
export const EXPORT_PAGE_SIZE = 500;

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  jsonl: "application/x-ndjson; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
};

type SessionHead = ExportHead;

/**
 * Streams a session out as JSONL (each stored line byte for byte, in seq order: what was ingested) or
 * as a Markdown transcript. Pages walk the (sessionId, seq) index by keyset.
 */
export class ExportService {
  private readonly sessions;
  private readonly messages;

  constructor(db: Database) {
    this.sessions = sessionCounters(db);
    this.messages = messageTable(db);
  }

  /**
   * Checks the session at once (NOT_FOUND before a transport sends headers), then yields text chunks.
   * Messages appended while exporting are left out: the export ends at the session's last seq when called.
   */
  stream(sessionId: string, format: ExportFormat): AsyncIterable<string> {
    const session = this.sessions.exportHead(sessionId);
    if (!session) throw notFound("session", sessionId);
    return format === "jsonl" ? this.jsonl(session) : this.markdown(session);
  }

  private async *jsonl(session: SessionHead): AsyncGenerator<string> {
    for await (const rows of this.pages(session)) {
      yield rows.map((row) => row.content + "\n").join("");
    }
  }

  private async *markdown(session: SessionHead): AsyncGenerator<string> {
    const renderer = new MarkdownRenderer();
    yield renderer.header(session);
    for await (const rows of this.pages(session)) {
      const text = rows.map((row) => renderer.message(row.content)).join("");
      if (text) yield text;
    }
  }

  private async *pages(session: SessionHead): AsyncGenerator<MessageContent[]> {
    let afterSeq = 0;
    for (;;) {
      const rows = this.messages.contentPage(session.id, afterSeq, session.lastSeq, EXPORT_PAGE_SIZE);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < EXPORT_PAGE_SIZE) return;
      afterSeq = rows.at(-1)!.seq;
      // Let other requests run between pages of a long export.
      await nextTurn();
    }
  }
}
