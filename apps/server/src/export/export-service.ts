import { setImmediate as nextTurn } from "node:timers/promises";
import type { ExportFormat } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { notFound } from "../errors/app-error.ts";
import { MarkdownRenderer } from "./markdown.ts";

/** Rows read per query: a 100k-message session is streamed, never held in memory. */
export const EXPORT_PAGE_SIZE = 500;

export const EXPORT_CONTENT_TYPE: Record<ExportFormat, string> = {
  jsonl: "application/x-ndjson; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
};

interface SessionHead {
  id: string;
  name: string | null;
  projectPath: string | null;
  createdAt: string;
  lastSeq: number;
}

/**
 * Streams a session out as JSONL (each stored line byte for byte, in seq order: what was ingested) or
 * as a Markdown transcript. Pages walk the (sessionId, seq) index by keyset.
 */
export class ExportService {
  private readonly session;
  private readonly page;

  constructor(db: Database) {
    this.session = db.prepare(`SELECT id, name, projectPath, createdAt, lastSeq FROM Session WHERE id = ?`);
    this.page = db.prepare(`SELECT seq, content FROM Message WHERE sessionId = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
  }

  /**
   * Checks the session at once (NOT_FOUND before a transport sends headers), then yields text chunks.
   * Messages appended while exporting are left out: the export ends at the session's last seq when called.
   */
  stream(sessionId: string, format: ExportFormat): AsyncIterable<string> {
    const session = this.session.get(sessionId) as SessionHead | undefined;
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

  private async *pages(session: SessionHead): AsyncGenerator<{ seq: number; content: string }[]> {
    let afterSeq = 0;
    for (;;) {
      const rows = this.page.all(session.id, afterSeq, session.lastSeq, EXPORT_PAGE_SIZE) as { seq: number; content: string }[];
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < EXPORT_PAGE_SIZE) return;
      afterSeq = rows.at(-1)!.seq;
      // Let other requests run between pages of a long export.
      await nextTurn();
    }
  }
}
