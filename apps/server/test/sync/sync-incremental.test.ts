import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FIXTURES, tempDir } from "../support/temp.ts";
import { createTestServices } from "../support/in-process.ts";
import { createLogger } from "../../src/logger.ts";
import { SyncService } from "../../src/sync/sync-service.ts";

const SOURCE = join(FIXTURES, "generated/09-long/transcripts/-home-user-project-long/655016c5-db69-45ca-b921-b28321eee1ad.jsonl");
const SID = "655016c5-db69-45ca-b921-b28321eee1ad";

function userLine(text: string): string {
  return JSON.stringify({
    type: "user",
    uuid: randomUUID(),
    sessionId: SID,
    timestamp: new Date().toISOString(),
    message: { role: "user", content: text },
  });
}

// Acceptance 2: re-scans read only what is new; appends, partial lines, truncation and replacement.
describe("sync: incremental re-scan", () => {
  let dir: ReturnType<typeof tempDir>;
  let services: ReturnType<typeof createTestServices>;
  let file: string;
  let initialLines: number;

  beforeEach(async () => {
    dir = tempDir("ils-sync-inc-");
    const project = join(dir.path, "claude", "projects", "-home-user-project-long");
    mkdirSync(project, { recursive: true });
    file = join(project, `${SID}.jsonl`);
    writeFileSync(file, readFileSync(SOURCE));
    initialLines = readFileSync(SOURCE, "utf8").trim().split("\n").length;
    services = createTestServices({ ILS_CLAUDE_DIR: join(dir.path, "claude") });
    const first = await services.sync.scan();
    expect(first.imported).toBe(initialLines);
  });
  afterEach(() => {
    services.cleanup();
    dir.cleanup();
  });

  const count = () => services.sessions.findByClaudeSessionId(SID)!.messageCount;

  it("reads 0 bytes when nothing changed", async () => {
    const again = await services.sync.scan();
    expect(again).toMatchObject({ files: 1, filesRead: 0, bytesRead: 0, lines: 0, imported: 0 });
    expect(count()).toBe(initialLines);
  });

  it("imports exactly the N appended lines and reads only the appended bytes", async () => {
    const added = Array.from({ length: 7 }, (_, i) => userLine(`appended ${i}`)).join("\n") + "\n";
    appendFileSync(file, added);
    const report = await services.sync.scan();
    expect(report.imported).toBe(7);
    expect(report.bytesRead).toBe(Buffer.byteLength(added));
    expect(count()).toBe(initialLines + 7);
    expect((await services.sync.scan()).bytesRead).toBe(0);
  });

  it("imports a partial last line once, after it is completed", async () => {
    const line = userLine("written in two parts");
    appendFileSync(file, line.slice(0, 40));
    const partial = await services.sync.scan();
    expect(partial.imported).toBe(0);
    expect(partial.malformed.count).toBe(0);
    expect((await services.sync.scan()).bytesRead).toBe(0);
    appendFileSync(file, `${line.slice(40)}\n`);
    const completed = await services.sync.scan();
    expect(completed.imported).toBe(1);
    expect(completed.bytesRead).toBe(Buffer.byteLength(line) + 1);
    const last = services.db
      .prepare(`SELECT content FROM Message WHERE sessionId = ? ORDER BY seq DESC LIMIT 1`)
      .pluck()
      .get(services.sessions.findByClaudeSessionId(SID)!.id);
    expect(last).toBe(line);
    expect((await services.sync.scan()).imported).toBe(0);
    expect(count()).toBe(initialLines + 1);
  });

  it("re-reads a truncated file from the start without duplicates, then follows new appends", async () => {
    const lines = readFileSync(file, "utf8").split("\n");
    truncateSync(file, Buffer.byteLength(lines.slice(0, 5).join("\n") + "\n"));
    const report = await services.sync.scan();
    expect(report.bytesRead).toBeGreaterThan(0);
    expect(report.imported).toBe(0);
    expect(report.skipped).toBe(5);
    appendFileSync(file, `${userLine("after truncation")}\n`);
    expect((await services.sync.scan()).imported).toBe(1);
    expect(count()).toBe(initialLines + 1);
  });

  it("re-reads a replaced file (new inode) and stores only its new lines", async () => {
    const replacement = `${file}.tmp`;
    writeFileSync(replacement, readFileSync(file, "utf8") + `${userLine("new 1")}\n${userLine("new 2")}\n`);
    renameSync(replacement, file);
    const report = await services.sync.scan();
    expect(report.imported).toBe(2);
    expect(count()).toBe(initialLines + 2);
  });

  it("re-scans many unchanged files with stat only", async () => {
    const project = join(dir.path, "claude", "projects", "many");
    mkdirSync(project);
    for (let i = 0; i < 150; i++) writeFileSync(join(project, `${randomUUID()}.jsonl`), `${userLine(`file ${i}`)}\n`);
    const first = await services.sync.scan();
    expect(first).toMatchObject({ files: 151, filesRead: 150, imported: 150, sessionsCreated: 150 });
    const again = await services.sync.scan();
    expect(again).toMatchObject({ files: 151, filesRead: 0, bytesRead: 0, imported: 0 });
  });

  it("stop() interrupts a running scan between batches; the next scan continues without duplicates", async () => {
    services.db.prepare(`DELETE FROM Session`).run();
    services.db.prepare(`DELETE FROM SyncFile`).run();
    const claudeDir = join(dir.path, "claude");
    const first = new SyncService(services.db, services.sessions, services.ingest, claudeDir, createLogger("silent"), { batchLines: 5 });
    let stopping: Promise<void> | undefined;
    const partial = await first.scan((progress) => {
      if (progress.bytesRead > 0) stopping ??= first.stop();
    });
    await stopping;
    expect(partial.imported).toBeGreaterThan(0);
    expect(partial.imported).toBeLessThan(initialLines);
    const second = new SyncService(services.db, services.sessions, services.ingest, claudeDir, createLogger("silent"));
    const rest = await second.scan();
    expect(rest.imported).toBe(initialLines - partial.imported);
    expect(count()).toBe(initialLines);
  });

  it("watch mode imports new lines and survives the folder not existing at start", async () => {
    const other = tempDir("ils-sync-watch-");
    const watched = createTestServices({ ILS_CLAUDE_DIR: join(other.path, "not-yet") });
    try {
      watched.sync.watch({ debounceMs: 50, pollMs: 300 });
      const project = join(other.path, "not-yet", "projects", "p");
      mkdirSync(project, { recursive: true });
      const sid = randomUUID();
      writeFileSync(join(project, `${sid}.jsonl`), `${userLine("hello")}\n`);
      await until(() => watched.sessions.findByClaudeSessionId(sid)?.messageCount === 1);
      appendFileSync(join(project, `${sid}.jsonl`), `${userLine("again")}\n`);
      await until(() => watched.sessions.findByClaudeSessionId(sid)?.messageCount === 2);
    } finally {
      await watched.sync.stop();
      watched.cleanup();
      other.cleanup();
    }
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
