import { applyMigrations, createLogger, createServices, loadConfig, openDatabase, type Services } from "@ils/server/bench-api";

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
