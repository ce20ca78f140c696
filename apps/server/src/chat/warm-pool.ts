import type { SessionProcess } from "./session-process.ts";

/**
 * Claude processes kept after a finished run, so a session's next prompt skips the CLI's start-up: each for
 * `warmMs` at most, `max` in all, the least recently used leaving first.
 */
export class WarmPool {
  /** Insertion order is recency: the first entry is the least recently parked. */
  private readonly idle = new Map<string, SessionProcess>();

  constructor(
    private readonly warmMs: number,
    private readonly max: number,
    private readonly retire: (proc: SessionProcess) => void,
  ) {}

  get size(): number {
    return this.idle.size;
  }

  /** Keeps a process that finished a run; retires it at once when warm sessions are off. */
  park(proc: SessionProcess): void {
    const old = this.idle.get(proc.sessionId);
    if (old && old !== proc) this.evict(proc.sessionId);
    this.idle.delete(proc.sessionId);
    if (this.max <= 0 || this.warmMs <= 0 || !proc.alive) return this.retire(proc);
    this.idle.set(proc.sessionId, proc);
    proc.idleTimer = setTimeout(() => this.evict(proc.sessionId), this.warmMs);
    proc.idleTimer.unref();
    while (this.idle.size > this.max) this.evict(this.idle.keys().next().value!);
  }

  /** The session's warm process when it was started for the same options and is still alive; else none (and retired). */
  take(sessionId: string, key: string): SessionProcess | undefined {
    const proc = this.idle.get(sessionId);
    if (!proc) return undefined;
    this.idle.delete(sessionId);
    clearTimeout(proc.idleTimer);
    if (proc.key === key && proc.alive) return proc;
    this.retire(proc);
    return undefined;
  }

  /** A parked process that exited by itself leaves the pool. */
  forget(proc: SessionProcess): void {
    if (this.idle.get(proc.sessionId) === proc) {
      this.idle.delete(proc.sessionId);
      clearTimeout(proc.idleTimer);
    }
  }

  evict(sessionId: string): void {
    const proc = this.idle.get(sessionId);
    if (!proc) return;
    this.idle.delete(sessionId);
    clearTimeout(proc.idleTimer);
    this.retire(proc);
  }

  all(): SessionProcess[] {
    return [...this.idle.values()];
  }

  clear(): void {
    for (const id of [...this.idle.keys()]) this.evict(id);
  }
}
