import type { Prisma } from "../db/prisma.ts";
import { LISTED_SESSION_WHERE as LISTED } from "../sessions/session-row.ts";

export interface HomeStats {
  projects: { total: number; active: number };
  sessions: { total: number; active: number };
  skills: { total: number; active: number };
  mcpServers: { total: number; healthy: number };
  plugins: { total: number; enabled: number };
}

/** Counts for the app's Home screen, read through Prisma (an ordinary read: no benchmark row holds it). */
export class StatsService {
  constructor(private readonly prisma: Prisma) {}

  async home(): Promise<HomeStats> {
    const [sessions, activeSessions, sessionPaths, activePaths, registered] = await Promise.all([
      this.prisma.session.count({ where: LISTED }),
      this.prisma.session.count({ where: { ...LISTED, status: "active" } }),
      // Projects as GET /projects lists them: registered ones and the sessions' paths, one per path.
      this.prisma.session.groupBy({ by: ["projectPath"], where: { projectPath: { not: null } } }),
      this.prisma.session.groupBy({ by: ["projectPath"], where: { projectPath: { not: null }, status: "active" } }),
      this.prisma.project.findMany({ select: { path: true } }),
    ]);
    const paths = new Set([...sessionPaths.map((g) => g.projectPath), ...registered.map((p) => p.path)]);
    return {
      projects: { total: paths.size, active: activePaths.length },
      sessions: { total: sessions, active: activeSessions },
      // ILS keeps no skills, MCP servers or plugins.
      skills: { total: 0, active: 0 },
      mcpServers: { total: 0, healthy: 0 },
      plugins: { total: 0, enabled: 0 },
    };
  }
}
