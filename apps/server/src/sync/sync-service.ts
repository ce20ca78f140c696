import { join } from "node:path";
import type { ScanReport } from "@ils/contracts";
import { TranscriptImporter, type ImporterOptions, type ScanProgress } from "@ils/sync";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import type { IngestService } from "../messages/ingest-service.ts";
import type { SessionService } from "../sessions/session-service.ts";
import { SyncStore } from "./sync-store.ts";
import { SyncWatcher, type WatchOptions } from "./sync-watcher.ts";

/** Imports Claude Code's own sessions from `<claudeDir>/projects`, once (`scan`) or continuously (`watch`). */
export class SyncService {
  readonly projectsDir: string;
  private readonly store: SyncStore;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: SyncWatcher | undefined;
  private readonly stopping = new AbortController();

  constructor(
    db: Database,
    sessions: SessionService,
    ingest: IngestService,
    claudeDir: string,
    private readonly logger: Logger,
    private readonly importerOptions: Omit<ImporterOptions, "onProgress"> = {},
  ) {
    this.projectsDir = join(claudeDir, "projects");
    this.store = new SyncStore(db, sessions, ingest);
  }

  /** One scan; concurrent calls run one after another (each sees everything written before it was called). */
  scan(onProgress?: (progress: ScanProgress) => void): Promise<ScanReport> {
    const next = this.queue.catch(() => undefined).then(() => this.runScan(onProgress));
    this.queue = next;
    return next;
  }

  /** Scans now and after every change under the projects folder (it may not exist yet). */
  watch(options: WatchOptions = {}, onReport?: (report: ScanReport) => void): void {
    if (this.watcher) return;
    const scan = () => this.scan().then((report) => onReport?.(report));
    this.watcher = new SyncWatcher(this.projectsDir, scan, this.logger, options);
    this.watcher.start();
  }

  /** Final: stops watching, interrupts a running scan between batches and waits for it (call before closing the database). */
  async stop(): Promise<void> {
    // A first import can take minutes: shutdown interrupts it between batches instead of waiting.
    this.stopping.abort();
    await this.watcher?.stop();
    this.watcher = undefined;
    await this.queue.catch(() => undefined);
  }

  private async runScan(onProgress?: (progress: ScanProgress) => void): Promise<ScanReport> {
    const importer = new TranscriptImporter(this.store, {
      ...this.importerOptions,
      signal: this.stopping.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    const report = await importer.scan(this.projectsDir);
    if (report.failedFiles.length > 0) this.logger.warn({ failedFiles: report.failedFiles }, "some transcripts could not be read");
    if (report.filesRead > 0 || report.malformed.count > 0) {
      this.logger.info(
        { files: report.files, filesRead: report.filesRead, imported: report.imported, malformed: report.malformed.count, ms: report.ms },
        "synced Claude Code transcripts",
      );
    }
    return report;
  }
}
