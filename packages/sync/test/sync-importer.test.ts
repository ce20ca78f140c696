import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { TranscriptImporter, type FileState, type SyncEntry, type SyncSink } from "../src/index.ts";

/** A sink kept in memory: @ils/sync is storage-agnostic, the server's SQLite sink is tested in apps/server. */
class MemorySink implements SyncSink {
  readonly states = new Map<string, FileState>();
  readonly sessions = new Map<string, { claudeSessionId: string; parent: string | null; keys: Set<string>; lines: string[] }>();
  failOn: string | undefined;
  fileStates() {
    return new Map(this.states);
  }
  saveFileState(relPath: string, state: FileState) {
    this.states.set(relPath, state);
  }
  sessionExists(id: string) {
    return this.sessions.has(id);
  }
  resolveSession(target: Parameters<SyncSink["resolveSession"]>[0]) {
    for (const [id, s] of this.sessions) if (s.claudeSessionId === target.claudeSessionId) return { sessionId: id, created: false };
    const parent = [...this.sessions].find(([, s]) => s.claudeSessionId === target.parentClaudeSessionId)?.[0] ?? null;
    const id = `s${this.sessions.size + 1}`;
    this.sessions.set(id, { claudeSessionId: target.claudeSessionId, parent, keys: new Set(), lines: [] });
    return { sessionId: id, created: true };
  }
  append(id: string, entries: SyncEntry[]) {
    const session = this.sessions.get(id)!;
    if (this.failOn && session.claudeSessionId === this.failOn) throw new Error("disk full");
    let inserted = 0;
    for (const e of entries) {
      const key = (e.value.uuid as string | undefined) ?? e.key!;
      if (session.keys.has(key)) continue;
      session.keys.add(key);
      session.lines.push(e.raw);
      inserted += 1;
    }
    return inserted;
  }
  applyMeta() {}
}

const dir = mkdtempSync(join(tmpdir(), "ils-importer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("TranscriptImporter", () => {
  it("keeps going when one file fails, reports it, and continues that file on the next scan", async () => {
    const projects = join(dir, "projects");
    mkdirSync(join(projects, "p", "a", "subagents"), { recursive: true });
    writeFileSync(join(projects, "p", "a.jsonl"), '{"type":"user","uuid":"1"}\n{"type":"x"}\n');
    writeFileSync(join(projects, "p", "b.jsonl"), '{"type":"user","uuid":"2"}\n');
    writeFileSync(join(projects, "p", "a", "subagents", "agent-z.jsonl"), '{"type":"user","uuid":"3","isSidechain":true}\n');
    const sink = new MemorySink();
    sink.failOn = "p/b";
    const importer = new TranscriptImporter(sink, { batchLines: 1 });
    const first = await importer.scan(projects);
    expect(first.failedFiles).toEqual([{ file: "p/b.jsonl", reason: "disk full" }]);
    expect(first.imported).toBe(3);
    const byClaude = (c: string) => [...sink.sessions.values()].find((s) => s.claudeSessionId === c);
    expect(byClaude("p/a")!.lines).toEqual(['{"type":"user","uuid":"1"}', '{"type":"x"}']);
    expect(byClaude("p/a/agent-z")!.parent).toBe([...sink.sessions].find(([, s]) => s.claudeSessionId === "p/a")![0]);

    sink.failOn = undefined;
    const second = await importer.scan(projects);
    expect(second).toMatchObject({ filesRead: 1, imported: 1, failedFiles: [] });
    expect(byClaude("p/b")!.lines).toEqual(['{"type":"user","uuid":"2"}']);
  });
});
