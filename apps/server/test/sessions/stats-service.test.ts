import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";

let services: ReturnType<typeof createTestServices>;
let registered: ReturnType<typeof tempDir>;
beforeEach(() => {
  services = createTestServices();
  registered = tempDir("ils-stats-project-");
});
afterEach(() => {
  services.cleanup();
  registered.cleanup();
});

describe("home stats (GET /stats) through Prisma", () => {
  it("counts the sessions the list shows and the projects GET /projects lists, one per path", async () => {
    const parent = await services.sessions.insert({ source: "ils", projectPath: "/work/a", status: "active" });
    await services.sessions.insert({ source: "ils", projectPath: "/work/a" });
    await services.sessions.insert({ source: "ils" });
    // Imported without a user or assistant message, and a sub-agent: not listed, but their paths are projects.
    await services.sessions.insert({ source: "external", projectPath: "/work/b" });
    await services.sessions.insert({ source: "ils", projectPath: "/work/c", parentSessionId: parent.id, status: "active" });
    await services.projects.create({ name: "registered", path: registered.path });
    await services.projects.create({ name: "again", path: registered.path });

    expect(await services.stats.home()).toEqual({
      // /work/a, /work/b, /work/c and the registered folder.
      projects: { total: 4, active: 2 },
      sessions: { total: 3, active: 1 },
      skills: { total: 0, active: 0 },
      mcpServers: { total: 0, healthy: 0 },
      plugins: { total: 0, enabled: 0 },
    });
  });

  it("is all zeros on an empty database", async () => {
    const stats = await services.stats.home();
    expect(stats.projects).toEqual({ total: 0, active: 0 });
    expect(stats.sessions).toEqual({ total: 0, active: 0 });
  });
});
