import { existsSync, watch, type FSWatcher } from "node:fs";
import type { Logger } from "../logger.ts";

export interface WatchOptions {
  /** Quiet time after the last change before a scan (Claude writes a turn as a burst of lines). */
  debounceMs?: number;
  /** Fallback poll: catches what fs.watch misses and attaches the watcher once the folder exists. */
  pollMs?: number;
}

/**
 * Runs `scan` after changes under `dir`: recursive fs.watch (supported on Linux since Node 20) plus a
 * periodic poll. Scans never overlap; changes during a scan cause one more scan after it.
 */
export class SyncWatcher {
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private dirty = false;
  private stopped = false;
  private readonly debounceMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly dir: string,
    private readonly scan: () => Promise<unknown>,
    private readonly logger: Logger,
    options: WatchOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 200;
    this.pollMs = options.pollMs ?? 5_000;
  }

  /** Scans at once, then after each change. */
  start(): void {
    this.attach();
    this.run();
    this.poll = setInterval(() => {
      this.attach();
      this.schedule();
    }, this.pollMs);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.poll);
    this.watcher?.close();
    this.watcher = undefined;
    await this.running;
  }

  private attach(): void {
    if (this.watcher || this.stopped || !existsSync(this.dir)) return;
    try {
      const watcher = watch(this.dir, { recursive: true }, () => this.schedule());
      watcher.on("error", (err) => {
        // The folder was removed (or the watch limit hit): the poll re-attaches when it can.
        this.logger.warn({ err, dir: this.dir }, "sync watcher failed; polling");
        watcher.close();
        if (this.watcher === watcher) this.watcher = undefined;
      });
      this.watcher = watcher;
    } catch (err) {
      this.logger.warn({ err, dir: this.dir }, "cannot watch transcripts folder; polling");
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => this.run(), this.debounceMs);
    this.debounce.unref();
  }

  private run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = this.scan()
      .catch((err: unknown) => this.logger.error({ err }, "sync scan failed"))
      .finally(() => {
        this.running = undefined;
        if (this.dirty) {
          this.dirty = false;
          this.schedule();
        }
      });
  }
}
