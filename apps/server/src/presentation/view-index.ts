import type { Database } from "../db/database.ts";
import { messageViewTable } from "../db/tables/message-views.ts";
import { toolCallIndexTable } from "../db/tables/tool-call-index.ts";
import { toolResultAttachTable } from "../db/tables/tool-result-attach.ts";
import { presentLine } from "./bubble.ts";

/**
 * Records, for each stored line, how the app's default history shows it (docs/presentation.md): a bubble of
 * its own (the next view number of its session, `MessageView`), part of an earlier bubble (a tool-result line
 * becomes the results of the assistant line that made the call, `ToolResultAttach`), or nothing. Runs inside
 * the ingest transaction (and the one-time data fix), so a page of the view is a range read.
 */
export class ViewIndexer {
  private readonly views;
  private readonly calls;
  private readonly attached;

  constructor(db: Database) {
    this.views = messageViewTable(db);
    this.calls = toolCallIndexTable(db);
    this.attached = toolResultAttachTable(db);
  }

  /** Indexes the line stored at `seq`; `viewCount` is the session's count so far. */
  index(sessionId: string, seq: number, value: unknown, viewCount: number): { viewCount: number; conversational: boolean } {
    const shown = presentLine(value);
    if (!shown) return { viewCount, conversational: false };
    const first = shown.toolResults[0];
    if (first && shown.text === "" && shown.toolCalls.length === 0) {
      // Only answers tool calls: shown with the call it answers, when that call is a line of this session.
      const callSeq = this.calls.findSeq(sessionId, first.toolUseId);
      if (callSeq !== undefined) {
        this.attached.insert(sessionId, callSeq, seq);
        return { viewCount, conversational: true };
      }
    }
    this.views.insert(sessionId, seq, viewCount + 1);
    for (const call of shown.toolCalls) if (call.id) this.calls.insert(sessionId, call.id, seq);
    return { viewCount: viewCount + 1, conversational: shown.conversational };
  }
}
