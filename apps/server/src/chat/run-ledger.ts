import type { Database } from "../db/database.ts";
import { retryBusy } from "../db/write-retry.ts";
import { currentBootId, isSameProcess, killTree, type ProcessId } from "./process-tree.ts";

export type RunEndState = "finished" | "failed" | "cancelled" | "interrupted";

/**
 * Run bookkeeping in the database: each run's state, and each Claude process with its process group and the
 * descendants seen so far. Written as things happen, so that after a crash (kill -9 of the server) the next
 * start finds what is still running and kills it, and marks the runs interrupted.
 */
export class RunLedger {
  private readonly insertRun;
  private readonly endRunStmt;
  private readonly insertProcess;
  private readonly setDescendants;
  private readonly endProcess;
  private readonly openProcesses;
  private readonly interruptRuns;

  constructor(private readonly db: Database) {
    this.insertRun = db.prepare(`INSERT INTO ChatRun (id, sessionId, state, startedAt) VALUES (?, ?, 'running', ?)`);
    this.endRunStmt = db.prepare(`UPDATE ChatRun SET state = ?, error = ?, endedAt = ? WHERE id = ? AND state = 'running'`);
    this.insertProcess = db.prepare(
      `INSERT INTO ClaudeProcess (id, sessionId, pid, pgid, startTime, bootId, startedAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setDescendants = db.prepare(`UPDATE ClaudeProcess SET descendants = ? WHERE id = ?`);
    this.endProcess = db.prepare(`UPDATE ClaudeProcess SET endedAt = ? WHERE id = ?`);
    this.openProcesses = db.prepare(`SELECT id, pid, pgid, startTime, bootId, descendants FROM ClaudeProcess WHERE endedAt IS NULL`);
    this.interruptRuns = db.prepare(
      `UPDATE ChatRun SET state = 'interrupted', error = 'the server stopped during the run', endedAt = ? WHERE state = 'running'`,
    );
  }

  runStarted(runId: string, sessionId: string): void {
    retryBusy(this.db, () => this.insertRun.run(runId, sessionId, new Date().toISOString()));
  }

  runEnded(runId: string, state: RunEndState, error: string | null): void {
    retryBusy(this.db, () => this.endRunStmt.run(state, error, new Date().toISOString(), runId));
  }

  processStarted(id: string, sessionId: string, proc: ProcessId, pgid: number): void {
    retryBusy(this.db, () => this.insertProcess.run(id, sessionId, proc.pid, pgid, proc.startTime, currentBootId(), new Date().toISOString()));
  }

  processDescendants(id: string, descendants: ProcessId[]): void {
    retryBusy(this.db, () => this.setDescendants.run(JSON.stringify(descendants), id));
  }

  processEnded(id: string): void {
    retryBusy(this.db, () => this.endProcess.run(new Date().toISOString(), id));
  }

  /**
   * At start: kill every process an earlier server left running (only those still the recorded Claude or its
   * descendants: same boot, same start time) and mark its unfinished runs interrupted.
   */
  reapOrphans(): { killed: number; runs: number } {
    const rows = this.openProcesses.all() as { id: string; pid: number; startTime: string; bootId: string; descendants: string }[];
    let killed = 0;
    const now = new Date().toISOString();
    for (const row of rows) {
      if (row.bootId === currentBootId()) {
        const root = { pid: row.pid, startTime: row.startTime };
        let known: ProcessId[];
        try {
          known = JSON.parse(row.descendants) as ProcessId[];
        } catch {
          known = [];
        }
        killed += killTree(isSameProcess(root) ? root : undefined, known).length;
      }
      retryBusy(this.db, () => this.endProcess.run(now, row.id));
    }
    const runs = retryBusy(this.db, () => this.interruptRuns.run(now)).changes;
    return { killed, runs };
  }
}
