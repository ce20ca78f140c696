import type { Database } from "../db/database.ts";
import { presentLine } from "./bubble.ts";

/**
 * Records, for each stored line, how the app's default history shows it (docs/presentation.md): a bubble of
 * its own (the next view number of its session, `MessageView`), part of an earlier bubble (a tool-result line
 * becomes the results of the assistant line that made the call, `ToolResultAttach`), or nothing. Runs inside
 * the ingest transaction (and the one-time data fix), so a page of the view is a range read.
 */
export class ViewIndexer {
  private readonly insertView;
  private readonly insertCall;
  private readonly findCall;
  private readonly attach;

  constructor(db: Database) {
    this.insertView = db.prepare(`INSERT INTO MessageView (sessionId, seq, viewSeq) VALUES (?, ?, ?)`);
    this.insertCall = db.prepare(`INSERT OR IGNORE INTO ToolCallIndex (sessionId, toolUseId, seq) VALUES (?, ?, ?)`);
    this.findCall = db.prepare(`SELECT seq FROM ToolCallIndex WHERE sessionId = ? AND toolUseId = ?`).pluck();
    this.attach = db.prepare(`INSERT OR IGNORE INTO ToolResultAttach (sessionId, callSeq, resultSeq) VALUES (?, ?, ?)`);
  }

  /** Indexes the line stored at `seq`; `viewCount` is the session's count so far. */
  index(sessionId: string, seq: number, value: unknown, viewCount: number): { viewCount: number; conversational: boolean } {
    const shown = presentLine(value);
    if (!shown) return { viewCount, conversational: false };
    const first = shown.toolResults[0];
    if (first && shown.text === "" && shown.toolCalls.length === 0) {
      // Only answers tool calls: shown with the call it answers, when that call is a line of this session.
      const callSeq = this.findCall.get(sessionId, first.toolUseId) as number | undefined;
      if (callSeq !== undefined) {
        this.attach.run(sessionId, callSeq, seq);
        return { viewCount, conversational: true };
      }
    }
    this.insertView.run(sessionId, seq, viewCount + 1);
    for (const call of shown.toolCalls) if (call.id) this.insertCall.run(sessionId, call.id, seq);
    return { viewCount: viewCount + 1, conversational: shown.conversational };
  }
}
