import { readFileSync, rmSync, writeFileSync } from "node:fs";

/**
 * `<ILS_DB>.server.json`: written by a running server next to its database, removed when it stops. `ils sync`
 * reads it to send its scan to that server instead of writing the file itself. A crash leaves it behind: a
 * file whose pid is not alive is stale and ignored. It holds no secret (the token is never written).
 */
export interface ServerFile {
  pid: number;
  url: string;
  /** The server's ILS_CLAUDE_DIR: its scan only covers that folder. */
  claudeDir: string;
  startedAt: string;
}

export function serverFilePath(databasePath: string): string {
  return `${databasePath}.server.json`;
}

/** Writes the file; returns the function that removes it (only if it is still this process's). */
export function writeServerFile(databasePath: string, info: Omit<ServerFile, "pid" | "startedAt">): () => void {
  const path = serverFilePath(databasePath);
  const content: ServerFile = { pid: process.pid, ...info, startedAt: new Date().toISOString() };
  writeFileSync(path, `${JSON.stringify(content)}\n`, { mode: 0o600 });
  return () => {
    // A second server on the same file may have replaced it: leave that one's.
    if (readServerFile(databasePath, () => true)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/** The running server's file, or undefined when there is none or its process is gone. */
export function readServerFile(databasePath: string, alive: (pid: number) => boolean = isAlive): ServerFile | undefined {
  let parsed: Partial<ServerFile>;
  try {
    parsed = JSON.parse(readFileSync(serverFilePath(databasePath), "utf8")) as Partial<ServerFile>;
  } catch {
    return undefined;
  }
  if (typeof parsed.pid !== "number" || typeof parsed.url !== "string" || typeof parsed.claudeDir !== "string") return undefined;
  return alive(parsed.pid) ? (parsed as ServerFile) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, owned by someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
