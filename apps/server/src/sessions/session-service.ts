import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import {
  CreateSessionInput,
  ListSessionsInput,
  type Page,
  type Session,
  type SessionStatus,
} from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { retryBusy } from "../db/write-retry.ts";
import { badRequest, notFound } from "../errors/app-error.ts";
import { decodeCursor, encodeCursor } from "../messages/cursor.ts";
import type { ProjectDirectories } from "../projects/project-path.ts";
import type { ProjectService } from "../projects/project-service.ts";
import { LISTED_SESSION, SESSION_COLUMNS, toSession, type SessionRow } from "./session-row.ts";

export interface NewSession {
  name?: string | null;
  projectPath?: string | null;
  projectName?: string | null;
  model?: string | null;
  permissionMode?: string;
  source?: "ils" | "external";
  status?: SessionStatus;
  claudeSessionId?: string | null;
  forkedFromId?: string | null;
  forkSourceClaudeId?: string | null;
  parentSessionId?: string | null;
  firstPrompt?: string | null;
  /** Run settings (see the migration `chat_runs`): used on every run unless the run says otherwise. */
  runModel?: string | null;
  systemPrompt?: string | null;
  maxTurns?: number | null;
  maxBudgetUsd?: number | null;
  forkAtUuid?: string | null;
  createdAt?: string;
  lastActiveAt?: string;
}

/**
 * Session records: create, read, list (newest activity first), rename, delete. A session a user creates gets its
 * working directory through the roots check (ProjectDirectories), stored as the real path.
 */
export class SessionService {
  constructor(
    private readonly db: Database,
    private readonly directories: ProjectDirectories,
    private readonly projects: ProjectService,
  ) {}

  /** `id`: the app may name a session the server never saw (chat creates it on the fly). */
  create(input: CreateSessionInput, id?: string): Session {
    const parsed = CreateSessionInput.parse(input);
    const projectPath = this.projectPathOf(parsed);
    return toSession(
      this.insert({
        ...(id !== undefined ? { id: id.toLowerCase() } : {}),
        name: parsed.name ?? null,
        projectPath,
        projectName: projectPath ? basename(projectPath) : null,
        model: parsed.model ?? null,
        runModel: parsed.model ?? null,
        permissionMode: parsed.permissionMode ?? "default",
        systemPrompt: parsed.systemPrompt ?? null,
        maxTurns: parsed.maxTurns ?? null,
        maxBudgetUsd: parsed.maxBudgetUSD ?? null,
        source: "ils",
      }),
    );
  }

  /** The real directory a run in this session uses, checked now (imported cwds never were). */
  runDirectory(session: SessionRow): string {
    return this.directories.forRun(session.projectPath);
  }

  /** The checked real path of the parent's directory, for a fork (null: the parent has none). */
  forkDirectory(parent: SessionRow): string | null {
    return parent.projectPath === null ? null : this.directories.resolve(parent.projectPath, "projectPath");
  }

  private projectPathOf(input: CreateSessionInput): string | null {
    if (input.projectPath !== undefined) return this.directories.resolve(input.projectPath, "projectPath");
    if (input.projectId !== undefined) return this.projects.directoryOf(input.projectId);
    return null;
  }

  /** Inserts a row as given; for services (fork, sync) that set fields users cannot. */
  insert(fields: NewSession & { id?: string }): SessionRow {
    const now = new Date().toISOString();
    const row = {
      id: fields.id ?? randomUUID(),
      claudeSessionId: fields.claudeSessionId ?? null,
      name: fields.name ?? null,
      projectPath: fields.projectPath ?? null,
      projectName: fields.projectName ?? (fields.projectPath ? basename(fields.projectPath) : null),
      model: fields.model ?? null,
      permissionMode: fields.permissionMode ?? "default",
      status: fields.status ?? "completed",
      source: fields.source ?? "ils",
      forkedFromId: fields.forkedFromId ?? null,
      forkSourceClaudeId: fields.forkSourceClaudeId ?? null,
      parentSessionId: fields.parentSessionId ?? null,
      firstPrompt: fields.firstPrompt ?? null,
      runModel: fields.runModel ?? null,
      systemPrompt: fields.systemPrompt ?? null,
      maxTurns: fields.maxTurns ?? null,
      maxBudgetUsd: fields.maxBudgetUsd ?? null,
      forkAtUuid: fields.forkAtUuid ?? null,
      createdAt: fields.createdAt ?? now,
      lastActiveAt: fields.lastActiveAt ?? fields.createdAt ?? now,
    };
    const insert = this.db.prepare(
      `INSERT INTO Session (id, claudeSessionId, name, projectPath, projectName, model, permissionMode, status, source,
           forkedFromId, forkSourceClaudeId, parentSessionId, firstPrompt, runModel, systemPrompt, maxTurns, maxBudgetUsd,
           forkAtUuid, createdAt, lastActiveAt)
         VALUES (@id, @claudeSessionId, @name, @projectPath, @projectName, @model, @permissionMode, @status, @source,
           @forkedFromId, @forkSourceClaudeId, @parentSessionId, @firstPrompt, @runModel, @systemPrompt, @maxTurns, @maxBudgetUsd,
           @forkAtUuid, @createdAt, @lastActiveAt)`,
    );
    retryBusy(this.db, () => insert.run(row));
    return this.getRow(row.id);
  }

