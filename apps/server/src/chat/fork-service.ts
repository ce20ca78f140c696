import { ForkInput, type Session } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { messageTable } from "../db/tables/messages.ts";
import { sessionCounters } from "../db/tables/session-counters.ts";
import { retryBusy } from "../db/write-retry.ts";
import { notFound } from "../errors/app-error.ts";
import type { IngestService } from "../messages/ingest-service.ts";
import type { SessionService } from "../sessions/session-service.ts";
import { toSession } from "../sessions/session-row.ts";

const COPY_BATCH = 500;

/**
 * A fork is a new ILS session holding a copy of the parent's history (up to a message, inclusive). Its first
 * run resumes the parent's Claude session with `--fork-session` (and `--resume-session-at` for a fork at a
 * message), so Claude gives it a Claude session of its own holding the conversation only up to that point; the
 * parent is not touched.
 */
export class ForkService {
  private readonly messages;
  private readonly counters;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly ingest: IngestService,
  ) {
    this.messages = messageTable(db);
    this.counters = sessionCounters(db);
  }

  /** The new session and its copy are written in one transaction: a failed copy leaves no half fork. */
  fork(input: { sessionId: string; atMessageId?: string | undefined }): Session {
    const parsed = ForkInput.parse(input);
    const fork = this.db.transaction(() => this.forkInTransaction(parsed.sessionId, parsed.atMessageId));
    return retryBusy(this.db, () => fork.immediate());
  }

  private forkInTransaction(sessionId: string, atMessageId: string | undefined): Session {
    const parent = this.sessions.getRow(sessionId);
    let lastSeq = parent.lastSeq;
    if (atMessageId !== undefined) {
      const seq = this.messages.seqOf(parent.id, atMessageId);
      if (seq === undefined) throw notFound(`message in session ${parent.id}:`, atMessageId);
      lastSeq = seq;
    }
    // The fork runs where the parent ran: that directory must pass the roots check now (an imported parent's never did).
    const projectPath = this.sessions.forkDirectory(parent);
    const child = this.sessions.insert({
      source: "ils",
      status: "completed",
      name: `${parent.name ?? parent.firstPrompt?.slice(0, 80) ?? "session"} (fork)`,
      projectPath,
      projectName: parent.projectName,
      model: parent.model,
      runModel: parent.runModel,
      permissionMode: parent.permissionMode,
      systemPrompt: parent.systemPrompt,
      maxTurns: parent.maxTurns,
      maxBudgetUsd: parent.maxBudgetUsd,
      forkedFromId: parent.id,
      forkSourceClaudeId: parent.claudeSessionId,
      // Claude copies its conversation only up to the last assistant message of the copy (--resume-session-at).
      forkAtUuid: atMessageId !== undefined ? (this.messages.lastAssistantUuid(parent.id, lastSeq) ?? null) : null,
    });
    // Stored content is the raw line (uuids included): dedupe is per session, so the copies do not collide.
    for (let after = 0; ;) {
      const rows = this.messages.contentPage(parent.id, after, lastSeq, COPY_BATCH);
      if (rows.length === 0) break;
      this.ingest.appendMessages(
        child.id,
        rows.map((r) => ({ raw: r.content })),
      );
      after = rows.at(-1)!.seq;
    }
    // Copied init lines would set the model the parent's first run reported; the fork keeps the parent's current one.
    this.counters.setModel(child.id, parent.model);
    return toSession(this.sessions.getRow(child.id));
  }
}
