import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

const run = promisify(execFile);
// The Prisma CLI's own entry on this Node, so the test needs no `pnpm` on PATH.
const PRISMA_CLI = join(REPO_ROOT, "node_modules", "prisma", "build", "index.js");
const prisma = (args: string[], db: string) =>
  run(process.execPath, [PRISMA_CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ILS_DB: db } });

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe("migrations", () => {
  it("`prisma migrate deploy` creates a fresh database offline, and the server then has nothing to apply", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = join(dir.path, "nested", "ils.db");
    const deploy = await prisma(["migrate", "deploy"], db);
    expect(deploy.stdout).toMatch(/successfully applied|No pending migrations/);
    const conn = openDatabase(db);
    expect(applyMigrations(conn)).toEqual([]);
    const tables = conn.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all();
    expect(tables).toEqual(expect.arrayContaining(["Session", "Message", "SyncFile"]));
    conn.close();
  });

  it("what the server applies at start, `prisma migrate status` reports as up to date", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const db = join(dir.path, "ils.db");
    const conn = openDatabase(db);
    expect(applyMigrations(conn).length).toBeGreaterThan(0);
    conn.close();
    const status = await prisma(["migrate", "status"], db);
    expect(status.stdout).toContain("Database schema is up to date");
    const check = new BetterSqlite3(db, { readonly: true });
    expect(check.pragma("journal_mode", { simple: true })).toBe("wal");
    check.close();
  });
});
