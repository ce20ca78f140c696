import type { Database } from "../db/database.ts";
import { chatRunTable, type ChatRunEndState } from "../db/tables/chat-runs.ts";
import { claudeProcessTable } from "../db/tables/claude-processes.ts";
import { currentBootId, isSameProcess, killTree, type ProcessId } from "./process-tree.ts";

export type RunEndState = ChatRunEndState;

/**
 * Run bookkeeping in the database: each run's state, and each Claude process with its process group and the
 * descendants seen so far. Written as things happen, so that after a crash (kill -9 of the server) the next
 * start finds what is still running and kills it, and marks the runs interrupted.
 */
export class RunLedger {
  constructor(private readonly db: Database) {}

  runStarted(runId: string, sessionId: string): void {
    chatRunTable(this.db).started(runId, sessionId, new Date().toISOString());
  }

  runEnded(runId: string, state: RunEndState, error: string | null): void {
    chatRunTable(this.db).ended(runId, state, error, new Date().toISOString());
  }

  processStarted(id: string, sessionId: string, proc: ProcessId, pgid: number): void {
    claudeProcessTable(this.db).started({
      id,
      sessionId,
      pid: proc.pid,
      pgid,
      startTime: proc.startTime,
      bootId: currentBootId(),
      startedAt: new Date().toISOString(),
    });
  }

  processDescendants(id: string, descendants: ProcessId[]): void {
    claudeProcessTable(this.db).setDescendants(id, JSON.stringify(descendants));
  }

  processEnded(id: string): void {
    claudeProcessTable(this.db).ended(id, new Date().toISOString());
  }

  /**
   * At start: kill every process an earlier server left running (only those still the recorded Claude or its
   * descendants: same boot, same start time) and mark its unfinished runs interrupted.
   */
  reapOrphans(): { killed: number; runs: number } {
    const processes = claudeProcessTable(this.db);
    const rows = processes.open();
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
      processes.ended(row.id, now);
    }
    const runs = chatRunTable(this.db).interruptRunning(now);
    return { killed, runs };
  }
}
