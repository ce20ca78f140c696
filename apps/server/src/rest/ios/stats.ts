import type { Database } from "../../db/database.ts";

/** Counts for the app's Home screen; ILS keeps no skills, MCP servers or plugins, so those are zero. */
export function homeStats(db: Database) {
  const sessions = db.prepare(`SELECT count(*) AS total, sum(status = 'active') AS active FROM Session`).get() as { total: number; active: number | null };
  // Registered projects and the sessions' paths, one per path (as GET /projects lists them).
  const projects = db
    .prepare(`SELECT count(*) AS total FROM (SELECT projectPath FROM Session WHERE projectPath IS NOT NULL UNION SELECT path FROM Project)`)
    .get() as { total: number };
  const activeProjects = db
    .prepare(`SELECT count(DISTINCT projectPath) AS n FROM Session WHERE projectPath IS NOT NULL AND status = 'active'`)
    .get() as { n: number };
  return {
    projects: { total: projects.total, active: activeProjects.n },
    sessions: { total: sessions.total, active: sessions.active ?? 0 },
    skills: { total: 0, active: 0 },
    mcpServers: { total: 0, healthy: 0 },
    plugins: { total: 0, enabled: 0 },
  };
}
