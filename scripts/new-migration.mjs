#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the existing
// migrations to the current schema. `prisma migrate dev` cannot be used: its drift check misfires
// with the JS engine. Apply with `pnpm prisma migrate deploy` (or start the server).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const name = (process.argv[2] ?? "").replace(/[^a-z0-9_]/gi, "_");
if (!name) {
  console.error("usage: pnpm migration:new <name>");
  process.exit(2);
}
const dir = "prisma/migrations";
mkdirSync(dir, { recursive: true });
const hasMigrations = readdirSync(dir).some((d) => /^\d{14}_/.test(d));
const from = hasMigrations ? ["--from-migrations", dir] : ["--from-empty"];
const sql = execFileSync(
  "pnpm",
  ["exec", "prisma", "migrate", "diff", ...from, "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
  { encoding: "utf8" },
);
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const target = join(dir, `${stamp}_${name}`);
mkdirSync(target);
writeFileSync(join(target, "migration.sql"), sql);
console.log(`wrote ${target}/migration.sql`);
