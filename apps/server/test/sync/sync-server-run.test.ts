import { copyFileSync, appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { startServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";
import { expectedLines, tryParse } from "./sync-fixtures.ts";

const SID = "707787de-f8f6-4883-bb83-4fbd3357c8e4";
const RESUME = join(FIXTURES, "generated/04-resume");
const transcript = (run: string) => join(RESUME, run, "transcripts/-home-user-project-resume", `${SID}.jsonl`);
const stdoutLines = (run: string) =>
  readFileSync(join(RESUME, run, "stdout.jsonl"), "utf8")
    .trim()
    .split("\n");

// Acceptance 4: a session the server ran, then found on disk, stays one session without duplicates.
describe("sync: a server-run session found on disk", () => {
  const dir = tempDir("ils-sync-run-");
  const claudeDir = join(dir.path, "claude");
  const services = createTestServices({ ILS_CLAUDE_DIR: claudeDir });
  afterAll(() => {
    services.cleanup();
    dir.cleanup();
  });

  it("merges the transcript into the server's session and then follows a terminal resume", async () => {
    // What the server stores while running `claude -p` (system/init links the Claude session id).
    const session = services.sessions.insert({ source: "ils", projectPath: "/home/user/project-resume", claudeSessionId: SID });
    const fromStdout = services.ingest.appendMessages(
      session.id,
      stdoutLines("run-1").map((raw) => ({ raw })),
    );
    expect(fromStdout).toHaveLength(3);
    const before = services.sessions.getRow(session.id);

    const project = join(claudeDir, "projects", "-home-user-project-resume");
    mkdirSync(project, { recursive: true });
    const file = join(project, `${SID}.jsonl`);
    copyFileSync(transcript("run-1"), file);
    const report = await services.sync.scan();

    const stdoutUuids = new Set(stdoutLines("run-1").map((l) => tryParse(l)!.uuid));
    const onDisk = expectedLines(file);
    const shared = onDisk.filter((l) => stdoutUuids.has(tryParse(l)!.uuid));
    expect(shared.length).toBeGreaterThan(0); // the assistant line is both on stdout and on disk
    expect(report).toMatchObject({ sessionsCreated: 0, sessions: 1, imported: onDisk.length - shared.length, skipped: shared.length });
    expect(services.db.prepare(`SELECT count(*) FROM Session`).pluck().get()).toBe(1);
    const after = services.sessions.getRow(session.id);
    expect(after.messageCount).toBe(3 + onDisk.length - shared.length);
    const duplicates = services.db
      .prepare(`SELECT uuid FROM Message WHERE sessionId = ? AND uuid IS NOT NULL GROUP BY uuid HAVING count(*) > 1`)
      .all(session.id);
    expect(duplicates).toEqual([]);
    // The server's own facts stay: source, and usage counted from its `result` lines.
    expect(after.source).toBe("ils");
    expect(after.inputTokens).toBe(before.inputTokens);
    expect(after.gitBranch).toBe("main");

    // `claude --resume` in a terminal appends to the same file: only the new lines are added.
    const run1 = readFileSync(transcript("run-1"));
    const run2 = readFileSync(transcript("run-2"));
    expect(run2.subarray(0, run1.length).equals(run1)).toBe(true);
    appendFileSync(file, run2.subarray(run1.length));
    const newLines = run2.subarray(run1.length).toString("utf8").trim().split("\n").length;
    const resumed = await services.sync.scan();
    expect(resumed).toMatchObject({ imported: newLines, skipped: 0, sessionsCreated: 0, bytesRead: run2.length - run1.length });
    expect(services.sessions.getRow(session.id).messageCount).toBe(after.messageCount + newLines);
    expect(services.db.prepare(`SELECT count(*) FROM Session`).pluck().get()).toBe(1);
  });
});

describe("sync: a transcript that appears while the server's run is starting", () => {
  const dir = tempDir("ils-sync-race-");
  const claudeDir = join(dir.path, "claude");
  const services = createTestServices({ ILS_CLAUDE_DIR: claudeDir });
  afterAll(() => {
    services.cleanup();
    dir.cleanup();
  });

  it("waits until the run's system/init links the Claude id, then imports into that run's session", async () => {
    // A run in progress whose init line has not arrived yet: it does not know its Claude id.
    const session = services.sessions.insert({ source: "ils", status: "active", projectPath: "/home/user/project-resume" });
    const project = join(claudeDir, "projects", "-home-user-project-resume");
    mkdirSync(project, { recursive: true });
    copyFileSync(transcript("run-1"), join(project, `${SID}.jsonl`));
    const early = await services.sync.scan();
    expect(early).toMatchObject({ deferred: 1, imported: 0, sessionsCreated: 0 });
    expect(services.db.prepare(`SELECT count(*) FROM Session`).pluck().get()).toBe(1);

    services.ingest.appendMessages(
      session.id,
      stdoutLines("run-1").map((raw) => ({ raw })),
    );
    expect(services.sessions.getRow(session.id).claudeSessionId).toBe(SID);
    const late = await services.sync.scan();
    expect(late).toMatchObject({ deferred: 0, sessionsCreated: 0, sessions: 1 });
    expect(late.imported).toBeGreaterThan(0);
    expect(services.db.prepare(`SELECT count(*) FROM Session`).pluck().get()).toBe(1);
  });
});

describe("sync: a real server (ILS_SYNC=watch) and sessions.scan over tRPC", () => {
  const dir = tempDir("ils-sync-rpc-");
  afterAll(() => dir.cleanup());

  it("imports at start, follows appends, and answers sessions.scan with a report", async () => {
    const project = join(dir.path, "claude", "projects", "-home-user-project-resume");
    mkdirSync(project, { recursive: true });
    const file = join(project, `${SID}.jsonl`);
    copyFileSync(transcript("run-1"), file);
    const server = await startServerProcess({
      ILS_DB: join(dir.path, "ils.db"),
      ILS_CLAUDE_DIR: join(dir.path, "claude"),
      ILS_SYNC: "watch",
    });
    const rpc = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${server.url}/trpc/${path}`, init);
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { data: { items: unknown[] } } }).result.data;
    };
    const listed = async () =>
      (await rpc(`sessions.list?input=${encodeURIComponent(JSON.stringify({ source: "external" }))}`)).items as {
        claudeSessionId: string;
        projectName: string;
        messageCount: number;
      }[];
    try {
      const deadline = Date.now() + 20_000;
      while ((await listed()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect((await listed()).map((s) => [s.claudeSessionId, s.projectName])).toEqual([[SID, "project-resume"]]);

      const run1 = readFileSync(transcript("run-1"));
      appendFileSync(file, readFileSync(transcript("run-2")).subarray(run1.length));
      // Scans run one after another, so when this one returns the appended lines are stored (by it or the watcher).
      const report = await rpc("sessions.scan", { method: "POST", headers: { "content-type": "application/json" } });
      expect(report).toMatchObject({ files: 1, malformed: { count: 0 } });
      expect((await listed())[0]!.messageCount).toBe(expectedLines(transcript("run-2")).length);
    } finally {
      await server.stop();
    }
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
