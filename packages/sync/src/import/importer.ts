import type { MalformedLine, ScanReport } from "@ils/contracts";
import { discoverTranscripts, type TranscriptFile } from "../discovery/discover.ts";
import { DEFAULT_MAX_LINE_BYTES, readByteAt, readLines } from "../reader/line-reader.ts";
import { planRead, type FileState } from "../state/file-state.ts";
import { isBlank, parseLine } from "../transcript/parse-line.ts";
import { SessionMetaCollector } from "../transcript/session-meta.ts";
import { DeferFile, type SessionTarget, type SyncEntry, type SyncSink } from "./sink.ts";

export interface ScanProgress {
  filesDone: number;
  files: number;
  bytesRead: number;
  /** New bytes expected (sum of growth of changed files). */
  bytesToRead: number;
}

export interface ImporterOptions {
  /** Lines per ingest transaction. */
  batchLines?: number;
  /** Bytes per ingest transaction (bounds memory with very long lines). */
  batchBytes?: number;
  maxLineBytes?: number;
  /** How many malformed lines the report lists (all are counted). */
  maxReportedMalformed?: number;
  onProgress?: (progress: ScanProgress) => void;
  /** Stops a scan between batches (server shutdown); what was stored stays and the next scan continues. */
  signal?: AbortSignal;
  /**
   * Wait this long after each committed batch. Another process writing the same database (a server beside
   * `ils sync --direct`) gets the write lock in that gap; back-to-back batches would starve it.
   */
  pauseMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads what is new in every transcript and hands it to the sink in batches. */
export class TranscriptImporter {
  private readonly batchLines: number;
  private readonly batchBytes: number;
  private readonly maxLineBytes: number;
  private readonly maxReported: number;

  constructor(
    private readonly sink: SyncSink,
    private readonly options: ImporterOptions = {},
  ) {
    this.batchLines = options.batchLines ?? 1000;
    this.batchBytes = options.batchBytes ?? 2 * 1024 * 1024;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxReported = options.maxReportedMalformed ?? 100;
  }

  async scan(projectsDir: string): Promise<ScanReport> {
    const started = performance.now();
    const files = discoverTranscripts(projectsDir);
    const mainKeys = new Set(files.filter((f) => f.kind === "main").map((f) => `${f.project}/${f.stem}`));
    const run = new ScanRun(files.length, this.maxReported);
    const states = this.sink.fileStates();
    const plans = files.map((file) => ({ file, previous: states.get(file.relPath) }));
    run.progress.bytesToRead = plans.reduce((sum, { file, previous }) => sum + Math.max(0, file.size - (previous?.offset ?? 0)), 0);
    for (const { file, previous } of plans) {
      if (this.options.signal?.aborted) break;
      try {
        await this.importFile(file, previous, mainKeys, run);
      } catch (err) {
        if (this.options.signal?.aborted) break;
        if (err instanceof DeferFile) {
          run.deferred += 1;
          continue;
        }
        // One unreadable file (removed mid-scan, no permission, ...) must not stop the others; what was
        // stored before the failure is kept and its saved offset makes the next scan continue from there.
        run.failed(file.relPath, err);
      }
      run.progress.filesDone += 1;
      this.options.onProgress?.({ ...run.progress });
    }
    return run.report(performance.now() - started);
  }

