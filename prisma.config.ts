import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";
import { defaultDatabasePath } from "@ils/server/paths";

// The same database the server opens: ILS_DB, else ~/.ils/ils.db.
const databasePath = process.env.ILS_DB || defaultDatabasePath();

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    mkdirSync(dirname(databasePath), { recursive: true });
    return new PrismaBetterSQLite3({ url: `file:${databasePath}` });
  },
});
