import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.ts";

/** `prisma/migrations` of the repository, found upwards from this module (source or bundle in dist/). */
export const MIGRATIONS_DIR = findUp(dirname(fileURLToPath(import.meta.url)), join("prisma", "migrations"));

function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir) return join(from, relative);
  }
}

/**
 * The database was migrated by a newer server (or another branch): it has applied migrations this server does
 * not ship. Starting would fail later on every write whose schema changed, so start-up refuses, naming them.
 */
export class UnknownMigrationsError extends Error {
  constructor(readonly names: string[]) {
    super(
      `the database has ${names.length} applied migration(s) this server does not know: ${names.join(", ")}. ` +
        `It was migrated by a newer ILS server; run that version, or point ILS_DB at another file.`,
    );
    this.name = "UnknownMigrationsError";
  }
}

/**
 * Applies pending Prisma migrations at start, writing the same `_prisma_migrations` bookkeeping as
 * `prisma migrate deploy`, so either may run first and `prisma migrate status` stays truthful.
 * Done in-process because spawning the Prisma CLI costs about a second of start-up.
 */
export function applyMigrations(db: Database, dir = MIGRATIONS_DIR): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL,
    "checksum" TEXT NOT NULL,
    "finished_at" DATETIME,
    "migration_name" TEXT NOT NULL,
    "logs" TEXT,
    "rolled_back_at" DATETIME,
    "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
  )`);
  if (!existsSync(dir)) throw new Error(`migrations folder not found: ${dir}`);
  const applied = appliedMigrations(db);
  // Only the folder shipped with this server counts (the bundle in dist/ carries its own copy).
  const known = migrationNames(dir);
  const unknown = [...applied].filter((name) => !known.includes(name)).sort();
  if (unknown.length > 0) throw new UnknownMigrationsError(unknown);
  const pending = known.filter((name) => !applied.has(name));
  const record = db.prepare(
    `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
     VALUES (?, ?, ?, ?, ?, 1)`,
  );
  for (const name of pending) {
    const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
    const startedAt = prismaTimestamp();
    db.transaction(() => {
      db.exec(sql);
      record.run(randomUUID(), createHash("sha256").update(sql).digest("hex"), prismaTimestamp(), name, startedAt);
    }).immediate();
  }
  return pending;
}

/** What `ils doctor` reports, read only: migrations applied and those the next start would apply. */
export function migrationStatus(db: Database, dir = MIGRATIONS_DIR): { applied: number; pending: string[] } {
  const bookkept = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  const applied = bookkept ? appliedMigrations(db) : new Set<string>();
  return { applied: applied.size, pending: migrationNames(dir).filter((name) => !applied.has(name)) };
}

function appliedMigrations(db: Database): Set<string> {
  const rows = db
    .prepare(`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
    .all() as {
    migration_name: string;
  }[];
  return new Set(rows.map((row) => row.migration_name));
}

function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();
}

/** The format Prisma's migrate writes into `_prisma_migrations` (`2026-11-24T21:42:03.254+00:00`). */
function prismaTimestamp(): string {
  return new Date().toISOString().replace("Z", "+00:00");
}
