import { loadConfig } from "../../../apps/server/src/config/config.ts";
import { openDatabase } from "../../../apps/server/src/db/database.ts";
import { applyMigrations } from "../../../apps/server/src/db/migrate.ts";
import { createLogger } from "../../../apps/server/src/logger.ts";
import { createServices, type Services } from "../../../apps/server/src/services.ts";

/** The server's real services on a SQLite file, built the way the server builds them (no HTTP). */
export function openServices(dbPath: string, env: Record<string, string> = {}): Services {
  const config = loadConfig({ ILS_DB: dbPath, ILS_LOG_LEVEL: "silent", ILS_SYNC: "off", ...env });
  const db = openDatabase(config.databasePath);
  applyMigrations(db);
  return createServices(config, db, createLogger("silent"));
}

/**
 * A service another engineer is still building, looked up by name so this package typechecks
 * before and after it lands; undefined means "not built".
 */
export function optionalService<T>(services: Services, name: string): T | undefined {
  return (services as unknown as Record<string, T | undefined>)[name];
}
