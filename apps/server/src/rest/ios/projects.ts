import { toWireDate, type IosProject, type IosProjectGroup, type Page, type Session } from "@ils/contracts";
import type { Database } from "../../db/database.ts";
import { LISTED_SESSION, SESSION_COLUMNS, toSession, type SessionRow } from "../../sessions/session-row.ts";
import { encodeProjectPath, projectIdFor } from "./project-id.ts";

/** The app's grouping key for sessions without a project. */
export const UNGROUPED = "Ungrouped";

interface GroupRow {
  projectName: string | null;
  sessionCount: number;
  latest: string;
}
interface ProjectRow {
  projectPath: string;
  projectName: string | null;
  model: string | null;
  sessionCount: number;
  earliest: string;
  latest: string;
}

/**
 * Projects are not stored: they are the distinct project paths of the sessions (ids are a hash of the path),
 * which is all the app needs to group sessions and to send a `projectId` that resolves to a working directory.
 */
export class ProjectsView {
  constructor(private readonly db: Database) {}

  groups(): IosProjectGroup[] {
    const rows = this.db
      .prepare(
        `SELECT projectName, count(*) AS sessionCount, max(lastActiveAt) AS latest FROM Session
         WHERE ${LISTED_SESSION} GROUP BY projectName ORDER BY latest DESC`,
      )
      .all() as GroupRow[];
    return rows.map((r) => ({ name: r.projectName ?? UNGROUPED, sessionCount: r.sessionCount, latestDate: toWireDate(r.latest) }));
  }

  list(): IosProject[] {
    const rows = this.db
      .prepare(
        `SELECT projectPath, max(projectName) AS projectName, max(model) AS model, count(*) AS sessionCount,
                min(createdAt) AS earliest, max(lastActiveAt) AS latest
         FROM Session WHERE projectPath IS NOT NULL GROUP BY projectPath ORDER BY latest DESC`,
      )
      .all() as ProjectRow[];
    return rows.map((r) => ({
      id: projectIdFor(r.projectPath),
      name: r.projectName ?? r.projectPath,
      path: r.projectPath,
      defaultModel: r.model ?? "sonnet",
      createdAt: toWireDate(r.earliest),
      lastAccessedAt: toWireDate(r.latest),
      sessionCount: r.sessionCount,
      encodedPath: encodeProjectPath(r.projectPath),
    }));
  }

  /**
   * The app's `Ungrouped` group (sessions without a project name), newest activity first. The session
   * service filters by a name only, and the app sends this literal as if it were one.
   */
  ungrouped(limit: number, offset: number): Page<Session> {
    const where = `WHERE (projectName IS NULL OR projectName = '${UNGROUPED}') AND ${LISTED_SESSION}`;
    const total = (this.db.prepare(`SELECT count(*) AS n FROM Session ${where}`).get() as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT ${SESSION_COLUMNS} FROM Session ${where} ORDER BY lastActiveAt DESC, id DESC LIMIT ? OFFSET ?`)
      .all(limit, offset) as SessionRow[];
    return { items: rows.map(toSession), total, hasMore: offset + rows.length < total, nextCursor: null, prevCursor: null };
  }

  /** The project path behind an app `projectId`, or undefined. */
  pathOf(projectId: string): string | undefined {
    return this.list().find((p) => p.id === projectId.toLowerCase())?.path;
  }
}