  get(id: string): Session {
    return toSession(this.getRow(id));
  }

  getRow(id: string): SessionRow {
    const row = this.findRow(id);
    if (!row) throw notFound("session", id);
    return row;
  }

  findRow(id: string): SessionRow | undefined {
    return this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM Session WHERE id = ?`).get(id.toLowerCase()) as SessionRow | undefined;
  }

  findByClaudeSessionId(claudeSessionId: string): SessionRow | undefined {
    return this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM Session WHERE claudeSessionId = ?`).get(claudeSessionId) as SessionRow | undefined;
  }

  /**
   * Newest activity first. Offset paging for the iOS app's `page`, keyset cursors for everyone else:
   * the cursor holds the last row's (lastActiveAt, id), so a session moving to the top does not shift pages.
   */
  list(input: ListSessionsInput): Page<Session> {
    const parsed = ListSessionsInput.parse(input);
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (parsed.projectPath !== undefined) {
      where.push("projectPath = @projectPath");
      params.projectPath = parsed.projectPath;
    }
    if (parsed.projectName !== undefined) {
      where.push("projectName = @projectName");
      params.projectName = parsed.projectName;
    }
    if (parsed.source !== undefined) {
      where.push("source = @source");
      params.source = parsed.source;
    }
    // What is a conversation (docs/presentation.md): sub-agents and imported files without one are not listed.
    if (parsed.include !== "all") where.push(LISTED_SESSION);
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const total = (this.db.prepare(`SELECT count(*) AS n FROM Session ${filter}`).get(params) as { n: number }).n;

    const pageWhere = [...where];
    if (parsed.cursor !== undefined) {
      const after = decodeSessionCursor(parsed.cursor);
      pageWhere.push("(lastActiveAt < @afterAt OR (lastActiveAt = @afterAt AND id < @afterId))");
      params.afterAt = after.at;
      params.afterId = after.id;
    }
    const rows = this.db
      .prepare(
        `SELECT ${SESSION_COLUMNS} FROM Session ${pageWhere.length ? `WHERE ${pageWhere.join(" AND ")}` : ""}
         ORDER BY lastActiveAt DESC, id DESC LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: parsed.limit + 1, offset: parsed.offset ?? 0 }) as SessionRow[];
    const hasMore = rows.length > parsed.limit;
    const items = rows.slice(0, parsed.limit);
    const last = items.at(-1);
    return {
      items: items.map(toSession),
      total,
      hasMore,
      nextCursor: hasMore && last ? encodeCursor({ at: last.lastActiveAt, id: last.id }) : null,
      prevCursor: null,
    };
  }

  /** The sub-agent sessions a session started, oldest first (each linked to its tool_use where the files allow). */
  subagents(id: string): Session[] {
    const parent = this.getRow(id);
    return (
      this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM Session WHERE parentSessionId = ? ORDER BY createdAt, id`).all(parent.id) as SessionRow[]
    ).map(toSession);
  }

  rename(id: string, name: string): Session {
    const update = this.db.prepare(`UPDATE Session SET name = ? WHERE id = ?`);
    const result = retryBusy(this.db, () => update.run(name, id.toLowerCase()));
    if (result.changes === 0) throw notFound("session", id);
    return this.get(id);
  }

  delete(id: string): void {
    const remove = this.db.prepare(`DELETE FROM Session WHERE id = ?`);
    const result = retryBusy(this.db, () => remove.run(id.toLowerCase()));
    if (result.changes === 0) throw notFound("session", id);
  }

  setStatus(id: string, status: SessionStatus, lastError: string | null = null): void {
    const update = this.db.prepare(`UPDATE Session SET status = ?, lastError = ? WHERE id = ?`);
    retryBusy(this.db, () => update.run(status, lastError, id));
  }

  /** Sessions a crash left `active` are marked so they are not shown as running forever. */
  markInterrupted(): number {
    const update = this.db.prepare(
      `UPDATE Session SET status = 'error', lastError = 'interrupted: the server stopped during a run' WHERE status = 'active'`,
    );
    return retryBusy(this.db, () => update.run()).changes;
  }
}

function decodeSessionCursor(cursor: string): { at: string; id: string } {
  const value = decodeCursor(cursor);
  if (typeof value === "object" && value !== null && typeof (value as { at?: unknown }).at === "string" && typeof (value as { id?: unknown }).id === "string") {
    return value as { at: string; id: string };
  }
  throw badRequest("cursor", "not a cursor returned by sessions.list");
}
