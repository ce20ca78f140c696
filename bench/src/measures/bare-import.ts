import { randomUUID } from "node:crypto";
import { basename, dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { applyMigrations } from "@ils/server/bench-api";
import { workerMain } from "../support/child.ts";
import { forEachLine, listTranscripts } from "../support/files.ts";
import { nowMs } from "../support/stats.ts";

/**
 * The baseline for bulk import: read, parse and insert the same transcripts into the same schema with
 * batched prepared statements, and nothing else (no classification, stats, session linking or sync state,
 * and no search index: the insert trigger only queues each row, which the bare script never indexes).
 */
export interface BareImportResult {
  seconds: number;
  rows: number;
  bytes: number;
  files: number;
  maxRssMb: number;
}

function bareImport(args: { claudeDir: string; db: string }): BareImportResult {
  const db = new BetterSqlite3(args.db);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  applyMigrations(db);
  const started = nowMs();
  const insertSession = db.prepare(
    `INSERT INTO Session (id, claudeSessionId, projectName, source, createdAt, lastActiveAt) VALUES (?, ?, ?, 'external', ?, ?)`,
  );
  const insertMessage = db.prepare(
    `INSERT OR IGNORE INTO Message (id, sessionId, seq, type, subtype, role, uuid, content, timestamp, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  type Pending = [string, string, number, string, string | null, string | null, string | null, string, string | null, string];
  const flush = db.transaction((batch: Pending[]) => {
    for (const row of batch) insertMessage.run(...row);
  });
  const now = new Date().toISOString();
  let rows = 0;
  let bytes = 0;
  const files = listTranscripts(args.claudeDir);
  for (const path of files) {
    const sessionId = randomUUID();
    insertSession.run(sessionId, `${basename(dirname(path))}/${basename(path)}`, basename(dirname(path)), now, now);
    let seq = 0;
    let batch: Pending[] = [];
    bytes += forEachLine(path, (line, offset) => {
      let v: { uuid?: unknown; type?: unknown; subtype?: string | null; message?: { role?: string | null }; timestamp?: string | null };
      try {
        v = JSON.parse(line);
      } catch {
        return;
      }
      seq += 1;
      const uuid = typeof v.uuid === "string" ? v.uuid : `${path}:${offset}`;
      batch.push([
        randomUUID(),
        sessionId,
        seq,
        String(v.type ?? "unknown"),
        v.subtype ?? null,
        v.message?.role ?? null,
        uuid,
        line,
        v.timestamp ?? null,
        now,
      ]);
      if (batch.length >= 1000) {
        flush(batch);
        rows += batch.length;
        batch = [];
      }
    });
    flush(batch);
    rows += batch.length;
  }
  const seconds = (nowMs() - started) / 1000;
  db.close();
  return { seconds, rows, bytes, files: files.length, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

await workerMain(bareImport);
