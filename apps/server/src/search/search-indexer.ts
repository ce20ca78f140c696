import type { Database } from "../db/database.ts";
import { searchIndexTable } from "../db/tables/message-search.ts";
import { isBusy, retryBusy } from "../db/write-retry.ts";
import type { Logger } from "../logger.ts";

/** Rows per background transaction: small enough that one batch holds the event loop for about a millisecond. */
const BACKGROUND_BATCH = 100;
/** Rows per transaction when a search (or a finished import) needs everything indexed now. */
const CATCH_UP_BATCH = 5_000;
/** A background batch waits this long for another process's write, then tries again later (never stalls a stream). */
const BACKGROUND_WAIT_MS = 20;

/**
 * Moves messages queued in `SearchPending` (the insert trigger queues each stored message's rowid) into the
 * FTS5 index. Indexing inside each message's own insert cost about half of storing a streamed line, because
 * FTS5 writes a new segment per transaction; in batches it costs a fraction of that.
 *
 * A moment after messages are stored, small batches run in the background; a search first indexes whatever
 * is still queued (`catchUp`), so it sees every stored message, as it did when the triggers indexed at once.
 * The queue is a table, not memory: what a crash or another process (`ils sync`) left queued is indexed by
 * the next one to run.
 */
export class SearchIndexer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly queue;
  private readonly batch;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly delayMs = 100,
  ) {
    this.queue = searchIndexTable(db);
    this.batch = db.transaction((size: number): number => {
      const last = this.queue.batchEnd(size);
      return last === null ? 0 : this.queue.indexUpTo(last);
    });
  }

  /** Indexes up to `size` queued messages in one transaction; returns how many it took off the queue. */
  indexBatch(size = BACKGROUND_BATCH, waitMs?: number): number {
    // A plain read first: with nothing queued (most searches) no write lock is taken, so a search never waits
    // for another process's write. IMMEDIATE: a writing process makes the batch wait (retryBusy), not fail midway.
    if (!this.queue.anyPending()) return 0;
    return retryBusy(this.db, () => this.batch.immediate(size), waitMs);
  }

  /** Indexes everything queued, now. */
  catchUp(): number {
    let total = 0;
    for (let n = this.indexBatch(CATCH_UP_BATCH); n > 0; n = this.indexBatch(CATCH_UP_BATCH)) total += n;
    return total;
  }

  /**
   * Indexes everything queued in small batches with a pause after each, so a server sharing the file gets the
   * write lock between them (`ils sync --direct` beside a running server); back-to-back batches would starve it.
   */
  async catchUpSharing(batch = BACKGROUND_BATCH, pauseMs = 2): Promise<number> {
    let total = 0;
    for (let n = this.indexBatch(batch); n > 0; n = this.indexBatch(batch)) {
      total += n;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return total;
  }

  /** Indexes what is queued a moment from now; calls until then fold into that one. */
  schedule(delayMs = this.delayMs): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => this.drain(), delayMs);
    this.timer.unref();
  }

  /** No more background batches (what is still queued stays queued for the next start). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private drain(): void {
    this.timer = undefined;
    if (!this.db.open) return;
    try {
      // More queued than one batch: the next batch runs after whatever else is waiting on the event loop.
      if (this.indexBatch(BACKGROUND_BATCH, BACKGROUND_WAIT_MS) === BACKGROUND_BATCH) this.schedule(0);
    } catch (error) {
      // Usually SQLITE_BUSY: another process (`ils sync --direct`) is writing; try again later, searches still
      // catch up. Expected while it runs, so not a warning.
      if (isBusy(error)) this.logger.debug({ err: error }, "search indexing waits for another writer");
      else this.logger.warn({ err: error }, "search indexing failed; retrying");
      this.schedule(1_000);
    }
  }
}
