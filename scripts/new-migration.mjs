#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the schema the existing
// migrations were written for to the current prisma/schema.prisma. That earlier schema is the file as of
// the last commit that touched prisma/migrations: `prisma migrate dev`'s drift check misfires with the JS
// engine, and `migrate diff --from-migrations` cannot replay the hand-written FTS5 migrations on its
// shadow database. Hand-written SQL (triggers, FTS5) goes into a migration of its own, written by hand.
// Apply with `pnpm prisma migrate deploy` (or start the server).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: pnpm migration:new <name>");
  process.exit(2);
}
const dir = "prisma/migrations";
mkdirSync(dir, { recursive: true });
const hasMigrations = readdirSync(dir).some((d) => /^\d{14}_/.test(d));
const git = (...args) => execFileSync("git", args, { encoding: "utf8" }).trim();
const scratch = mkdtempSync(join(tmpdir(), "ils-migration-"));
try {
  let from = ["--from-empty"];
  if (hasMigrations) {
    const commit = git("log", "-1", "--format=%H", "--", dir);
    if (!commit) throw new Error(`commit ${dir} first: the schema of its last commit is what the new migration starts from`);
    const previous = join(scratch, "schema.prisma");
    writeFileSync(previous, git("show", `${commit}:prisma/schema.prisma`));
    from = ["--from-schema-datamodel", previous];
  }
  const sql = execFileSync(
    "pnpm",
    ["exec", "prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
    {
      encoding: "utf8",
    },
  );
  if (/^-- This is an empty migration\.\s*$/.test(sql.trim())) {
    console.log("prisma/schema.prisma has no changes since the last migration: nothing written");
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const target = join(dir, `${stamp}_${name}`);
    mkdirSync(target);
    writeFileSync(join(target, "migration.sql"), sql);
    console.log(`wrote ${target}/migration.sql`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
