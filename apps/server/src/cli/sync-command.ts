import type { ScanReport } from "@ils/contracts";
import type { ScanProgress } from "@ils/sync";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.ts";
import { openWritableDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrate.ts";
import { openPrisma } from "../db/prisma.ts";
import { readServerFile, type ServerFile } from "../db/server-file.ts";
import { applyDataFixes } from "../presentation/data-fix.ts";
import { createLogger, type Logger } from "../logger.ts";
import { IngestService } from "../messages/ingest-service.ts";
import { MessageBus } from "../messages/message-bus.ts";
import { projectDirectories } from "../projects/project-path.ts";
import { ProjectService } from "../projects/project-service.ts";
import { SearchIndexer } from "../search/search-indexer.ts";
import { SessionService } from "../sessions/session-service.ts";
import { SyncService } from "../sync/sync-service.ts";
import { SyncWatcher } from "../sync/sync-watcher.ts";
import { formatProgress, formatReport } from "./format.ts";
import { scanThroughServer, ServerScanError } from "./server-scan.ts";

export interface SyncCommandOptions {
  watch: boolean;
  json: boolean;
  /** Write the database from this process even when a server runs on it. */
  direct: boolean;
}

/** Exit code when the scan ran but some files could not be read (they are listed; the next scan retries them). */
const EXIT_FILES_FAILED = 3;

/**
 * Batches of a CLI writing beside a running server: each holds the write lock for a few milliseconds, and the
 * pause after it lets the server's writes (live chat) in; back-to-back batches would starve them.
 */
const SHARING = { batchLines: 100, batchBytes: 128 * 1024, pauseMs: 2 };

/**
 * `ils sync`: one scan (or watch). When a server runs on the same database (its `<db>.server.json`), the
 * server is asked to scan through its API, so one process writes the file; `--direct` (or a server that does
 * not answer, or scans another Claude folder) writes from here, in small batches that leave the server room.
 */
export async function runSyncCommand(config: Config, options: SyncCommandOptions): Promise<number> {
  // The CLI's own output is the report; logs stay quiet unless asked for.
  const logger = createLogger(process.env.ILS_LOG_LEVEL ? config.logLevel : "warn", config.logFormat);
  warnIfNoTranscripts(config.claudeDir);
  const server = readServerFile(config.databasePath);
  if (server) {
    const note = `a server is running on ${config.databasePath} (pid ${server.pid}, ${server.url})`;
    if (options.direct) process.stderr.write(`${note}: --direct, writing the database from here beside it\n`);
    else if (server.claudeDir !== config.claudeDir) {
      process.stderr.write(`${note} but it imports ${server.claudeDir}: writing the database from here beside it\n`);
    } else {
      process.stderr.write(`${note}: asking it to scan (--direct writes from here instead)\n`);
      const code = await syncThroughServer(server, config, options, logger);
      if (code !== undefined) return code;
      process.stderr.write(`the server did not answer: writing the database from here beside it\n`);
    }
  }
  return syncDirect(config, options, logger, server !== undefined);
}

/** A mistyped `--claude-dir` would otherwise look like a successful scan of 0 files. */
function warnIfNoTranscripts(claudeDir: string): void {
  const projects = join(claudeDir, "projects");
  if (isFolder(projects)) return;
  const why = isFolder(claudeDir)
    ? `${claudeDir} has no projects/ folder (where Claude Code keeps its sessions)`
    : `${claudeDir} does not exist or is not a folder`;
  process.stderr.write(`warning: ${why}: nothing to import; check --claude-dir (or ILS_CLAUDE_DIR, CLAUDE_CONFIG_DIR)\n`);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing, or a file on the way (ENOTDIR)
  }
}

/** Undefined when the server could not be reached (the caller writes directly). */
async function syncThroughServer(
  server: ServerFile,
  config: Config,
  options: SyncCommandOptions,
  logger: Logger,
): Promise<number | undefined> {
  try {
    const first = await scanThroughServer(server, config.token);
    if (!first) return undefined;
    print(first, options);
    if (!options.watch) return exitCode(first);
    // The server may not be watching (ILS_SYNC=off|start): follow the folder here and ask it after each change.
    const projectsDir = join(config.claudeDir, "projects");
    await watchUntilStopped(
      projectsDir,
      (onChange) => {
        const watcher = new SyncWatcher(
          projectsDir,
          async () => {
            const report = await scanThroughServer(server, config.token);
            if (report) onChange(report);
          },
          logger,
        );
        watcher.start();
        return () => watcher.stop();
      },
      options,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ServerScanError)) throw error;
    process.stderr.write(`sync failed: ${error.message}\n`);
    return 1;
  }
}

async function syncDirect(config: Config, options: SyncCommandOptions, logger: Logger, sharing: boolean): Promise<number> {
  const db = openWritableDatabase(config.databasePath);
  // Connects on its first query only; the import itself writes through `db` (db/tables).
  const prisma = openPrisma(config.databasePath);
  try {
    applyMigrations(db);
    applyDataFixes(db, logger);
    const directories = projectDirectories(config);
    const sessions = new SessionService(db, prisma, directories, new ProjectService(prisma, directories));
    const sync = new SyncService(db, sessions, new IngestService(db, new MessageBus()), config.claudeDir, logger, sharing ? SHARING : {});
    // Imported messages are queued for the search index; indexing them in large batches after each scan is the
    // cheapest way, and leaves the server nothing to catch up. Beside a server: small batches with pauses.
    const indexer = new SearchIndexer(db, logger);
    const index = () => (sharing ? indexer.catchUpSharing() : Promise.resolve(indexer.catchUp()));

    if (!options.watch) {
      const bar = progressBar(options.json);
      const report = await sync.scan(bar.update);
      await index();
      bar.done();
      print(report, options);
      return exitCode(report);
    }
    await watchUntilStopped(
      sync.projectsDir,
      (onChange) => {
        sync.watch({}, (report) => void index().then(() => onChange(report)));
        return () => sync.stop();
      },
      options,
    );
    return 0;
  } finally {
    await prisma.$disconnect();
    db.close();
  }
}

/** Runs `start` until SIGINT/SIGTERM, printing each report that read something. */
async function watchUntilStopped(
  dir: string,
  start: (onChange: (report: ScanReport) => void) => () => Promise<void>,
  options: SyncCommandOptions,
): Promise<void> {
  process.stderr.write(`watching ${dir} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stopWatching = start((report) => {
      if (report.filesRead > 0 || report.malformed.count > 0 || report.failedFiles.length > 0) print(report, options);
    });
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void stopWatching().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function print(report: ScanReport, options: SyncCommandOptions): void {
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
}

function exitCode(report: ScanReport): number {
  if (report.failedFiles.length === 0) return 0;
  // Listed on stderr too, so they are seen when stdout is the JSON report.
  process.stderr.write(`${report.failedFiles.length} file(s) could not be read (retried at the next scan):\n`);
  for (const failed of report.failedFiles) process.stderr.write(`  ${failed.file}: ${failed.reason}\n`);
  return EXIT_FILES_FAILED;
}

/** A progress bar on stderr when it is a terminal (never in --json mode or when piped). */
function progressBar(json: boolean): { update?: (p: ScanProgress) => void; done(): void } {
  const tty = process.stderr.isTTY && !json;
  if (!tty) return { done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < 100 && progress.filesDone < progress.files) return;
      last = now;
      drawn = true;
      process.stderr.write(`\r${formatProgress(progress, process.stderr.columns)}`);
    },
    done() {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}
