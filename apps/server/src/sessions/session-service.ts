import { randomUUID } from "node:crypto";
import { basename } from "node:path";
import { CreateSessionInput, ListSessionsInput, type Page, type Session, type SessionStatus } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { Prisma as PrismaNamespace, type Prisma as PrismaTypes } from "../db/generated/client.ts";
import type { Prisma } from "../db/prisma.ts";
import {
  findSessionByClaudeId,
  findSessionRow,
  insertSession,
  markActiveSessionsInterrupted,
  setSessionStatus,
  type NewSessionRow,
} from "../db/tables/sessions.ts";
import { badRequest, notFound } from "../errors/app-error.ts";
import { decodeCursor, encodeCursor } from "../messages/cursor.ts";
import type { ProjectDirectories } from "../projects/project-path.ts";
import type { ProjectService } from "../projects/project-service.ts";
import { LISTED_SESSION_WHERE, toSession, withViewFields, type SessionRow } from "./session-row.ts";

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
 * working directory through the roots check (ProjectDirectories), stored as the real path. The reads and writes a
 * client asks for go through Prisma Client; what must stay synchronous (a fork's insert in its transaction, the
 * importer's per-file lookups, the run path's row and status) is raw SQL in db/tables/sessions.ts.
 */
export class SessionService {
  constructor(
    private readonly db: Database,
    private readonly prisma: Prisma,
    private readonly directories: ProjectDirectories,
    private readonly projects: ProjectService,
  ) {}

  /** `id`: the app may name a session the server never saw (chat creates it on the fly). */
  async create(input: CreateSessionInput, id?: string): Promise<Session> {
    const parsed = CreateSessionInput.parse(input);
    const projectPath = await this.projectPathOf(parsed);
    const row = newRow({
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
    });
    // A new session has no sub-agents and is none.
    return toSession({ ...(await this.prisma.session.create({ data: row })), subagentCount: 0, linkedToolUseId: null });
  }

  /** The real directory a run in this session uses, checked now (imported cwds never were). */
  runDirectory(session: SessionRow): string {
    return this.directories.forRun(session.projectPath);
  }

  /** The checked real path of the parent's directory, for a fork (null: the parent has none). */
  forkDirectory(parent: SessionRow): string | null {
    return parent.projectPath === null ? null : this.directories.resolve(parent.projectPath, "projectPath");
  }

  private async projectPathOf(input: CreateSessionInput): Promise<string | null> {
    if (input.projectPath !== undefined) return this.directories.resolve(input.projectPath, "projectPath");
    if (input.projectId !== undefined) return await this.projects.directoryOf(input.projectId);
    return null;
  }

  /** Inserts a row as given; for services (fork, sync) that set fields users cannot. Synchronous: see db/tables/sessions.ts. */
  insert(fields: NewSession & { id?: string }): SessionRow {
    const row = newRow(fields);
    insertSession(this.db, row);
    return this.getRow(row.id);
  }

  async get(id: string): Promise<Session> {
    const row = await this.prisma.session.findUnique({ where: { id: id.toLowerCase() } });
    if (!row) throw notFound("session", id);
    const [withView] = await withViewFields(this.prisma, [row]);
    return toSession(withView!);
  }

  /** The row, synchronously (the run path and the stream API: see db/tables/sessions.ts). */
  getRow(id: string): SessionRow {
    const row = this.findRow(id);
    if (!row) throw notFound("session", id);
    return row;
  }

  findRow(id: string): SessionRow | undefined {
    return findSessionRow(this.db, id.toLowerCase());
  }

  findByClaudeSessionId(claudeSessionId: string): SessionRow | undefined {
    return findSessionByClaudeId(this.db, claudeSessionId);
  }

  /**
   * Newest activity first. Offset paging for the iOS app's `page`, keyset cursors for everyone else:
   * the cursor holds the last row's (lastActiveAt, id), so a session moving to the top does not shift pages.
   */
  async list(input: ListSessionsInput): Promise<Page<Session>> {
    const parsed = ListSessionsInput.parse(input);
    const filters: PrismaTypes.SessionWhereInput[] = [];
    if (parsed.projectPath !== undefined) filters.push({ projectPath: parsed.projectPath });
    if (parsed.projectName !== undefined) filters.push({ projectName: parsed.projectName });
    if (parsed.source !== undefined) filters.push({ source: parsed.source });
    // What is a conversation (docs/presentation.md): sub-agents and imported files without one are not listed.
    if (parsed.include !== "all") filters.push(LISTED_SESSION_WHERE);
    const total = await this.prisma.session.count({ where: { AND: filters } });

    const pageFilters = [...filters];
    if (parsed.cursor !== undefined) {
      const after = decodeSessionCursor(parsed.cursor);
      pageFilters.push({ OR: [{ lastActiveAt: { lt: after.at } }, { lastActiveAt: after.at, id: { lt: after.id } }] });
    }
    const rows = await this.prisma.session.findMany({
      where: { AND: pageFilters },
      orderBy: [{ lastActiveAt: "desc" }, { id: "desc" }],
      take: parsed.limit + 1,
      skip: parsed.offset ?? 0,
    });
    const hasMore = rows.length > parsed.limit;
    const items = await withViewFields(this.prisma, rows.slice(0, parsed.limit));
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
  async subagents(id: string): Promise<Session[]> {
    const parent = await this.prisma.session.findUnique({ where: { id: id.toLowerCase() }, select: { id: true } });
    if (!parent) throw notFound("session", id);
    const rows = await this.prisma.session.findMany({
      where: { parentSessionId: parent.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return (await withViewFields(this.prisma, rows)).map(toSession);
  }

  async rename(id: string, name: string): Promise<Session> {
    const renamed = await orNotFound(this.prisma.session.update({ where: { id: id.toLowerCase() }, data: { name } }), id);
    const [row] = await withViewFields(this.prisma, [renamed]);
    return toSession(row!);
  }

  async delete(id: string): Promise<void> {
    await orNotFound(this.prisma.session.delete({ where: { id: id.toLowerCase() }, select: { id: true } }), id);
  }

  setStatus(id: string, status: SessionStatus, lastError: string | null = null): void {
    setSessionStatus(this.db, id, status, lastError);
  }

  /** Sessions a crash left `active` are marked so they are not shown as running forever. */
  markInterrupted(): number {
    return markActiveSessionsInterrupted(this.db);
  }
}

/** A full row to insert: the given fields, the rest defaulted. */
function newRow(fields: NewSession & { id?: string }): NewSessionRow {
  const now = new Date().toISOString();
  return {
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
}

/** Prisma's "no such record" (P2025) on an update or delete by id is a 404. */
async function orNotFound<T>(query: Promise<T>, id: string): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof PrismaNamespace.PrismaClientKnownRequestError && error.code === "P2025") throw notFound("session", id);
    throw error;
  }
}

function decodeSessionCursor(cursor: string): { at: string; id: string } {
  const value = decodeCursor(cursor);
  if (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { at?: unknown }).at === "string" &&
    typeof (value as { id?: unknown }).id === "string"
  ) {
    return value as { at: string; id: string };
  }
  throw badRequest("cursor", "not a cursor returned by sessions.list");
}
