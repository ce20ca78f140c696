import type { ErrorBody, RunState, SessionStatus } from "@ils/contracts";

export type StopReason = "cancel" | "shutdown" | "timeout" | "storage" | "line-too-long";

export interface RunFacts {
  bin: string;
  idleTimeoutMs: number;
  maxLineBytes: number;
  stopReason: StopReason | null;
  storageError: string | null;
  spawnError: NodeJS.ErrnoException | null;
  /** The process's exit, when it ended during the run (a warm process that printed `result` has none). */
  exited: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The run's `result` line, when it printed one. */
  result: { isError: boolean; text: string | null } | null;
  stderrTail: string;
}

export interface RunOutcome {
  status: SessionStatus;
  state: RunState;
  error?: ErrorBody;
}

export const SHUTDOWN_MESSAGE = "interrupted: server shut down";

/** How a finished run ends up: the session status, the run state, and the error a client is shown. */
export function runOutcome(f: RunFacts): RunOutcome {
  const failed = (message: string, details?: Record<string, unknown>): RunOutcome => ({
    status: "error",
    state: "failed",
    error: { code: "CLAUDE_FAILED", message, ...(details ? { details } : {}) },
  });
  if (f.spawnError) {
    return f.spawnError.code === "ENOENT"
      ? failed(`Claude Code executable not found: "${f.bin}" (install Claude Code or set ILS_CLAUDE_BIN)`)
      : failed(`could not start Claude Code ("${f.bin}"): ${f.spawnError.message}`);
  }
  if (f.stopReason === "cancel") return { status: "cancelled", state: "cancelled" };
  if (f.stopReason === "shutdown") return failed(SHUTDOWN_MESSAGE);
  if (f.stopReason === "timeout")
    return failed(`Claude Code printed nothing for ${f.idleTimeoutMs} ms and was stopped (ILS_RUN_IDLE_TIMEOUT_MS)`);
  if (f.stopReason === "storage") return failed(`the run was stopped because its output could not be stored: ${f.storageError}`);
  if (f.stopReason === "line-too-long") {
    return failed(`Claude Code printed a line longer than ${f.maxLineBytes} bytes (ILS_MAX_LINE_BYTES); the run was stopped`);
  }
  if (f.exited ? f.exitCode !== 0 : f.result === null) {
    const how = !f.exited ? "stopped" : f.exitCode !== null ? `exited with code ${f.exitCode}` : `was killed by ${f.signal}`;
    const parts = [`Claude Code ${how}`];
    if (f.result?.isError && f.result.text) parts.push(f.result.text);
    if (f.stderrTail) parts.push(f.stderrTail);
    return failed(parts.join(": "), { exitCode: f.exitCode, signal: f.signal, stderr: f.stderrTail });
  }
  if (f.result?.isError) return failed(`Claude Code reported an error: ${f.result.text ?? "no details"}`);
  return { status: "completed", state: "finished" };
}
