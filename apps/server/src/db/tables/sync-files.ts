/**
 * Raw SQL on `SyncFile`: what the sync read of each transcript file (size, mtime, inode, offset, lines), so a
 * re-scan reads only what changed.
 *
 * Concurrency rule: one synchronous connection (`services.db`); `save` goes through db/write-retry.ts
 * `retryBusy`, so a second writer (`ils sync --direct`) makes it wait, not fail.
 *
 * Why raw: `@ils/sync`'s SyncSink is synchronous (BENCHMARKS.md rows 1 and 2: bulk import, and a re-scan at most
 * 50 ms per 1,000 files, which reads every row once and could not afford a Prisma query per file, ~2 ms each).
 */
import type { Database } from "../database.ts";
import type { SyncFileModel } from "../generated/models.ts";
import { retryBusy } from "../write-retry.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const SYNC_FILE_COLUMNS = [
  "path",
  "sessionId",
  "size",
  "mtimeMs",
  "inode",
  "offset",
  "lines",
  "updatedAt",
] as const satisfies readonly (keyof SyncFileModel)[];

export type SyncFileRow = Omit<SyncFileModel, "updatedAt">;

export const SYNC_FILE_SQL = {
  // Row 2: every file's state, read once per scan.
  all: `SELECT path, sessionId, size, mtimeMs, inode, offset, lines FROM SyncFile`,
  save: `INSERT INTO SyncFile (path, sessionId, size, mtimeMs, inode, offset, lines, updatedAt)
       VALUES (@path, @sessionId, @size, @mtimeMs, @inode, @offset, @lines, @updatedAt)
       ON CONFLICT (path) DO UPDATE SET sessionId = excluded.sessionId, size = excluded.size, mtimeMs = excluded.mtimeMs,
         inode = excluded.inode, offset = excluded.offset, lines = excluded.lines, updatedAt = excluded.updatedAt`,
} as const;

export const syncFileTable = perConnection((db: Database) => {
  const all = db.prepare<[], SyncFileRow>(SYNC_FILE_SQL.all);
  const save = db.prepare<[SyncFileModel]>(SYNC_FILE_SQL.save);
  return {
    all: (): Iterable<SyncFileRow> => all.iterate(),
    save: (row: SyncFileModel): void => void retryBusy(db, () => save.run(row)),
  };
});
