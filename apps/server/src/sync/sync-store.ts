import { readFileSync } from "node:fs";
import {
  DeferFile,
  nameFromText,
  type FileState,
  type SessionMeta,
  type SessionTarget,
  type SyncEntry,
  type SyncSink,
  type TokenUsage,
} from "@ils/sync";
import type { Database } from "../db/database.ts";
import { messageTable } from "../db/tables/messages.ts";
import { hasUnlinkedRun, sessionExists, sessionMetaTable } from "../db/tables/sessions.ts";
import { syncFileTable } from "../db/tables/sync-files.ts";
import { retryBusy } from "../db/write-retry.ts";
import type { IngestService } from "../messages/ingest-service.ts";
import { estimateCost } from "../pricing/price-table.ts";
import type { SessionService } from "../sessions/session-service.ts";

/**
 * The server's side of `@ils/sync`: file state in `SyncFile` (db/tables/sync-files.ts), sessions through
 * `SessionService`, every message through `IngestService.appendMessages` (the single write path), metadata
 * through db/tables/sessions.ts `sessionMetaTable`.
 */
export class SyncStore implements SyncSink {
  private readonly messages;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly ingest: IngestService,
  ) {
    this.messages = messageTable(db);
  }

  fileStates(): Map<string, FileState> {
    const states = new Map<string, FileState>();
    for (const row of syncFileTable(this.db).all()) {
      states.set(row.path, {
        size: row.size,
        mtimeMs: row.mtimeMs,
        inode: row.inode,
        offset: row.offset,
        lines: row.lines,
        sessionId: row.sessionId,
      });
    }
    return states;
  }

  saveFileState(relPath: string, state: FileState): void {
    syncFileTable(this.db).save({ path: relPath, ...state, updatedAt: new Date().toISOString() });
  }

  sessionExists(sessionId: string): boolean {
    return sessionExists(this.db, sessionId);
  }

  resolveSession(target: SessionTarget): { sessionId: string; created: boolean } {
    // A session the server ran has claudeSessionId from its system/init: its transcript lands there.
    const existing = this.sessions.findByClaudeSessionId(target.claudeSessionId);
    if (existing) return { sessionId: existing.id, created: false };
    // A run the server just started learns its Claude id from system/init; until then a fresh transcript
    // may be that run's own. Wait (the next scan retries) instead of making a duplicate external session.
    if (Date.now() - target.file.mtimeMs < RECENT_MS && hasUnlinkedRun(this.db)) {
      throw new DeferFile("a server run has not linked its Claude session yet");
    }
    let parentSessionId: string | null = null;
    if (target.parentClaudeSessionId) {
      const parent = this.sessions.findByClaudeSessionId(target.parentClaudeSessionId);
      if (parent) parentSessionId = parent.id;
      else if (target.parentFileExists) parentSessionId = this.createExternal(target.parentClaudeSessionId, target.meta, null).id;
    }
    const created = this.createExternal(target.claudeSessionId, target.meta, parentSessionId, target);
    if (target.file.kind === "subagent" && target.file.agentId !== undefined) {
      sessionMetaTable(this.db).setAgent(created.id, target.file.agentId, metaToolUseId(target.file.path));
    }
    return { sessionId: created.id, created: true };
  }

  append(sessionId: string, entries: SyncEntry[]): number {
    return this.ingest.appendMessages(sessionId, entries).length;
  }

  applyMeta(sessionId: string, meta: SessionMeta, fromStart: boolean, target: SessionTarget): void {
    const sessionMeta = sessionMetaTable(this.db);
    const row = sessionMeta.origin(sessionId);
    if (!row) return;
    const apply = this.db.transaction(() => {
      sessionMeta.applyMeta({
        id: sessionId,
        projectPath: meta.cwd ?? null,
        projectName: meta.cwd ? projectName(meta.cwd) : null,
        gitBranch: meta.gitBranch ?? null,
        model: meta.model ?? null,
        claudeVersion: meta.claudeVersion ?? null,
        createdAt: isoOrNull(meta.firstTimestamp),
      });
      sessionMeta.setTitles({
        id: sessionId,
        customTitle: meta.customTitle ? nameFromText(meta.customTitle, 200) : null,
        aiTitle: meta.aiTitle ? nameFromText(meta.aiTitle, 200) : null,
        summaryTitle: this.ownSummary(sessionId, meta),
        firstCommand: meta.firstCommand ? nameFromText(meta.firstCommand) : null,
      });
      // A server-run session gets its totals (and its cost: the CLI's own total_cost_usd) from `result` lines;
      // only imported sessions count transcript usage and estimate the cost from it.
      if (row.source === "external") {
        const byModel = fromStart ? meta.usageByModel : meta.sawUsage ? this.recount(sessionId) : undefined;
        if (byModel) {
          sessionMeta.setUsage({ id: sessionId, ...sumUsage(byModel) });
          const cost = estimateCost(byModel);
          sessionMeta.setEstimatedCost({ id: sessionId, usd: cost.usd, unpriced: cost.unpriced.length ? cost.unpriced.join(",") : null });
        }
        sessionMeta.settleLastActive(sessionId);
      }
      // A sub-agent seen before its parent's file existed is linked once the parent shows up.
      if (row.parentSessionId === null && target.parentClaudeSessionId) {
        const parent = this.sessions.findByClaudeSessionId(target.parentClaudeSessionId);
        if (parent && parent.id !== sessionId) sessionMeta.linkParent(sessionId, parent.id);
      }
    });
    retryBusy(this.db, () => apply.immediate());
  }

  /**
   * The last summary whose `leafUuid` is a line of this session. Older transcripts start with summaries of
   * *earlier* sessions (their leaf is in another file): those never name this one.
   */
  private ownSummary(sessionId: string, meta: SessionMeta): string | null {
    const own = meta.summaries.findLast((s) => s.leafUuid !== undefined && this.messages.hasUuid(sessionId, s.leafUuid));
    return own ? nameFromText(own.text, 200) : null;
  }

  /** Usage per model from the stored lines, the last line of each message id (an incremental read sees only part of one). */
  private recount(sessionId: string): Map<string, TokenUsage> {
    return new Map(this.messages.recountUsage(sessionId).map(({ model, ...usage }) => [model, usage]));
  }

  private createExternal(claudeSessionId: string, meta: SessionMeta, parentSessionId: string | null, target?: SessionTarget) {
    // A transcript without any dated line (only summaries, snapshots) is dated by its file, never by the import.
    const createdAt = isoOrNull(meta.firstTimestamp) ?? (target ? new Date(target.file.mtimeMs).toISOString() : undefined);
    return this.sessions.insert({
      source: "external",
      status: "completed",
      claudeSessionId,
      parentSessionId,
      projectPath: meta.cwd ?? null,
      projectName: meta.cwd ? projectName(meta.cwd) : null,
      ...(createdAt ? { createdAt, lastActiveAt: createdAt } : {}),
    });
  }
}

