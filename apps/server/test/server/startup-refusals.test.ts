import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { runServerToExit, startServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function migratedDb(): { dir: string; db: string } {
  const dir = tempDir("ils-startup-");
  dirs.push(dir);
  const db = join(dir.path, "ils.db");
  const conn = openDatabase(db);
  applyMigrations(conn);
  conn.close();
  return { dir: dir.path, db };
}

/**
 * Makes `dir` read-only for this process. Root ignores file modes, so as root the folder is bind-mounted onto
 * itself read-only (a real EROFS, as on a read-only volume); otherwise plain chmod. Returns the undo.
 */
function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync("mount", ["--bind", dir, dir]);
    execFileSync("mount", ["-o", "remount,ro,bind", dir]);
    return () => execFileSync("umount", [dir]);
  }
  chmodSync(join(dir, "ils.db"), 0o444);
  chmodSync(dir, 0o555);
  return () => {
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "ils.db"), 0o644);
  };
}

describe("start-up refuses a database it cannot use, saying why", () => {
  it("a database with an applied migration this server does not ship: exits non-zero naming it, and writes nothing", async () => {
    const { db } = migratedDb();
    const conn = new BetterSqlite3(db);
    const unknown = "29991231235959_from_a_newer_server";
    conn
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
         VALUES ('x', 'y', '2999-12-31T23:59:59.000+00:00', ?, '2999-12-31T23:59:59.000+00:00', 1)`,
      )
      .run(unknown);
    const before = conn.prepare(`SELECT count(*) FROM _prisma_migrations`).pluck().get();
    conn.close();

    const result = await runServerToExit({ ILS_DB: db, ILS_PORT: "0" });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.output).toContain(unknown);
    expect(result.output).toMatch(/does not know/);
    const check = new BetterSqlite3(db, { readonly: true });
    expect(check.prepare(`SELECT count(*) FROM _prisma_migrations`).pluck().get()).toBe(before);
    check.close();
  });

  it("a rolled-back unknown migration is not counted (Prisma keeps the row, the schema does not have it)", async () => {
    const { db } = migratedDb();
    const conn = new BetterSqlite3(db);
    conn
      .prepare(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count, rolled_back_at)
         VALUES ('x', 'y', NULL, '29991231235959_failed', '2999-12-31T23:59:59.000+00:00', 0, '2999-12-31T23:59:59.000+00:00')`,
      )
      .run();
    conn.close();
    const server = await startServerProcess({ ILS_DB: db });
    const health = await fetch(`${server.url}/health`);
    await server.stop();
    expect(health.status).toBe(200);
  });

  it("a read-only database folder: exits non-zero with a message naming ILS_DB and the file", async () => {
    const { dir, db } = migratedDb();
    const undo = makeReadOnly(dir);
    try {
      const result = await runServerToExit({ ILS_DB: db, ILS_PORT: "0" });
      expect(result.code).toBe(1);
      expect(result.output).toContain(`ILS_DB: cannot write the database ${db}`);
      expect(result.output).toMatch(/read-only/);
      expect(result.output).not.toMatch(/^\s+at /m); // no stack trace
    } finally {
      undo();
    }
  });

  it("a read-only file in a writable folder (chattr +i as root, chmod otherwise): the same message", async () => {
    const { db } = migratedDb();
    let undo: () => void;
    if (process.getuid?.() === 0) {
      execFileSync("chattr", ["+i", db]);
      undo = () => execFileSync("chattr", ["-i", db]);
    } else {
      chmodSync(db, 0o444);
      undo = () => chmodSync(db, 0o644);
    }
    try {
      const result = await runServerToExit({ ILS_DB: db, ILS_PORT: "0" });
      expect(result.code).toBe(1);
      expect(result.output).toContain(`ILS_DB: cannot write the database ${db}`);
    } finally {
      undo();
    }
    // Writable again: the same file starts (nothing was damaged).
    const server = await startServerProcess({ ILS_DB: db });
    const health = await fetch(`${server.url}/health`);
    await server.stop();
    expect(health.status).toBe(200);
  });

  it("ILS_DB pointing at a folder says so", async () => {
    const { dir } = migratedDb();
    const folder = join(dir, "a-folder");
    mkdirSync(folder);
    writeFileSync(join(folder, "x"), "");
    const result = await runServerToExit({ ILS_DB: folder, ILS_PORT: "0" });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`ILS_DB: ${folder} is a folder`);
  });
});
