import { join } from "node:path";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/logger.ts";
import { createServices, type Services } from "../../src/services.ts";
import { TEST_PROJECT_ROOTS, tempDir } from "./temp.ts";

/** Real services on a real SQLite file in a temp folder (no HTTP). */
export function createTestServices(env: Record<string, string> = {}): Services & { cleanup(): void } {
  const dir = tempDir();
  const config = loadConfig({
    ILS_DB: join(dir.path, "ils.db"),
    ILS_LOG_LEVEL: "silent",
    ILS_SYNC: "off",
    ILS_PROJECT_ROOTS: TEST_PROJECT_ROOTS,
    ...env,
  });
  const db = openDatabase(config.databasePath);
  applyMigrations(db);
  const services = createServices(config, db, createLogger("silent"));
  return {
    ...services,
    cleanup() {
      services.searchIndexer.stop();
      void services.prisma.$disconnect();
      db.close();
      dir.cleanup();
    },
  };
}
