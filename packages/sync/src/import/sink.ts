import type { TranscriptFile } from "../discovery/discover.ts";
import type { SessionMeta } from "../transcript/session-meta.ts";
import type { FileState } from "../state/file-state.ts";

/** One valid line to store: `raw` is the exact line text, `key` the dedupe key when it has no uuid. */
export interface SyncEntry {
  raw: string;
  value: Record<string, unknown>;
  key: string | undefined;
  /**
   * The line's date when it has no `timestamp` of its own (docs/presentation.md): the snapshot's timestamp, else
   * the nearest dated line before it in the file, else the nearest after it, else the file's mtime.
   */
  date?: string;
}

/** Which session a transcript's lines belong to. */
export interface SessionTarget {
  file: TranscriptFile;
  /** Main: the file's session id; sub-agent: `<parentClaudeId>/agent-<agentId>` (unique, stable). */
  claudeSessionId: string;
  /** Sub-agent only: the parent's Claude session id, when known. */
  parentClaudeSessionId: string | undefined;
  /** Whether the parent's main file exists (else the sub-agent is an orphan: no parent row is made). */
  parentFileExists: boolean;
  /** What the lines read so far say (for a new session row). */
  meta: SessionMeta;
}

/** The storage the importer writes to; the server implements it on its database. @ils/sync knows no SQL. */
export interface SyncSink {
  /** Every saved file state, keyed by relative path: one query per scan, not one per file. */
  fileStates(): Map<string, FileState>;
  saveFileState(relPath: string, state: FileState): void;
  sessionExists(sessionId: string): boolean;
  /** The session for these lines: an existing one with this Claude id, or a new external one. */
  resolveSession(target: SessionTarget): { sessionId: string; created: boolean };
  /** Stores in order, skipping duplicates; returns how many were inserted. */
  append(sessionId: string, entries: SyncEntry[]): number;
  /** `fromStart`: the read began at byte 0, so `meta.usage` covers the whole file. */
  applyMeta(sessionId: string, meta: SessionMeta, fromStart: boolean, target: SessionTarget): void;
}

/**
 * Thrown by `resolveSession` to leave a file for a later scan (nothing of it is stored or marked read):
 * e.g. while a run the server started has not yet learned its Claude session id, a new transcript may be
 * that run's own and must not become a second, external session.
 */
export class DeferFile extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "DeferFile";
  }
}
