import { DeferFile, nameFromText, type FileState, type SessionMeta, type SessionTarget, type SyncEntry, type SyncSink } from "@ils/sync";
import type { Database } from "../db/database.ts";
import { retryBusy } from "../db/write-retry.ts";
import type { IngestService } from "../messages/ingest-service.ts";
import type { SessionService } from "../sessions/session-service.ts";

interface SyncFileRow {
  path: string;
  sessionId: string | null;
  size: number;
  mtimeMs: number;
  inode: string;
  offset: number;
  lines: number;
}

/**
 * The server's side of `@ils/sync`: file state in `SyncFile`, sessions through `SessionService`, every
 * message through `IngestService.appendMessages` (the single write path), metadata by prepared statements.
 */
export class SyncStore implements SyncSink {
  private readonly selectFiles;
  private readonly upsertFile;
  private readonly selectSessionExists;
  private readonly selectSessionMeta;
  private readonly selectHasMessage;
  private readonly updateMeta;
  private readonly setUsage;
  private readonly recountUsage;
  private readonly linkParent;
  private readonly settleLastActive;
  private readonly selectUnlinkedRun;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly ingest: IngestService,
  ) {
    this.selectFiles = db.prepare(`SELECT path, sessionId, size, mtimeMs, inode, offset, lines FROM SyncFile`);
    this.upsertFile = db.prepare(
      `INSERT INTO SyncFile (path, sessionId, size, mtimeMs, inode, offset, lines, updatedAt)
       VALUES (@path, @sessionId, @size, @mtimeMs, @inode, @offset, @lines, @updatedAt)
       ON CONFLICT (path) DO UPDATE SET sessionId = excluded.sessionId, size = excluded.size, mtimeMs = excluded.mtimeMs,
         inode = excluded.inode, offset = excluded.offset, lines = excluded.lines, updatedAt = excluded.updatedAt`,
    );
    this.selectSessionExists = db.prepare(`SELECT 1 FROM Session WHERE id = ?`).pluck();
    this.selectSessionMeta = db.prepare(`SELECT name, source, parentSessionId FROM Session WHERE id = ?`);
    this.selectHasMessage = db.prepare(`SELECT 1 FROM Message WHERE sessionId = ? AND uuid = ?`).pluck();
    this.updateMeta = db.prepare(
      `UPDATE Session SET
         name = coalesce(@name, name),
         projectPath = coalesce(projectPath, @projectPath),
         projectName = coalesce(projectName, @projectName),
         gitBranch = coalesce(@gitBranch, gitBranch),
         model = coalesce(@model, model),
         claudeVersion = coalesce(@claudeVersion, claudeVersion),
         createdAt = CASE WHEN @createdAt IS NOT NULL AND source = 'external' AND @createdAt < createdAt THEN @createdAt ELSE createdAt END
       WHERE id = @id`,
    );
    this.setUsage = db.prepare(
      `UPDATE Session SET inputTokens = @inputTokens, outputTokens = @outputTokens,
         cacheReadInputTokens = @cacheReadInputTokens, cacheCreationInputTokens = @cacheCreationInputTokens
       WHERE id = @id`,
    );
    // An incremental read cannot know earlier lines of a split message: recount from the stored lines,
    // taking the last line (highest seq) of each message id. Filters on the raw line's type, as the
    // importer did (ingest may classify an odd-shaped assistant line as unknown).
    this.recountUsage = db.prepare(
      `SELECT coalesce(sum(i), 0) AS inputTokens, coalesce(sum(o), 0) AS outputTokens,
              coalesce(sum(cr), 0) AS cacheReadInputTokens, coalesce(sum(cc), 0) AS cacheCreationInputTokens
       FROM (
         SELECT json_extract(content, '$.message.usage.input_tokens') AS i,
                json_extract(content, '$.message.usage.output_tokens') AS o,
                json_extract(content, '$.message.usage.cache_read_input_tokens') AS cr,
                json_extract(content, '$.message.usage.cache_creation_input_tokens') AS cc,
                row_number() OVER (PARTITION BY coalesce(json_extract(content, '$.message.id'), id) ORDER BY seq DESC) AS rn
         FROM Message WHERE sessionId = ? AND json_valid(content) AND json_extract(content, '$.type') = 'assistant'
       ) WHERE rn = 1`,
    );
    // Ingest dates lines without a timestamp (last-prompt, summary, ...) "now"; an imported session's
    // activity is its newest dated line, so it sorts by when it was used, not when it was imported.
    this.settleLastActive = db.prepare(
      `UPDATE Session SET lastActiveAt = coalesce((SELECT max(timestamp) FROM Message WHERE sessionId = @id), createdAt) WHERE id = @id`,
    );
    this.selectUnlinkedRun = db.prepare(`SELECT 1 FROM Session WHERE status = 'active' AND claudeSessionId IS NULL LIMIT 1`).pluck();
    this.linkParent = db.prepare(`UPDATE Session SET parentSessionId = ? WHERE id = ? AND parentSessionId IS NULL`);
  }

  fileStates(): Map<string, FileState> {
    const states = new Map<string, FileState>();
    for (const row of this.selectFiles.iterate() as Iterable<SyncFileRow>) {
      states.set(row.path, { size: row.size, mtimeMs: row.mtimeMs, inode: row.inode, offset: row.offset, lines: row.lines, sessionId: row.sessionId });
    }
    return states;
  }

  saveFileState(relPath: string, state: FileState): void {
    const row = { path: relPath, ...state, updatedAt: new Date().toISOString() };
    retryBusy(this.db, () => this.upsertFile.run(row));
  }

  sessionExists(sessionId: string): boolean {
    return this.selectSessionExists.get(sessionId) !== undefined;
  }

  resolveSession(target: SessionTarget): { sessionId: string; created: boolean } {
    // A session the server ran has claudeSessionId from its system/init: its transcript lands there.
    const existing = this.sessions.findByClaudeSessionId(target.claudeSessionId);
    if (existing) return { sessionId: existing.id, created: false };
    // A run the server just started learns its Claude id from system/init; until then a fresh transcript
    // may be that run's own. Wait (the next scan retries) instead of making a duplicate external session.
    if (Date.now() - target.file.mtimeMs < RECENT_MS && this.selectUnlinkedRun.get() !== undefined) {
      throw new DeferFile("a server run has not linked its Claude session yet");
    }
    let parentSessionId: string | null = null;
    if (target.parentClaudeSessionId) {
      const parent = this.sessions.findByClaudeSessionId(target.parentClaudeSessionId);
      if (parent) parentSessionId = parent.id;
      else if (target.parentFileExists) parentSessionId = this.createExternal(target.parentClaudeSessionId, target.meta, null).id;
    }
    return { sessionId: this.createExternal(target.claudeSessionId, target.meta, parentSessionId).id, created: true };
  }

  append(sessionId: string, entries: SyncEntry[]): number {
    return this.ingest.appendMessages(sessionId, entries).length;
  }

  applyMeta(sessionId: string, meta: SessionMeta, fromStart: boolean, target: SessionTarget): void {
    const row = this.selectSessionMeta.get(sessionId) as { name: string | null; source: string; parentSessionId: string | null } | undefined;
    if (!row) return;
    const apply = this.db.transaction(() => {
      this.updateMeta.run({
        id: sessionId,
        name: this.nameFor(sessionId, meta, row.name),
        projectPath: meta.cwd ?? null,
        projectName: meta.cwd ? projectName(meta.cwd) : null,
        gitBranch: meta.gitBranch ?? null,
        model: meta.model ?? null,
        claudeVersion: meta.claudeVersion ?? null,
        createdAt: isoOrNull(meta.firstTimestamp),
      });
      // A server-run session gets its totals from `result` lines; only imported sessions count transcript usage.
      if (row.source === "external") {
        if (fromStart) this.setUsage.run({ id: sessionId, ...meta.usage });
        else if (meta.sawUsage) this.setUsage.run({ id: sessionId, ...(this.recountUsage.get(sessionId) as object) });
        this.settleLastActive.run({ id: sessionId });
      }
      // A sub-agent seen before its parent's file existed is linked once the parent shows up.
      if (row.parentSessionId === null && target.parentClaudeSessionId) {
        const parent = this.sessions.findByClaudeSessionId(target.parentClaudeSessionId);
        if (parent && parent.id !== sessionId) this.linkParent.run(parent.id, sessionId);
      }
    });
    retryBusy(this.db, () => apply.immediate());
  }

  /** Custom title (always wins: the user set it) > a summary of this session > the first typed prompt. */
  private nameFor(sessionId: string, meta: SessionMeta, current: string | null): string | null {
    if (meta.customTitle) return nameFromText(meta.customTitle, 200);
    if (current) return null;
    const own = meta.summaries.findLast((s) => s.leafUuid !== undefined && this.selectHasMessage.get(sessionId, s.leafUuid) !== undefined);
    const summary = own ?? meta.summaries.at(-1);
    if (summary) return nameFromText(summary.text, 200);
    return meta.firstPrompt ? nameFromText(meta.firstPrompt) : null;
  }

  private createExternal(claudeSessionId: string, meta: SessionMeta, parentSessionId: string | null) {
    const createdAt = isoOrNull(meta.firstTimestamp) ?? undefined;
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
