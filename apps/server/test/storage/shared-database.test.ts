import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ScanReport } from "@ils/contracts";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorpusGenerator } from "../../../../bench/src/corpus/generate.ts";
import { loadConfig } from "../../src/config/config.ts";
import { openDatabase } from "../../src/db/database.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { openPrisma } from "../../src/db/prisma.ts";
import { createLogger } from "../../src/logger.ts";
import { IngestService } from "../../src/messages/ingest-service.ts";
import { MessageBus } from "../../src/messages/message-bus.ts";
import { projectDirectories } from "../../src/projects/project-path.ts";
import { ProjectService } from "../../src/projects/project-service.ts";
import { SessionService } from "../../src/sessions/session-service.ts";
import { SyncService } from "../../src/sync/sync-service.ts";
import { FAKE_CLAUDE } from "../chat/chat-support.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";

const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
const STREAMS = 5;
const MIN_RUNS = 50;
/** 02-tools with its middle replayed, 2 ms apart. */
const PROMPT = "[fake scenario=02-tools repeat=5 delay=2]";

/**
 * Two corpora from the bench's generator (real templates, sub-agents): the first in the Claude folder, the
 * second aside, added before the second pass. Old mtimes, as in a real ~/.claude (a fresh transcript may be a
 * live run's own and is left for a later scan).
 */
function generateCorpus(root: string): { claudeDir: string; addSecond(): void; removeSecond(): void } {
  const claudeDir = join(root, "claude");
  const make = (name: string, seed: number) => {
    new CorpusGenerator(join(root, name), "quick", seed, FIXTURES).run();
    rmSync(join(root, name, "single"), { recursive: true, force: true });
    const projects = join(root, name, "claude", "projects");
    makeOld(projects);
    return projects;
  };
  mkdirSync(join(claudeDir, "projects"), { recursive: true });
  const first = make("a", 7);
  for (const project of readdirSync(first)) cpDir(join(first, project), join(claudeDir, "projects", `a${project}`));
  const second = make("b", 8);
  return {
    claudeDir,
    addSecond: () => {
      for (const project of readdirSync(second)) cpDir(join(second, project), join(claudeDir, "projects", `b${project}`));
    },
    removeSecond: () => {
      for (const project of readdirSync(second)) rmSync(join(claudeDir, "projects", `b${project}`), { recursive: true, force: true });
    },
  };
}

function makeOld(dir: string): void {
  const old = new Date(Date.now() - 86_400_000);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) makeOld(path);
    else utimesSync(path, old, old);
  }
}

/** Copies a folder, keeping each file's mtime. */
function cpDir(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) cpDir(source, target);
    else {
      copyFileSync(source, target);
      const { atime, mtime } = statSync(source);
      utimesSync(target, atime, mtime);
    }
  }
}

/** How many lines the stand-in prints for PROMPT (each is stored; there are no stream_event lines). */
function linesPerRun(): number {
  const out = spawnSync(process.execPath, [FAKE_CLAUDE, "-p", PROMPT, "--output-format", "stream-json", "--verbose"], { encoding: "utf8" });
  return out.stdout.split("\n").filter((line) => line.trim() !== "" && !line.includes('"type":"stream_event"')).length;
}

