import { cpSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations, MIGRATIONS_DIR } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/logger.ts";
import { createServices } from "../../src/services.ts";
import { tempDir } from "../support/temp.ts";

/** An existing database upgraded to the search migration: messages stored before it become searchable. */
describe("search migration", () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it("indexes the messages already stored", () => {
    const all = readdirSync(MIGRATIONS_DIR)
      .filter((name) => /^\d{14}_/.test(name))
      .sort();
    const searchAt = all.findIndex((name) => name.endsWith("_search"));
    expect(searchAt).toBeGreaterThan(0);
    const before = join(dir.path, "before");
    mkdirSync(before);
    for (const name of all.slice(0, searchAt)) cpSync(join(MIGRATIONS_DIR, name), join(before, name), { recursive: true });

    const config = loadConfig({ ILS_DB: join(dir.path, "ils.db"), ILS_LOG_LEVEL: "silent", ILS_SYNC: "off" });
    const db = openDatabase(config.databasePath);
    try {
      applyMigrations(db, before);
      const insert = db.prepare(
        `INSERT INTO Message (id, sessionId, seq, type, content, createdAt) VALUES (?, 's', ?, ?, ?, '2026-01-01T00:00:00.000Z')`,
      );
      db.prepare(`INSERT INTO Session (id, name, createdAt, lastActiveAt) VALUES ('s', 'old', 'x', 'x')`).run();
      insert.run(
        "00000000-0000-4000-8000-000000000001",
        1,
        "user",
        JSON.stringify({ type: "user", message: { content: "an old platypus prompt" } }),
      );
      insert.run("00000000-0000-4000-8000-000000000002", 2, "progress", JSON.stringify({ type: "progress", data: { text: "platypus" } }));

      expect(applyMigrations(db)).toContain(all[searchAt]);
      const services = createServices(config, db, createLogger("silent"));
      const hits = services.search.query({ q: "platypus", limit: 10 });
      expect(hits.items.map((h) => h.seq)).toEqual([1]);
      expect(hits.items[0]!.snippet).toBe("an old platypus prompt");
      expect(hits.items[0]!.highlights).toEqual([{ start: 7, length: 8 }]);
    } finally {
      db.close();
    }
  });
});
