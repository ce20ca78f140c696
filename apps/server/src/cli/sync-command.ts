import type { ScanReport } from "@ils/contracts";
import type { ScanProgress } from "@ils/sync";
import type { Config } from "../config/config.ts";
import { openDatabase } from "../db/database.ts";
import { applyMigrations } from "../db/migrate.ts";
import { applyDataFixes } from "../presentation/data-fix.ts";
import { createLogger } from "../logger.ts";
import { IngestService } from "../messages/ingest-service.ts";
import { MessageBus } from "../messages/message-bus.ts";
import { SearchIndexer } from "../search/search-indexer.ts";
import { SessionService } from "../sessions/session-service.ts";
import { SyncService } from "../sync/sync-service.ts";
import { formatProgress, formatReport } from "./format.ts";

export interface SyncCommandOptions {
  watch: boolean;
  json: boolean;
}

/**
 * `ils sync`: one scan (or watch) against the configured database. Builds only what sync needs, so the
 * benchmark measures the import path and not the start-up of unrelated services.
 */
export async function runSyncCommand(config: Config, options: SyncCommandOptions): Promise<number> {
  // The CLI's own output is the report; logs stay quiet unless asked for.
  const logger = createLogger(process.env.ILS_LOG_LEVEL ? config.logLevel : "warn");
  const db = openDatabase(config.databasePath);
  try {
    applyMigrations(db);
    applyDataFixes(db, logger);
    const sessions = new SessionService(db);
    const sync = new SyncService(db, sessions, new IngestService(db, new MessageBus()), config.claudeDir, logger);
    // Imported messages are queued for the search index; indexing them in large batches after each scan is the
    // cheapest way, and leaves the server nothing to catch up.
    const indexer = new SearchIndexer(db, logger);
    const print = (report: ScanReport) => process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));

    if (!options.watch) {
      const bar = progressBar(options.json);
      const report = await sync.scan(bar.update);
      indexer.catchUp();
      bar.done();
      print(report);
      return 0;
    }
    process.stderr.write(`watching ${sync.projectsDir} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      sync.watch({}, (report) => {
        indexer.catchUp();
        if (report.filesRead > 0 || report.malformed.count > 0) print(report);
      });
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void sync.stop().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    return 0;
  } finally {
    db.close();
  }
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
