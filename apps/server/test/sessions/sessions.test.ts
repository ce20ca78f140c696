import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WIRE_DATE_PATTERN } from "@ils/contracts";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";

let services: ReturnType<typeof createTestServices>;
beforeEach(async () => {
  services = createTestServices();
});
afterEach(() => services.cleanup());

const touch = (sessionId: string, at: string) =>
  services.ingest.appendMessages(sessionId, [
    { raw: JSON.stringify({ type: "user", timestamp: at, message: { role: "user", content: `at ${at}` } }) },
  ]);

describe("sessions", () => {
  it("lists newest activity first, pages by offset and by cursor, filters", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const s = services.sessions.insert({
        projectPath: i % 2 ? "/p/odd" : "/p/even",
        createdAt: "2026-01-01T00:00:00.000Z",
        source: i < 5 ? "ils" : "external",
      });
      touch(s.id, `2026-01-0${i + 1}T00:00:00.000Z`);
      ids.push(s.id);
    }
    const newestFirst = [...ids].reverse();
    const first = await services.sessions.list({ limit: 3 });
    expect(first.items.map((s) => s.id)).toEqual(newestFirst.slice(0, 3));
    expect(first).toMatchObject({ total: 7, hasMore: true });

    const byCursor: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await services.sessions.list({ limit: 3, cursor });
      byCursor.push(...page.items.map((s) => s.id));
      if (!page.hasMore) break;
      cursor = page.nextCursor!;
    }
    expect(byCursor).toEqual(newestFirst);
    expect((await services.sessions.list({ limit: 3, offset: 6 })).items.map((s) => s.id)).toEqual(newestFirst.slice(6));

    expect((await services.sessions.list({ projectPath: "/p/odd" })).items.every((s) => s.projectPath === "/p/odd")).toBe(true);
    expect((await services.sessions.list({ projectPath: "/p/odd" })).total).toBe(3);
    expect((await services.sessions.list({ source: "external" })).items.map((s) => s.id)).toEqual([ids[6], ids[5]]);
    expect((await services.sessions.list({ projectName: "even" })).total).toBe(4);
  });

  it("creates, gets case-insensitively, renames, deletes (messages go with it)", async () => {
    const projects = tempDir();
    const app = join(projects.path, "app");
    mkdirSync(app);
    const created = await services.sessions.create({ name: "first", projectPath: app, model: "sonnet", permissionMode: "plan" });
    projects.cleanup();
    expect(created).toMatchObject({
      name: "first",
      projectName: "app",
      model: "sonnet",
      permissionMode: "plan",
      source: "ils",
      status: "completed",
      messageCount: 0,
    });
    expect(created.createdAt).toMatch(WIRE_DATE_PATTERN);
    expect((await services.sessions.get(created.id.toUpperCase())).id).toBe(created.id);
    expect((await services.sessions.rename(created.id, "second")).name).toBe("second");
    touch(created.id, "2026-02-02T00:00:00.000Z");
    await services.sessions.delete(created.id);
    await expect(services.sessions.get(created.id)).rejects.toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
    expect(services.db.prepare(`SELECT count(*) FROM Message`).pluck().get()).toBe(0);
    await expect(services.sessions.delete(created.id)).rejects.toThrow(expect.objectContaining({ code: "NOT_FOUND" }));
  });

  it("marks sessions a crash left active", async () => {
    const s = services.sessions.insert({ status: "active" });
    expect(services.sessions.markInterrupted()).toBe(1);
    expect(await services.sessions.get(s.id)).toMatchObject({ status: "error", lastError: expect.stringContaining("interrupted") });
  });
});
