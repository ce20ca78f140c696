/** What was read of one transcript (the `SyncFile` row). */
export interface FileState {
  size: number;
  mtimeMs: number;
  inode: string;
  /** Byte offset after the last complete line read. */
  offset: number;
  /** Lines (complete, including blank and malformed) before `offset`: numbers malformed lines on append. */
  lines: number;
  sessionId: string | null;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
  inode: string;
}

export type ReadPlan =
  | { kind: "unchanged" }
  /** Continue after the saved offset, once the byte before it is confirmed to still be a newline. */
  | { kind: "append"; from: number; lines: number }
  | { kind: "reread"; reason: "new" | "replaced" | "shrunk" };

/**
 * Stat-only decision: nothing changed -> read nothing; grown in place -> read the new bytes; a different
 * inode (replaced) or a smaller file (truncated) -> read again from 0 (dedupe keeps that idempotent).
 */
export function planRead(previous: FileState | undefined, current: FileStat): ReadPlan {
  if (!previous) return { kind: "reread", reason: "new" };
  if (previous.inode !== current.inode) return { kind: "reread", reason: "replaced" };
  if (current.size < previous.size || current.size < previous.offset) return { kind: "reread", reason: "shrunk" };
  if (current.size === previous.size && current.mtimeMs === previous.mtimeMs) return { kind: "unchanged" };
  return { kind: "append", from: previous.offset, lines: previous.lines };
}
