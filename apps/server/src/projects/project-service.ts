import { basename } from "node:path";
import { CreateProjectInput, toWireDate, type Page, type Project, type Session } from "@ils/contracts";
import type { Prisma } from "../db/prisma.ts";
import { notFound, validationError } from "../errors/app-error.ts";
import { LISTED_SESSION_WHERE, toSession, withViewFields } from "../sessions/session-row.ts";
import { projectIdFor } from "./project-id.ts";
import type { ProjectDirectories } from "./project-path.ts";

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
  constructor(
    private readonly prisma: Prisma,
    private readonly directories: ProjectDirectories,
  ) {}

  /**
   * Registered projects and the distinct paths of the sessions, one per path, newest activity first; a registered
   * project with no session yet counts from its registration. Two queries (the registered rows, the sessions
   * grouped by path), merged here.
   */
  async list(): Promise<Project[]> {
    const [registered, used] = await Promise.all([
      this.prisma.project.findMany({
        select: { id: true, path: true, name: true, defaultModel: true, description: true, createdAt: true, updatedAt: true },
      }),
      this.prisma.session.groupBy({
        by: ["projectPath"],
        where: { projectPath: { not: null } },
        _count: { _all: true },
        _max: { projectName: true, model: true, lastActiveAt: true },
        _min: { createdAt: true },
      }),
    ]);
    const byPath = new Map(used.map((u) => [u.projectPath!, u]));
    // Each with its last activity as stored (ISO text), which orders the list.
    const projects: { project: Project; at: string }[] = registered.map((p) => {
      const u = byPath.get(p.path);
      const latest = u?._max.lastActiveAt ?? p.updatedAt;
      const at = latest > p.updatedAt ? latest : p.updatedAt;
      const project = {
        id: p.id,
        name: p.name,
        path: p.path,
        defaultModel: p.defaultModel ?? u?._max.model ?? null,
        description: p.description,
        registered: true,
        sessionCount: u?._count._all ?? 0,
        createdAt: toWireDate(p.createdAt),
        lastAccessedAt: toWireDate(at),
      };
      return { project, at };
    });
    const registeredPaths = new Set(registered.map((p) => p.path));
    for (const u of used) {
      const path = u.projectPath!;
      if (registeredPaths.has(path)) continue;
      const at = u._max.lastActiveAt!;
      const project = {
        id: projectIdFor(path),
        name: u._max.projectName ?? basename(path),
        path,
        defaultModel: u._max.model ?? null,
        description: null,
        registered: false,
        sessionCount: u._count._all,
        createdAt: toWireDate(u._min.createdAt!),
        lastAccessedAt: toWireDate(at),
      };
      projects.push({ project, at });
    }
    // Newest activity first, then by path (as SQLite orders text: by code unit).
    projects.sort((a, b) => compareText(b.at, a.at) || compareText(a.project.path, b.project.path));
    return projects.map((p) => p.project);
  }

  /**
   * Registers a directory under the roots (stored as its real path). The same path again updates the entry, so
   * a retried request (the app resends POSTs after a timeout) does not fail.
   */
  async create(input: CreateProjectInput): Promise<Project> {
    const parsed = CreateProjectInput.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const path = this.directories.resolve(parsed.data.path, "path");
    const id = projectIdFor(path);
    const fields = { name: parsed.data.name, defaultModel: parsed.data.defaultModel ?? null, description: parsed.data.description ?? null };
    const now = new Date().toISOString();
    await this.prisma.project.upsert({
      where: { path },
      create: { id, path, ...fields, createdAt: now, updatedAt: now },
      update: { ...fields, updatedAt: now },
    });
    return (await this.list()).find((p) => p.id === id)!;
  }

  /** The checked real directory behind a project id: 404 when unknown, 400 (naming `projectId`) outside the roots. */
  async directoryOf(projectId: string): Promise<string> {
    const id = projectId.toLowerCase();
    const registered = await this.prisma.project.findUnique({ where: { id }, select: { path: true } });
    const path = registered?.path ?? (await this.list()).find((p) => p.id === id)?.path;
    if (path === undefined) throw notFound("project", projectId);
    return this.directories.resolve(path, "projectId");
  }

  /** Sessions counted per project name, newest activity first. */
  async nameGroups(): Promise<ProjectNameGroup[]> {
    const groups = await this.prisma.session.groupBy({
      by: ["projectName"],
      where: LISTED_SESSION_WHERE,
      _count: { _all: true },
      _max: { lastActiveAt: true },
      orderBy: { _max: { lastActiveAt: "desc" } },
    });
    return groups.map((g) => ({ name: g.projectName, sessionCount: g._count._all, latest: g._max.lastActiveAt! }));
  }

  /** Sessions without a project name, or with the given stand-in name (the app sends its group name as one). */
  async sessionsWithoutName(alias: string, limit: number, offset: number): Promise<Page<Session>> {
    const where = { AND: [{ OR: [{ projectName: null }, { projectName: alias }] }, LISTED_SESSION_WHERE] };
    const [total, rows] = await Promise.all([
      this.prisma.session.count({ where }),
      this.prisma.session.findMany({ where, orderBy: [{ lastActiveAt: "desc" }, { id: "desc" }], take: limit, skip: offset }),
    ]);
    const items = await withViewFields(this.prisma, rows);
    return { items: items.map(toSession), total, hasMore: offset + rows.length < total, nextCursor: null, prevCursor: null };
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
