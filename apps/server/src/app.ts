import type { Config } from "./config/config.ts";
import { openWritableDatabase } from "./db/database.ts";
import { writeServerFile } from "./db/server-file.ts";
import { startBackgroundCheckpoints } from "./db/checkpointer.ts";
import { applyMigrations } from "./db/migrate.ts";
import { tokenBanner } from "./http/banner.ts";
import { applyDataFixes } from "./presentation/data-fix.ts";
import { startHttpServer, type RouteHandler } from "./http/server.ts";
import { startLine } from "./http/start-line.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createServices, type Services } from "./services.ts";
import { restHandlers } from "./rest/index.ts";
import { createWebHandler } from "./web/serve.ts";

export interface App {
  url: string;
  services: Services;
  logger: Logger;
  stop(): Promise<void>;
}

/**
 * Opens the database (refusing a read-only one or one with migrations this server does not know), applies
 * pending migrations, builds the services and listens.
 */
export async function startServer(config: Config): Promise<App> {
  const logger = createLogger(config.logLevel, config.logFormat);
  const db = openWritableDatabase(config.databasePath);
  let applied: string[];
  try {
    applied = applyMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }
  if (applied.length) logger.info({ applied }, "applied migrations");
  applyDataFixes(db, logger);
  const stopCheckpoints = startBackgroundCheckpoints(db, config.databasePath, logger);
  const services = createServices(config, db, logger);
  // Started now: `claude --version` runs while the server gets ready.
  const health = services.health.check();
  // What an earlier run or `ils sync` left queued for the search index.
  services.searchIndexer.schedule();
  // What a crashed server left running (Claude and its tools) is killed before anything new starts.
  const reaped = services.streaming.reapOrphans();
  if (reaped.killed || reaped.runs) logger.warn(reaped, "killed processes and marked runs left by an earlier crash");
  const interrupted = services.sessions.markInterrupted();
  if (interrupted) logger.warn({ interrupted }, "marked sessions left active by an earlier crash");

  const routes: Record<string, RouteHandler> = {};
  const rest = restHandlers();
  routes["/api/v1"] = rest.api; // the iOS bridge (REST + SSE)
  routes["/docs"] = rest.docs; // API reference page and /docs/openapi.json
  const web = createWebHandler();
  routes["/"] = web; // the session browser (only `/` itself: a prefix route matches the path or `prefix/...`)
  routes["/assets"] = web; // its bundle
  const http = await startHttpServer(services, routes);
  // Not awaited: a slow `claude --version` (up to its timeout) must not hold back the server file or the sync.
  void health
    .then((status) => {
      const line = startLine(http.url, config, status);
      logger[line.level](line.fields, line.message);
    })
    .catch((err: unknown) => logger.error({ err }, "health check at start failed"));
  // Tells `ils sync` on this database to ask this server to scan instead of writing the file itself.
  const removeServerFile = writeServerFile(config.databasePath, { url: loopbackUrl(http.url), claudeDir: config.claudeDir });
  if (config.token) process.stdout.write(await tokenBanner(config.host, Number(new URL(http.url).port), config.token));
  // Import Claude Code's own sessions in the background: the server answers while a first import runs.
  if (config.sync === "watch") services.sync.watch();
  else if (config.sync === "start") void services.sync.scan().catch((err: unknown) => logger.error({ err }, "sync scan failed"));
  return {
    url: http.url,
    services,
    logger,
    async stop() {
      removeServerFile();
      // Runs first: their last lines and the "interrupted" status are stored, and clients still get the run event.
      await services.streaming.shutdown();
      // Every open SSE stream ends with a final `error` event rather than a cut connection.
      await services.sseStreams.shutdown();
      await http.close();
      await services.sync.stop();
      services.searchIndexer.stop();
      await stopCheckpoints();
      await services.prisma.$disconnect();
      db.close();
    },
  };
}

/** A wildcard bind (0.0.0.0, ::) is reached on loopback by a local `ils sync`. */
function loopbackUrl(url: string): string {
  return url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:");
}
