import type BetterSqlite3 from "better-sqlite3";
import type { Database } from "./database.ts";

/** How long one write may wait for another process (`ils sync --direct`) to release the write lock. */
export const WRITE_WAIT_BUDGET_MS = 3_000;

/** A process sharing the file holds the write lock (any SQLITE_BUSY variant). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const pause = new Int32Array(new SharedArrayBuffer(4));

interface Timeouts {
  read: BetterSqlite3.Statement;
  off: BetterSqlite3.Statement;
  /** `PRAGMA busy_timeout = n` by n (pragmas take no parameters). */
  set: Map<number, BetterSqlite3.Statement>;
}
const timeouts = new WeakMap<Database, Timeouts>();

/** Prepared once per connection: the toggle costs about 3 µs per write. */
function timeoutsOf(db: Database): Timeouts {
  let t = timeouts.get(db);
  if (!t) {
    t = { read: db.prepare("PRAGMA busy_timeout").pluck(), off: db.prepare("PRAGMA busy_timeout = 0"), set: new Map() };
    timeouts.set(db, t);
  }
  return t;
}

/**
 * Runs a synchronous write (an IMMEDIATE transaction or one statement), retrying while another process
 * holds the write lock. better-sqlite3 is synchronous, so every wait blocks the event loop: SQLite's own
 * busy handler polls at up to 100 ms intervals and can starve behind a writer that commits back to back
 * (measured: 5 s then `database is locked`, with 2 ms gaps still 830 ms waits). Polling every 0.2-1.2 ms
 * (jittered, so two waiting processes do not retry in lockstep) gets the lock in the next gap, so a wait
 * costs about one batch of the other writer. The connection's busy_timeout is off during the call and
 * restored after. `write` must be safe to run again: it is only retried when it failed as a whole.
 */
export function retryBusy<T>(db: Database, write: () => T, budgetMs = WRITE_WAIT_BUDGET_MS): T {
  const t = timeoutsOf(db);
  const timeout = t.read.get() as number;
  if (timeout !== 0) t.off.get();
  try {
    const deadline = performance.now() + budgetMs;
    for (;;) {
      try {
        return write();
      } catch (error) {
        if (!isBusy(error) || db.inTransaction || performance.now() >= deadline) throw error;
      }
      Atomics.wait(pause, 0, 0, 0.2 + Math.random());
    }
  } finally {
    if (timeout !== 0) restore(db, t, timeout);
  }
}

function restore(db: Database, t: Timeouts, timeout: number): void {
  let statement = t.set.get(timeout);
  if (!statement) {
    statement = db.prepare(`PRAGMA busy_timeout = ${Math.trunc(timeout)}`);
    t.set.set(timeout, statement);
  }
  statement.get();
}
