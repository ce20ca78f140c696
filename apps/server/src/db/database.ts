import { mkdirSync, statSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { retryBusy } from "./write-retry.ts";

export type Database = BetterSqlite3.Database;

/**
 * One synchronous connection for the whole process. WAL lets readers run beside the writer;
 * synchronous=NORMAL in WAL mode keeps every committed transaction across a process crash (kill -9),
 * and only a power cut can lose the last commits.
 */
export function openDatabase(path: string): Database {
  if (path !== ":memory:") createDatabaseFolder(path);
  const db = new BetterSqlite3(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  return db;
}

/**
 * The folder of the database, created when missing. A path through a regular file (`file.txt/ils.db`) fails
 * naming ILS_DB and that file, rather than mkdir's bare `EEXIST: file already exists, mkdir ...`.
 */
function createDatabaseFolder(path: string): void {
  const folder = dirname(path);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const file = firstNonFolder(folder);
    if (file) throw new Error(`ILS_DB: ${path} cannot be created: ${file} is a file, not a folder`, { cause: error });
    throw new Error(`ILS_DB: ${path} cannot be created: its folder ${folder} cannot be made (${code ?? (error as Error).message})`, {
      cause: error,
    });
  }
}

/** The first existing ancestor of `folder` (itself included) that is not a folder. */
function firstNonFolder(folder: string): string | undefined {
  for (let current = resolve(folder); ; current = dirname(current)) {
    const stat = existingStat(current);
    if (stat) return stat.isDirectory() ? undefined : current;
    if (dirname(current) === current) return undefined;
  }
}

/** Undefined when missing or unreachable (ENOTDIR: a file on the way). */
function existingStat(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

const READ_ONLY_CODES = /^(SQLITE_READONLY|SQLITE_CANTOPEN|EACCES|EROFS|EPERM)/;

/**
 * `openDatabase`, then proves the file can be written (a write transaction opened and rolled back), so a
 * read-only file or folder stops start-up with a message naming ILS_DB instead of SQLite's bare
 * `unable to open database file` on the first write.
 */
export function openWritableDatabase(path: string): Database {
  if (path !== ":memory:") {
    createDatabaseFolder(path);
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`ILS_DB: ${path} is a folder, not a database file`);
  }
  let db: Database | undefined;
  try {
    db = openDatabase(path);
    const opened = db;
    // BEGIN IMMEDIATE alone succeeds on a read-only file: only a real write (rolled back) finds out.
    retryBusy(opened, () => opened.exec("BEGIN IMMEDIATE"));
    try {
      db.exec("CREATE TABLE _ils_write_probe (x)");
    } finally {
      db.exec("ROLLBACK");
    }
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    if (code === "SQLITE_NOTADB")
      throw new Error(`ILS_DB: ${path} is not an SQLite database (SQLITE_NOTADB); set ILS_DB to another path`, { cause: error });
    if (typeof code === "string" && READ_ONLY_CODES.test(code)) {
      throw new Error(
        `ILS_DB: cannot write the database ${path}: the file or its folder is read-only (SQLite writes the file and creates ` +
          `${path}-wal and ${path}-shm next to it; ${code}: ${(error as Error).message}). Make both writable or set ILS_DB to another path.`,
        { cause: error },
      );
    }
    throw error;
  }
}
