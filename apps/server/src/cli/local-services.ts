import { resolve } from "node:path";
import { ZodError } from "zod";
import { ConfigError, loadConfig, type Config } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrate.ts";
import { AppError, validationError } from "../errors/app-error.ts";
import { createLogger } from "../logger.ts";
import { createServices, type Services } from "../services.ts";

/** Thrown by a command to end with this exit code after printing `message` on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** `pnpm ils` runs in apps/server: relative paths mean the folder the user typed the command in. */
export function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** The server's configuration from the environment, with a command's `--db` / `--claude-dir` on top. */
export function cliConfig(overrides: { db?: string; claudeDir?: string } = {}): Config {
  try {
    return loadConfig({
      ...process.env,
      ...(overrides.db ? { ILS_DB: userPath(overrides.db) } : {}),
      ...(overrides.claudeDir ? { ILS_CLAUDE_DIR: userPath(overrides.claudeDir) } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, 2);
    throw error;
  }
}

/**
 * Runs `fn` against the same services the server builds, on the configured database (migrated first, as the
 * server does at start), and closes it after. Service errors become one line on stderr and exit code 1.
 */
export async function withServices<T>(config: Config, fn: (services: Services) => Promise<T> | T): Promise<T> {
  // The command's output is its result; logs stay quiet unless asked for.
  const logger = createLogger(process.env.ILS_LOG_LEVEL ? config.logLevel : "warn");
  const db = openDatabase(config.databasePath);
  let services: Services | undefined;
  try {
    applyMigrations(db);
    services = createServices(config, db, logger);
    return await fn(services);
  } catch (error) {
    if (error instanceof ZodError) throw new CliError(validationError(error).message, 2);
    if (error instanceof AppError) throw new CliError(error.message, error.code === "VALIDATION_ERROR" ? 2 : 1);
    throw error;
  } finally {
    await services?.prisma.$disconnect();
    db.close();
  }
}
