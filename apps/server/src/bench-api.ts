/**
 * `@ils/server/bench-api`: what the benchmarks (bench/) build an in-process server from. One entry, so bench
 * never imports this package's files by path.
 */
export { loadConfig } from "./config/config.ts";
export { openDatabase } from "./db/database.ts";
export { applyMigrations } from "./db/migrate.ts";
export { createLogger } from "./logger.ts";
export { createServices, type Services } from "./services.ts";