/** `ils sync` as a user types it, a real process. */
function cliSync(db: string, claudeDir: string, direct: boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const args = [CLI, "sync", "--json", "--db", db, "--claude-dir", claudeDir, ...(direct ? ["--direct"] : [])];
    const child = spawn(TSX, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ILS_LOG_LEVEL: "", ILS_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** One run over REST SSE (`POST /chat/stream`, closes when the run ends); returns the events' types. */
async function streamRun(url: string, sessionId: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/chat/stream`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ prompt: PROMPT, sessionId }),
  });
  if (!res.ok) return [`http ${res.status}`];
  const text = await res.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => (JSON.parse(line.slice(5)) as { type: string }).type);
}

/** Messages of every imported (external) session, keyed by Claude session id: the rows a clean import makes. */
function importedRows(db: BetterSqlite3.Database): Map<string, string[]> {
  const rows = db
    .prepare(
      `SELECT s.claudeSessionId AS sid, m.content FROM Message m JOIN Session s ON s.id = m.sessionId WHERE s.source = 'external' ORDER BY s.claudeSessionId, m.seq`,
    )
    .all() as { sid: string; content: string }[];
  const bySession = new Map<string, string[]>();
  for (const row of rows) bySession.set(row.sid, [...(bySession.get(row.sid) ?? []), row.content]);
  return bySession;
}

describe("a server streaming chat runs while `ils sync` imports into the same database file", () => {
  const dir = tempDir("ils-shared-");
  let corpus: ReturnType<typeof generateCorpus>;
  let reference: Map<string, string[]>;
  let LINES_PER_RUN: number;

  beforeAll(async () => {
    LINES_PER_RUN = linesPerRun();
    corpus = generateCorpus(dir.path);
    corpus.addSecond();
    // The reference: the same folder imported alone into a fresh file.
    const db = openDatabase(join(dir.path, "reference.db"));
    applyMigrations(db);
    const directories = projectDirectories(loadConfig({ ILS_DB: join(dir.path, "reference.db"), ILS_PROJECT_ROOTS: tmpdir() }));
    const prisma = openPrisma(join(dir.path, "reference.db"));
    const sessions = new SessionService(db, prisma, directories, new ProjectService(prisma, directories));
    const sync = new SyncService(db, sessions, new IngestService(db, new MessageBus()), corpus.claudeDir, createLogger("silent"));
    await sync.scan();
    reference = importedRows(db);
    await prisma.$disconnect();
    db.close();
  }, 120_000);
  afterAll(() => dir.cleanup());

  for (const direct of [false, true]) {
    const how = direct ? "`ils sync --direct` writes the file itself beside the server" : "`ils sync` asks the server to scan";
    it(`${how}: ${MIN_RUNS}+ runs, 0 failed runs, 0 failed files, 0 lost or duplicated rows, over two passes`, async () => {
      // The database lives in a data folder of its own: Claude Code never runs there.
      mkdirSync(join(dir.path, "data"), { recursive: true });
      const db = join(dir.path, "data", direct ? "direct.db" : "via-server.db");
      // Each case starts from the first corpus only.
      corpus.removeSecond();
      const server: ServerProcess = await startServerProcess({
        ILS_DB: db,
        ILS_CLAUDE_BIN: FAKE_CLAUDE,
        ILS_CLAUDE_DIR: corpus.claudeDir,
        ILS_DEFAULT_PROJECT_DIR: dir.path,
      });
      try {
        const sessions = await Promise.all(
          Array.from({ length: STREAMS }, async () => {
            const res = await fetch(`${server.url}/api/v1/sessions`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ projectPath: dir.path }),
            });
            return ((await res.json()) as { data: { id: string } }).data.id;
          }),
        );
        let syncing = true;
        const runs: { session: string; types: string[]; during: boolean }[] = [];
        const streams = sessions.map(async (session) => {
          while (syncing || runs.length < MIN_RUNS) {
            const during = syncing;
            runs.push({ session, types: await streamRun(server.url, session), during });
          }
        });

        const passes: ScanReport[] = [];
        try {
          for (const pass of [1, 2]) {
            // New transcripts between the passes, so the second one imports too (not only a no-op re-scan).
            if (pass === 2) corpus.addSecond();
            const result = await cliSync(db, corpus.claudeDir, direct);
            expect(result.code, result.stderr).toBe(0);
            expect(result.stderr).toContain(`a server is running on ${db}`);
            passes.push(ScanReport.parse(JSON.parse(result.stdout)));
          }
        } finally {
          syncing = false;
          await Promise.all(streams);
        }

        for (const report of passes) {
          expect(report.failedFiles).toEqual([]);
          expect(report.deferred).toBe(0);
        }
        expect(passes[0]!.imported).toBeGreaterThan(0);
        expect(passes[1]!.imported).toBeGreaterThan(0);

        // Every run streamed to its end without an error, also those that ran while the sync wrote.
        expect(runs.length).toBeGreaterThanOrEqual(MIN_RUNS);
        expect(runs.filter((r) => r.during).length).toBeGreaterThan(0);
        const failedRuns = runs.filter((r) => r.types.includes("error") || !r.types.includes("result"));
        expect(failedRuns.map((r) => r.types.filter((t) => t !== "assistant" && t !== "user"))).toEqual([]);

        await server.stop();
        const check = new BetterSqlite3(db, { readonly: true });
        try {
          // Run sessions: every printed line and each prompt stored once, seq without a gap, status completed.
          for (const session of sessions) {
            const count = runs.filter((r) => r.session === session).length;
            const row = check.prepare(`SELECT status, lastError, lastSeq, messageCount FROM Session WHERE id = ?`).get(session) as Record<
              string,
              unknown
            >;
            expect(row).toMatchObject({
              status: "completed",
              lastError: null,
              lastSeq: count * (LINES_PER_RUN + 1),
              messageCount: count * (LINES_PER_RUN + 1),
            });
            const seqs = check
              .prepare(`SELECT count(*) AS n, count(DISTINCT seq) AS d, max(seq) AS m FROM Message WHERE sessionId = ?`)
              .get(session);
            expect(seqs).toEqual({ n: count * (LINES_PER_RUN + 1), d: count * (LINES_PER_RUN + 1), m: count * (LINES_PER_RUN + 1) });
          }
          // Imported sessions: exactly the rows of the reference import, in the same order.
          const imported = importedRows(check);
          expect(imported.size).toBe(reference.size);
          for (const [sid, contents] of reference) expect(imported.get(sid), sid).toEqual(contents);
        } finally {
          check.close();
        }
      } finally {
        await server.stop();
      }
    }, 300_000);
  }
});
