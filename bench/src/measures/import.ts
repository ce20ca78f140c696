import { statSync } from "node:fs";
import { join } from "node:path";
import { runWorker } from "../support/child.ts";
import { listTranscripts } from "../support/files.ts";
import { failed, notBuilt, type Row } from "../support/row.ts";
import { fmt, mb, nowMs } from "../support/stats.ts";
import type { BareImportResult } from "./bare-import.ts";
import type { BenchContext } from "./context.ts";
import type { SyncImportResult } from "./sync-import.ts";

const BARE = new URL("./bare-import.ts", import.meta.url);
const SYNC = new URL("./sync-import.ts", import.meta.url);

/** Measures 1 (bulk import), 2 (re-scan) and 5 (peak RSS on one huge transcript), each process on its own. */
export async function measureImport(ctx: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  const { manifest } = ctx;
  const bareDb = join(ctx.workDir, "bare.db");
  const syncDb = join(ctx.workDir, "sync.db");

  ctx.log("1. bare import ...");
  const bare = await runWorker<BareImportResult>(BARE, { claudeDir: manifest.claudeDir, db: bareDb });
  ctx.largestDb = bareDb;
  ctx.log("1. sync import ...");
  const appendFiles = 10;
  const appendLinesPerFile = 20;
  const sync = await runWorker<SyncImportResult>(SYNC, {
    claudeDir: manifest.claudeDir,
    db: syncDb,
    rescan: true,
    appendFiles,
    appendLinesPerFile,
  }).catch((error: unknown) => error as Error);
  const importTarget = ">= 0.5x bare MB/s";
  const bareMbs = mb(bare.bytes) / bare.seconds;
  const bareLabel = `bare ${fmt(bareMbs)} MB/s, ${fmt(bare.rows / bare.seconds, 0)} rows/s`;
  const importMeasure = `1. bulk import (${fmt(mb(bare.bytes), 0)} MB, ${bare.files.toLocaleString("en-US")} files, ${bare.rows.toLocaleString("en-US")} lines)`;
  if (sync instanceof Error) {
    rows.push({ ...failed(importMeasure, importTarget, sync), baseline: bareLabel });
  } else if (sync.notBuilt) {
    rows.push({ ...notBuilt(importMeasure, importTarget, "services.sync"), baseline: bareLabel });
    rows.push(notBuilt("2. re-scan, unchanged files", "<= 50 ms / 1,000 files", "services.sync"));
    rows.push(notBuilt("2. re-scan after appending lines", "<= 1.1x bytes appended", "services.sync"));
  } else {
    ctx.largestDb = syncDb;
    ctx.syncDb = syncDb;
    const syncMbs = mb(bare.bytes) / sync.seconds;
    rows.push({
      measure: importMeasure,
      result: `sync ${fmt(syncMbs)} MB/s, ${fmt(sync.rows / sync.seconds, 0)} rows/s (${sync.rows.toLocaleString("en-US")} rows, ${fmt(sync.seconds)} s)`,
      baseline: bareLabel,
      ratio: `${fmt(syncMbs / bareMbs)}x`,
      target: importTarget,
      pass: syncMbs / bareMbs >= 0.5,
    });
    const r = sync.rescan;
    if (r) {
      // Baseline: what the re-scan cannot avoid, one stat() per file.
      const files = listTranscripts(manifest.claudeDir);
      const statStarted = nowMs();
      for (const path of files) statSync(path);
      const statPer1000 = ((nowMs() - statStarted) / files.length) * 1000;
      const per1000 = ((r.seconds * 1000) / r.files) * 1000;
      rows.push({
        measure: `2. re-scan, ${r.files.toLocaleString("en-US")} unchanged files`,
        result: `${fmt(per1000)} ms / 1,000 files`,
        baseline: `stat() only ${fmt(statPer1000)} ms / 1,000 files`,
        ratio: `${fmt(per1000 / statPer1000, 1)}x`,
        target: "<= 50 ms / 1,000 files",
        pass: per1000 <= 50,
      });
      // File bytes the sync read through JS (the transcripts); rchar also counts SQLite's page reads (FTS, indexes).
      const read = r.transcriptBytesRead;
      rows.push({
        measure: `2. re-scan after appending ${r.appendedLines} lines to ${appendFiles} files`,
        result: `${read.toLocaleString("en-US")} transcript bytes read, ${r.rowsAdded} rows added (process rchar ${r.bytesRead.toLocaleString("en-US")}, incl. SQLite pages)`,
        baseline: `${r.appendedBytes.toLocaleString("en-US")} bytes appended`,
        ratio: `${fmt(read / r.appendedBytes)}x`,
        target: "<= 1.1x bytes appended",
        pass: read <= 1.1 * r.appendedBytes && r.rowsAdded === r.appendedLines,
      });
    }
  }

  ctx.log("5. peak RSS, one huge transcript ...");
  const rssMeasure = `5. peak RSS importing one ${fmt(mb(manifest.single.bytes), 0)} MB transcript`;
  const bareSingle = await runWorker<BareImportResult>(BARE, {
    claudeDir: manifest.single.claudeDir,
    db: join(ctx.workDir, "bare-single.db"),
  });
  const syncSingle = await runWorker<SyncImportResult>(SYNC, {
    claudeDir: manifest.single.claudeDir,
    db: join(ctx.workDir, "sync-single.db"),
    rescan: false,
    appendFiles: 0,
    appendLinesPerFile: 0,
  }).catch((error: unknown) => error as Error);
  const rssBaseline = `bare import ${fmt(bareSingle.maxRssMb, 0)} MB`;
  if (syncSingle instanceof Error) rows.push({ ...failed(rssMeasure, "< 300 MB", syncSingle), baseline: rssBaseline });
  else if (syncSingle.notBuilt) rows.push({ ...notBuilt(rssMeasure, "< 300 MB", "services.sync"), baseline: rssBaseline });
  else {
    rows.push({
      measure: rssMeasure,
      result: `${fmt(syncSingle.maxRssMb, 0)} MB (${syncSingle.rows.toLocaleString("en-US")} rows in ${fmt(syncSingle.seconds)} s)`,
      baseline: rssBaseline,
      ratio: `${fmt(syncSingle.maxRssMb / bareSingle.maxRssMb)}x`,
      target: "< 300 MB",
      pass: syncSingle.maxRssMb < 300,
    });
  }
  return rows;
}