function sumUsage(byModel: Map<string, TokenUsage>): Omit<TokenUsage, "cacheCreation1hInputTokens"> {
  const total = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 };
  for (const u of byModel.values()) {
    total.inputTokens += u.inputTokens;
    total.outputTokens += u.outputTokens;
    total.cacheReadInputTokens += u.cacheReadInputTokens;
    total.cacheCreationInputTokens += u.cacheCreationInputTokens;
  }
  return total;
}

/** `agent-<id>.meta.json` beside a 2.1.x sub-agent transcript names the parent's tool_use (`toolUseId`). */
function metaToolUseId(transcriptPath: string): string | null {
  try {
    const meta = JSON.parse(readFileSync(transcriptPath.replace(/\.jsonl$/, ".meta.json"), "utf8")) as { toolUseId?: unknown };
    return typeof meta.toolUseId === "string" ? meta.toolUseId : null;
  } catch {
    return null; // older layouts have no meta file
  }
}

/** Files older than this cannot belong to a run that is still waiting for its init line. */
const RECENT_MS = 60_000;

/** Last path segment of a POSIX or Windows cwd (folder names are never decoded). */
function projectName(cwd: string): string {
  const parts = cwd.split(/[\\/]+/).filter(Boolean);
  return parts.at(-1) ?? cwd;
}

function isoOrNull(value: string | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