  private async importFile(file: TranscriptFile, previous: FileState | undefined, mainKeys: Set<string>, run: ScanRun): Promise<void> {
    const plan = planRead(previous, file);
    if (plan.kind === "unchanged") return;
    let from = 0;
    let lineNo = 0;
    let sessionId: string | undefined;
    if (plan.kind === "append" && previous) {
      // Same inode and grown: trust the saved offset only if it still ends a line and the session still exists.
      const intact = plan.from === 0 || (await readByteAt(file.path, plan.from - 1)) === 10;
      const session = previous.sessionId && this.sink.sessionExists(previous.sessionId) ? previous.sessionId : undefined;
      if (intact && (session || previous.offset === 0)) {
        from = plan.from;
        lineNo = plan.lines;
        sessionId = session;
      }
    }
    run.filesRead += 1;

    const collector = new SessionMetaCollector(file.kind === "main");
    let target: SessionTarget | undefined;
    let batch: SyncEntry[] = [];
    let batchBytes = 0;
    let offset = from;
    let fileTouchedSession = false;
    // Dating undated lines: the last dated line seen, and the leading undated lines still waiting for one.
    let lastDated: string | undefined;
    let undated: SyncEntry[] = [];
    const fileDate = new Date(file.mtimeMs).toISOString();

    const ensureSession = (): string => {
      if (sessionId) return sessionId;
      target = this.targetFor(file, collector, mainKeys);
      const resolved = this.sink.resolveSession(target);
      if (resolved.created) run.sessionsCreated += 1;
      sessionId = resolved.sessionId;
      return sessionId;
    };
    // `final`: the whole file was read, so its stat size is accounted for (a partial last line waits for
    // growth). Before that, the saved size is the offset: an interrupted read is continued next scan.
    const flush = (final: boolean) => {
      for (const entry of undated) entry.date = fileDate;
      undated = [];
      if (batch.length > 0) {
        const id = ensureSession();
        const inserted = this.sink.append(id, batch);
        run.imported += inserted;
        run.skipped += batch.length - inserted;
        run.sessions.add(id);
        fileTouchedSession = true;
      }
      this.sink.saveFileState(file.relPath, {
        size: final ? Math.max(file.size, offset) : offset,
        mtimeMs: file.mtimeMs,
        inode: file.inode,
        offset,
        lines: lineNo,
        sessionId: sessionId ?? null,
      });
      batch = [];
      batchBytes = 0;
    };

    const result = await readLines(
      file.path,
      from,
      (line) => {
        lineNo += 1;
        offset = line.end;
        if (line.text === undefined) {
          run.lines += 1;
          return run.malformedLine(file.relPath, lineNo, line.problem ?? "unreadable");
        }
        if (isBlank(line.text)) return;
        run.lines += 1;
        const parsed = parseLine(line.text);
        if (!parsed.ok) return run.malformedLine(file.relPath, lineNo, parsed.reason);
        const value = parsed.value;
        collector.observe(value);
        const uuid = value.uuid;
        const entry: SyncEntry = {
          raw: line.text,
          value,
          key: typeof uuid === "string" && uuid.length > 0 ? undefined : `${file.relPath}:${line.start}`,
        };
        const own = ownDate(value);
        if (own !== undefined) {
          if (value.timestamp === undefined) entry.date = own;
          lastDated = own;
          for (const waiting of undated) waiting.date = own;
          undated = [];
        } else if (lastDated !== undefined) entry.date = lastDated;
        else undated.push(entry);
        batch.push(entry);
        batchBytes += line.text.length;
        // Leading undated lines wait in the batch for the first dated line (up to 4 batches' worth of bytes).
        const full = batch.length >= this.batchLines || batchBytes >= this.batchBytes;
        if (full && (undated.length === 0 || batchBytes >= 4 * this.batchBytes)) {
          flush(false);
          this.options.signal?.throwIfAborted();
          run.progress.bytesRead = run.bytesRead + (offset - from);
          this.options.onProgress?.({ ...run.progress });
          if (this.options.pauseMs) return sleep(this.options.pauseMs);
        }
      },
      this.maxLineBytes,
    );
    offset = result.end;
    run.bytesRead += result.bytesRead;
    run.progress.bytesRead = run.bytesRead;
    flush(true);
    if (fileTouchedSession && sessionId) {
      this.sink.applyMeta(sessionId, collector.result(), from === 0, target ?? this.targetFor(file, collector, mainKeys));
    }
    if (this.options.pauseMs) await sleep(this.options.pauseMs);
  }

  private targetFor(file: TranscriptFile, collector: SessionMetaCollector, mainKeys: Set<string>): SessionTarget {
    const meta = collector.result();
    if (file.kind === "main") {
      return {
        file,
        claudeSessionId: mainClaudeId(file.project, file.stem),
        parentClaudeSessionId: undefined,
        parentFileExists: false,
        meta,
      };
    }
    const parentStem = file.parentKey ?? meta.sessionIdInLines;
    const parent = parentStem === undefined ? undefined : mainClaudeId(file.project, parentStem);
    return {
      file,
      claudeSessionId: `${parent ?? file.project}/agent-${file.agentId}`,
      parentClaudeSessionId: parent,
      parentFileExists: parentStem !== undefined && mainKeys.has(`${file.project}/${parentStem}`),
      meta,
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A line's own date: its `timestamp`, or a file-history-snapshot's `snapshot.timestamp`. */
function ownDate(value: Record<string, unknown>): string | undefined {
  if (typeof value.timestamp === "string" && value.timestamp.length >= 19) return value.timestamp;
  const snapshot = value.snapshot as { timestamp?: unknown } | undefined;
  if (typeof snapshot === "object" && snapshot !== null && typeof snapshot.timestamp === "string" && snapshot.timestamp.length >= 19)
    return snapshot.timestamp;
  return undefined;
}

/** Claude names files by session uuid; any other name is scoped to its project folder to stay unique. */
function mainClaudeId(project: string, stem: string): string {
  return UUID.test(stem) ? stem : `${project}/${stem}`;
}

/** Counters of one scan. */
class ScanRun {
  filesRead = 0;
  bytesRead = 0;
  lines = 0;
  imported = 0;
  skipped = 0;
  malformedCount = 0;
  readonly malformed: MalformedLine[] = [];
  readonly failedFiles: { file: string; reason: string }[] = [];
  readonly sessions = new Set<string>();
  sessionsCreated = 0;
  deferred = 0;
  readonly progress: ScanProgress;

  constructor(
    readonly files: number,
    private readonly maxReported = 100,
  ) {
    this.progress = { filesDone: 0, files, bytesRead: 0, bytesToRead: 0 };
  }

  failed(file: string, err: unknown): void {
    if (this.failedFiles.length < this.maxReported) {
      this.failedFiles.push({ file, reason: err instanceof Error ? err.message : String(err) });
    }
  }

  malformedLine(file: string, line: number, reason: string): void {
    this.malformedCount += 1;
    if (this.malformed.length < this.maxReported) this.malformed.push({ file, line, reason });
  }

  report(ms: number): ScanReport {
    return {
      files: this.files,
      filesRead: this.filesRead,
      bytesRead: this.bytesRead,
      lines: this.lines,
      imported: this.imported,
      skipped: this.skipped,
      malformed: { count: this.malformedCount, lines: this.malformed },
      sessions: this.sessions.size,
      sessionsCreated: this.sessionsCreated,
      failedFiles: this.failedFiles,
      deferred: this.deferred,
      ms: Math.round(ms * 10) / 10,
    };
  }
}
