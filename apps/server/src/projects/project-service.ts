import { basename } from "node:path";
import { CreateProjectInput, toWireDate, type Page, type Project, type Session } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { retryBusy } from "../db/write-retry.ts";
import { notFound, validationError } from "../errors/app-error.ts";
import { toSession, type SessionRow } from "../sessions/session-row.ts";
import { projectIdFor } from "./project-id.ts";
import type { ProjectDirectories } from "./project-path.ts";

interface ProjectRow {
  id: string | null;
  path: string;
  name: string | null;
  defaultModel: string | null;
  description: string | null;
  registered: number;
  sessionCount: number;
  createdAt: string;
  lastAccessedAt: string;
}

/** Sessions counted by their project name (null: sessions without one). */
export interface ProjectNameGroup {
  name: string | null;
  sessionCount: number;
  latest: string;
}

/**
 * Projects: directories registered by a client (the Project table) and the distinct paths of the sessions,
 * listed together, one per path. Every directory a session gets from a project passes the roots check.
 */
export class ProjectService {
  private readonly listAll;
  private readonly findRegistered;
  private readonly upsert;

  constructor(
    private readonly db: Database,
    private readonly directories: ProjectDirectories,
  ) {
    // Newest activity first; a registered project with no session yet counts from its registration.
    this.listAll = db.prepare(
      `WITH used AS (
         SELECT projectPath AS path, max(projectName) AS name, max(model) AS model, count(*) AS sessionCount,
                min(createdAt) AS earliest, max(lastActiveAt) AS latest
         FROM Session WHERE projectPath IS NOT NULL GROUP BY projectPath)
       SELECT p.id, p.path, p.name, coalesce(p.defaultModel, used.model) AS defaultModel, p.description, 1 AS registered,
              coalesce(used.sessionCount, 0) AS sessionCount, p.createdAt,
              max(p.updatedAt, coalesce(used.latest, p.updatedAt)) AS lastAccessedAt
       FROM Project p LEFT JOIN used ON used.path = p.path
       UNION ALL
       SELECT NULL, used.path, used.name, used.model, NULL, 0, used.sessionCount, used.earliest, used.latest
       FROM used WHERE used.path NOT IN (SELECT path FROM Project)
       ORDER BY lastAccessedAt DESC, path`,
    );
    this.findRegistered = db.prepare(`SELECT path FROM Project WHERE id = ?`).pluck();
    this.upsert = db.prepare(
      `INSERT INTO Project (id, path, name, defaultModel, description, createdAt, updatedAt)
       VALUES (@id, @path, @name, @defaultModel, @description, @now, @now)
       ON CONFLICT (path) DO UPDATE SET name = excluded.name, defaultModel = excluded.defaultModel,
         description = excluded.description, updatedAt = excluded.updatedAt`,
    );
  }

  list(): Project[] {
    return (this.listAll.all() as ProjectRow[]).map((r) => ({
      id: r.id ?? projectIdFor(r.path),
      name: r.name ?? basename(r.path),
      path: r.path,
      defaultModel: r.defaultModel,
      description: r.description,
      registered: r.registered === 1,
      sessionCount: r.sessionCount,
      createdAt: toWireDate(r.createdAt),
      lastAccessedAt: toWireDate(r.lastAccessedAt),
    }));
  }

  /**
   * Registers a directory under the roots (stored as its real path). The same path again updates the entry, so
   * a retried request (the app resends POSTs after a timeout) does not fail.
   */
  create(input: CreateProjectInput): Project {
    const parsed = CreateProjectInput.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const path = this.directories.resolve(parsed.data.path, "path");
    const id = projectIdFor(path);
    const row = {
      id,
      path,
      name: parsed.data.name,
      defaultModel: parsed.data.defaultModel ?? null,
      description: parsed.data.description ?? null,
      now: new Date().toISOString(),
    };
    retryBusy(this.db, () => this.upsert.run(row));
    return this.list().find((p) => p.id === id)!;
  }

  /** The checked real directory behind a project id: 404 when unknown, 400 (naming `projectId`) outside the roots. */
  directoryOf(projectId: string): string {
    const id = projectId.toLowerCase();
    const path = (this.findRegistered.get(id) as string | undefined) ?? this.list().find((p) => p.id === id)?.path;
    if (path === undefined) throw notFound("project", projectId);
    return this.directories.resolve(path, "projectId");
  }

  /** Sessions counted per project name, newest activity first. */
  nameGroups(): ProjectNameGroup[] {
    return this.db
      .prepare(
        `SELECT projectName AS name, count(*) AS sessionCount, max(lastActiveAt) AS latest FROM Session
         GROUP BY projectName ORDER BY latest DESC`,
      )
      .all() as ProjectNameGroup[];
  }

  /** Sessions without a project name, or with the given stand-in name (the app sends its group name as one). */
  sessionsWithoutName(alias: string, limit: number, offset: number): Page<Session> {
    const where = `WHERE projectName IS NULL OR projectName = @alias`;
    const total = (this.db.prepare(`SELECT count(*) AS n FROM Session ${where}`).get({ alias }) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM Session ${where} ORDER BY lastActiveAt DESC, id DESC LIMIT @limit OFFSET @offset`)
      .all({ alias, limit, offset }) as SessionRow[];
    return { items: rows.map(toSession), total, hasMore: offset + rows.length < total, nextCursor: null, prevCursor: null };
  }
}
