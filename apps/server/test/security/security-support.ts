import { existsSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { argvLog, FAKE_CLAUDE } from "../chat/chat-support.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";

export interface Target {
  server: ServerProcess;
  dir: ReturnType<typeof tempDir>;
  /** Sessions in the server's database (read-only connection) and Claude processes the stand-in saw start. */
  counts(): { sessions: number; runs: number };
  cleanup(): Promise<void>;
}

/** A real server process with the stand-in Claude, whose every start is logged, on a fresh database. */
export async function startTarget(env: Record<string, string> = {}): Promise<Target> {
  const dir = tempDir("ils-sec-");
  const argvFile = join(dir.path, "argv.jsonl");
  // The database in a folder of its own: the server's data folder is never a project directory.
  const dbFile = join(dir.path, "data", "ils.db");
  const server = await startServerProcess({
    ILS_DB: dbFile,
    ILS_CLAUDE_BIN: FAKE_CLAUDE,
    ILS_DEFAULT_PROJECT_DIR: dir.path,
    ILS_PROJECT_ROOTS: dir.path,
    FAKE_CLAUDE_ARGV_LOG: argvFile,
    ...env,
  });
  return {
    server,
    dir,
    counts() {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const sessions = (db.prepare("SELECT count(*) AS n FROM Session").get() as { n: number }).n;
        return { sessions, runs: existsSync(argvFile) ? argvLog(argvFile).length : 0 };
      } finally {
        db.close();
      }
    },
    async cleanup() {
      await server.stop();
      dir.cleanup();
    },
  };
}

/** A prompt the stand-in answers at once with a real recording. */
export const QUICK_PROMPT = "hi [fake scenario=01-simple delay=0]";
