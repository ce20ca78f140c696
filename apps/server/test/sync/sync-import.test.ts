import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScanReport, WIRE_DATE_PATTERN } from "@ils/contracts";
import { titleOf, type SessionRow } from "../../src/sessions/session-row.ts";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";
import { buildClaudeDir, expectedLines, transcriptFiles, tryParse } from "./sync-fixtures.ts";
import { readFileSync } from "node:fs";

// Acceptance 1: every line of the real transcripts is stored, byte for byte, in the right session.
describe("sync: import of the fixture transcripts", () => {
  const dir = tempDir("ils-sync-");
  const claudeDir = join(dir.path, "claude");
  let services: ReturnType<typeof createTestServices>;
  let projects: string;
  let report: ScanReport;

  beforeAll(async () => {
    projects = buildClaudeDir(claudeDir);
    services = createTestServices({ ILS_CLAUDE_DIR: claudeDir });
    report = await services.sync.scan();
  });
  afterAll(() => {
    services.cleanup();
    dir.cleanup();
  });

  const session = (claudeSessionId: string): SessionRow => {
    const row = services.sessions.findByClaudeSessionId(claudeSessionId);
    if (!row) throw new Error(`no session for ${claudeSessionId}`);
    return row;
  };
  const contents = (sessionId: string): string[] =>
    services.db.prepare(`SELECT content FROM Message WHERE sessionId = ? ORDER BY seq`).pluck().all(sessionId) as string[];

  it("reports a valid scan of every file with nothing malformed", () => {
    const files = transcriptFiles(projects);
    expect(ScanReport.parse(report)).toEqual(report);
    expect(report.failedFiles).toEqual([]);
    expect(report.deferred).toBe(0);
    expect(report.files).toBe(files.length);
    expect(report.filesRead).toBe(files.length);
    expect(report.malformed).toEqual({ count: 0, lines: [] });
    expect(report.lines).toBe(report.imported + report.skipped);
    expect(report.sessions).toBe(files.length);
    expect(report.sessionsCreated).toBe(files.length);
  });

  it("stores every line of every file, in order and byte-identical, one session per file", () => {
    let total = 0;
    for (const file of transcriptFiles(projects)) {
      const row = session(file.claudeSessionId);
      const expected = expectedLines(file.path);
      expect(contents(row.id), file.rel).toEqual(expected);
      expect(row.messageCount, file.rel).toBe(expected.length);
      expect(row.source).toBe("external");
      expect(row.status).toBe("completed");
      total += expected.length;
    }
    expect(report.imported).toBe(total);
    expect(services.db.prepare(`SELECT count(*) FROM Message`).pluck().get() as number).toBe(total);
  });

  it("fills the metadata from the lines (cwd, branch, model, version, dates, usage)", async () => {
    const simple = session("c278289d-b3a8-42bf-9ac2-43b544bebace");
    expect(simple.projectPath).toBe("/home/user/project-simple");
    expect(simple.projectName).toBe("project-simple");
    expect(simple.gitBranch).toBe("main");
    expect(simple.claudeVersion).toBe("2.1.197");
    expect(simple.model).toBe("claude-opus-4-8");
    const lines = readFileSync(join(projects, "-home-user-project-simple", "c278289d-b3a8-42bf-9ac2-43b544bebace.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => tryParse(l)!);
    const stamps = lines
      .map((l) => l.timestamp)
      .filter((t): t is string => typeof t === "string")
      .sort();
    expect(simple.createdAt).toBe(new Date(stamps[0]!).toISOString());
    expect(simple.lastActiveAt).toBe(new Date(stamps.at(-1)!).toISOString());
    expect((await services.sessions.get(simple.id)).createdAt).toMatch(WIRE_DATE_PATTERN);
    // Windows cwd: the name is the last path segment, the folder name is never decoded.
    const windows = session("06bed52b-f7f4-476e-b2bc-52071672f48d");
    expect(windows.projectPath).toMatch(/^D:\\/);
    expect(windows.projectName).toBe(windows.projectPath!.split("\\").at(-1));
  });

  it("counts token usage once per API message (the last line of a split message), never per line", () => {
    // 03-thinking: one response split into thinking + text lines that repeat the same usage.
    const path = join(projects, "-home-user-project-thinking", "f6d1ed9b-cc30-4f2a-9ada-c5d9c55dd4a8.jsonl");
    const byId = new Map<string, Record<string, number>>();
    let assistantLines = 0;
    for (const line of readFileSync(path, "utf8").trim().split("\n")) {
      const v = tryParse(line)!;
      if (v.type !== "assistant") continue;
      assistantLines += 1;
      byId.set(v.message.id, v.message.usage);
    }
    expect(assistantLines).toBeGreaterThan(byId.size);
    const row = session("f6d1ed9b-cc30-4f2a-9ada-c5d9c55dd4a8");
    const sum = (k: string) => [...byId.values()].reduce((s, u) => s + (u[k] ?? 0), 0);
    expect(row.outputTokens).toBe(sum("output_tokens"));
    expect(row.inputTokens).toBe(sum("input_tokens"));
    expect(row.cacheReadInputTokens).toBe(sum("cache_read_input_tokens"));
    expect(row.outputTokens).toBeGreaterThan(0);
  });

  // Changed with the presentation rules (docs/presentation.md): sync no longer writes `name`; the title rule
  // reads the title sources, and a summary whose leaf is in another file no longer names this session.
  it("titles sessions: a summary of the session, else the first typed prompt", () => {
    const title = (id: string) => titleOf(session(id));
    expect(title("c278289d-b3a8-42bf-9ac2-43b544bebace")).toBe(
      firstPromptOf("-home-user-project-simple/c278289d-b3a8-42bf-9ac2-43b544bebace.jsonl"),
    );
    // A file starting with summaries of *earlier* sessions (leafUuid in another file) is titled by its own first prompt.
    const path = join(projects, "-home-jenkins-Personal-AI-Infrastructure/7de1dd02-d3f9-49aa-8911-7d5b98666a03.jsonl");
    const lines = readFileSync(path, "utf8")
      .split("\n")
      .map((l) => tryParse(l));
    const summaries = lines.filter((v) => v?.type === "summary").map((v) => v!.summary as string);
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries).not.toContain(title("7de1dd02-d3f9-49aa-8911-7d5b98666a03"));
    // A session started with a slash command and no typed prompt is titled by the command.
    expect(title("1af7fc5e-8455-4414-9ccd-011d40f70b2a")).toBe("/init");
    // Meta lines and slash-command wrappers never title a session.
    for (const row of services.db.prepare(`SELECT * FROM Session`).all() as SessionRow[]) {
      expect(titleOf(row)).not.toMatch(/^<[a-z-]+>|^Caveat:|^\[Request interrupted/);
    }
  });

  it("links sub-agent sessions to their parent in all three layouts", () => {
    // 2.1.x `<session>/subagents/agent-<id>.jsonl`
    const parent = session("3b440f46-2f5b-4230-9372-89e7ac4b102e");
    const agent = session("3b440f46-2f5b-4230-9372-89e7ac4b102e/agent-a92f614a1d856135a");
    expect(agent.parentSessionId).toBe(parent.id);
    expect(agent.claudeSessionId).not.toBe(parent.claudeSessionId);
    // 2.0.x flat `agent-<id>.jsonl`: the parent is the sessionId in its lines.
    const flat = transcriptFiles(projects).filter((f) => /^[^/]+\/agent-[^/]+\.jsonl$/.test(f.rel));
    expect(flat.length).toBeGreaterThan(10);
    let linked = 0;
    for (const file of flat) {
      const row = session(file.claudeSessionId);
      const parentClaudeId = file.claudeSessionId.split("/")[0]!;
      const parentRow = services.sessions.findByClaudeSessionId(parentClaudeId);
      if (parentRow) {
        expect(row.parentSessionId, file.rel).toBe(parentRow.id);
        linked += 1;
      } else {
        expect(row.parentSessionId, file.rel).toBeNull();
      }
    }
    expect(linked).toBeGreaterThan(0);
    // The orphan (its main file is absent) has no parent and no invented parent row.
    const orphan = session("6c2214d7-b87e-4432-8e41-22ba294ea584/agent-afc096d");
    expect(orphan.parentSessionId).toBeNull();
    expect(services.sessions.findByClaudeSessionId("6c2214d7-b87e-4432-8e41-22ba294ea584")).toBeUndefined();
    // 1.0.x sidechain lines stay in their main file's session.
    const sidechainOwners = services.db
      .prepare(
        `SELECT DISTINCT s.claudeSessionId FROM Message m JOIN Session s ON s.id = m.sessionId
                WHERE json_extract(m.content, '$.isSidechain') = 1 AND json_extract(m.content, '$.version') LIKE '1.0.%'`,
      )
      .pluck()
      .all() as string[];
    expect(sidechainOwners.length).toBeGreaterThan(0);
    for (const id of sidechainOwners) expect(id).not.toContain("/agent-");
  });

  function firstPromptOf(rel: string): string {
    for (const line of readFileSync(join(projects, rel), "utf8").split("\n")) {
      const v = tryParse(line);
      if (v?.type === "user" && typeof v.message?.content === "string" && !v.isMeta) return v.message.content.trim().split("\n")[0]!;
    }
    throw new Error("no prompt");
  }
});
