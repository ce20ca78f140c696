import { randomUUID } from "node:crypto";
import { appendFileSync, statSync, truncateSync } from "node:fs";
import { workerMain } from "../support/child.ts";
import { bytesReadSoFar, forEachLine, listTranscripts } from "../support/files.ts";
import { openServices, optionalService } from "../support/services.ts";
import { installReadCounter } from "../support/read-counter.ts";
import { nowMs } from "../support/stats.ts";

/** Runs the real sync (`services.sync.scan()`) over a Claude folder: import, unchanged re-scan, append re-scan. */
export interface SyncImportResult {
  notBuilt?: boolean;
  seconds: number;
  rows: number;
  files: number;
  maxRssMb: number;
  rescan?: {
    seconds: number;
    unchangedBytesRead: number;
    transcriptBytesRead: number;
    files: number;
    appendedLines: number;
    appendedBytes: number;
    bytesRead: number;
    rowsAdded: number;
  };
}

interface Args {
  claudeDir: string;
  db: string;
  /** Also measure re-scans (skipped for the peak-memory run). */
  rescan: boolean;
  appendFiles: number;
  appendLinesPerFile: number;
}

async function syncImport(args: Args): Promise<SyncImportResult> {
  const jsBytesRead = await installReadCounter();
  const services = openServices(args.db, { ILS_CLAUDE_DIR: args.claudeDir });
  const sync = optionalService<{ scan(): unknown }>(services, "sync");
  if (!sync || typeof sync.scan !== "function") return { notBuilt: true, seconds: 0, rows: 0, files: 0, maxRssMb: 0 };
  const countRows = () => (services.db.prepare(`SELECT count(*) AS n FROM Message`).get() as { n: number }).n;

  const started = nowMs();
  await sync.scan();
  // Imported means searchable too: what the background indexer has not reached yet is indexed inside the timing.
  services.searchIndexer.catchUp();
  const seconds = (nowMs() - started) / 1000;
  const rows = countRows();
  const files = listTranscripts(args.claudeDir);
  const result: SyncImportResult = { seconds, rows, files: files.length, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  if (!args.rescan) return result;

  const unchangedRead = bytesReadSoFar();
  const unchangedStarted = nowMs();
  await sync.scan();
  const unchangedSeconds = (nowMs() - unchangedStarted) / 1000;
  // What a scan reads when nothing changed (SQLite pages, directory entries): subtracted below.
  const unchangedBytesRead = bytesReadSoFar() - unchangedRead;

  // Append valid new lines (the file's last message with a fresh uuid, chained) to a few files.
  let appendedBytes = 0;
  let appendedLines = 0;
  const originalSizes = new Map<string, number>();
  for (const path of files.filter((p) => !p.includes("agent-")).slice(0, args.appendFiles)) {
    let last: Record<string, unknown> | undefined;
    forEachLine(path, (line) => {
      try {
        const v = JSON.parse(line);
        if (typeof v?.uuid === "string") last = v;
      } catch {
        // a torn line: ignored
      }
    });
    if (!last) continue;
    let parent = last.uuid as string;
    let text = "";
    for (let i = 0; i < args.appendLinesPerFile; i += 1) {
      const uuid = randomUUID();
      text += `${JSON.stringify({ ...last, uuid, parentUuid: parent, timestamp: new Date().toISOString() })}\n`;
      parent = uuid;
      appendedLines += 1;
    }
    originalSizes.set(path, statSync(path).size);
    appendFileSync(path, text);
    appendedBytes += Buffer.byteLength(text);
  }
  const before = bytesReadSoFar();
  const jsBefore = jsBytesRead();
  await sync.scan();
  const bytesRead = bytesReadSoFar() - before;
  const transcriptBytesRead = jsBytesRead() - jsBefore;
  // Put the corpus back as generated, so the next run (which reuses it) starts from the same files.
  for (const [path, size] of originalSizes) truncateSync(path, size);
  result.rescan = {
    seconds: unchangedSeconds,
    unchangedBytesRead,
    transcriptBytesRead,
    files: files.length,
    appendedLines,
    appendedBytes,
    bytesRead,
    rowsAdded: countRows() - rows,
  };
  result.maxRssMb = process.resourceUsage().maxRSS / 1024;
  return result;
}

await workerMain(syncImport);
