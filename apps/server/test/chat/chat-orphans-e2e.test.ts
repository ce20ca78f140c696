import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Session } from "@ils/contracts";
import { argvLog, FAKE_CLAUDE, isAlive } from "./chat-support.ts";
import { call } from "./chat-sse-support.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";

const dir = tempDir("ils-orphans-");
const project = join(dir.path, "project");
mkdirSync(project);
const argvFile = join(dir.path, "argv.jsonl");
const env = {
  ILS_DB: join(dir.path, "data", "ils.db"),
  ILS_CLAUDE_BIN: FAKE_CLAUDE,
  ILS_DEFAULT_PROJECT_DIR: project,
  FAKE_CLAUDE_ARGV_LOG: argvFile,
};
let server: ServerProcess | undefined;
/** A line of the fake CLI's argv log: the CLI's own (`argv`) or its tool's (`toolPid`). */
type ArgvLine = { pid: number; argv?: string[]; toolPid?: number };

afterAll(async () => {
  await server?.stop();
  for (const c of argvLog(argvFile) as ArgvLine[])
    for (const pid of [c.pid, c.toolPid]) if (pid && isAlive(pid)) process.kill(pid, "SIGKILL");
  dir.cleanup();
});

async function waitFor(probe: () => boolean | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe("orphans after a crash", () => {
  it("kill -9 of the server while a run's tool is `sleep 30`, 10 trials: after restart no process of the run is alive within 5 s, the runs are interrupted", async () => {
    server = await startServerProcess(env);
    for (let trial = 0; trial < 10; trial++) {
      const session = await call<Session>(server.url, "sessions.create", { projectPath: project });
      const before = argvLog(argvFile).length;
      const { runId } = await call<{ runId: string }>(server.url, "chat.send", { sessionId: session.id, prompt: "[fake sleep=30]" });
      let claude: ArgvLine | undefined;
      let tool: ArgvLine | undefined;
      expect(
        await waitFor(() => {
          const lines = argvLog(argvFile).slice(before) as ArgvLine[];
          claude = lines.find((c) => c.argv);
          tool = claude && lines.find((c) => c.pid === claude!.pid && c.toolPid);
          return Boolean(tool);
        }, 10_000),
      ).toBe(true);
      // The server has recorded the tool as the CLI's descendant (the tracker polls).
      const db = new Database(env.ILS_DB, { readonly: true });
      expect(
        await waitFor(
          () =>
            String(db.prepare(`SELECT descendants FROM ClaudeProcess WHERE pid = ?`).pluck().get(claude!.pid)).includes(
              String(tool!.toolPid),
            ),
          5_000,
        ),
      ).toBe(true);
      db.close();
      await server.kill9();
      expect(isAlive(tool!.toolPid!)).toBe(true); // the crash itself kills nothing

      server = await startServerProcess(env);
      expect(await waitFor(() => !isAlive(tool!.toolPid!) && !isAlive(claude!.pid), 5_000)).toBe(true);
      const check = new Database(env.ILS_DB, { readonly: true });
      expect(check.prepare(`SELECT state FROM ChatRun WHERE id = ?`).pluck().get(runId)).toBe("interrupted");
      check.close();
      const after = await call<Session>(server.url, "sessions.get", { sessionId: session.id });
      expect(after.lastError).toMatch(/interrupted/);
    }
  }, 240_000);
});
