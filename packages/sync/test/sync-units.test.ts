import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discoverTranscripts, planRead, readLines, SessionMetaCollector, type RawLine } from "../src/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ils-sync-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, from = 0, max?: number) {
  const lines: RawLine[] = [];
  const result = await readLines(path, from, (l) => void lines.push(l), max);
  return { lines, result };
}

describe("readLines", () => {
  it("splits lines across 1 MB read chunks with exact byte offsets, leaving a partial last line", async () => {
    const long = "é".repeat(700_000); // 1.4 MB of 2-byte characters: crosses chunk ends, also mid-character
    const text = `{"a":1}\n"${long}"\n\n{"b":2}\npartial`;
    const path = join(dir, "chunks.jsonl");
    writeFileSync(path, text);
    const { lines, result } = await collect(path);
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', `"${long}"`, "", '{"b":2}']);
    const bytes = Buffer.from(text);
    for (const line of lines) expect(bytes.subarray(line.start, line.end - 1).toString()).toBe(line.text);
    expect(result.end).toBe(bytes.length - "partial".length);
    expect(result.bytesRead).toBe(bytes.length);
    const resumed = await collect(path, lines[3]!.start);
    expect(resumed.lines.map((l) => l.text)).toEqual(['{"b":2}']);
  });

  it("flags invalid UTF-8 and over-long lines (also across chunks) without losing the next line", async () => {
    const path = join(dir, "bad.jsonl");
    writeFileSync(
      path,
      Buffer.concat([Buffer.from("ok1\n"), Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), Buffer.from(`${"x".repeat(3_000_000)}\nok2\n`)]),
    );
    const { lines } = await collect(path, 0, 1000);
    expect(lines.map((l) => [l.text, l.problem])).toEqual([
      ["ok1", undefined],
      [undefined, "invalid UTF-8"],
      [undefined, "line too long"],
      ["ok2", undefined],
    ]);
    expect(lines[2]!.start).toBe(8);
    expect(lines[3]!.start).toBe(8 + 3_000_001);
  });
});

describe("planRead", () => {
  const base = { size: 100, mtimeMs: 5, inode: "7", offset: 90, lines: 3, sessionId: "s" };
  it("decides from stat alone", () => {
    expect(planRead(undefined, base)).toEqual({ kind: "reread", reason: "new" });
    expect(planRead(base, { size: 100, mtimeMs: 5, inode: "7" })).toEqual({ kind: "unchanged" });
    expect(planRead(base, { size: 150, mtimeMs: 6, inode: "7" })).toEqual({ kind: "append", from: 90, lines: 3 });
    expect(planRead(base, { size: 150, mtimeMs: 6, inode: "8" })).toEqual({ kind: "reread", reason: "replaced" });
    expect(planRead(base, { size: 95, mtimeMs: 6, inode: "7" })).toEqual({ kind: "reread", reason: "shrunk" });
  });
});

describe("SessionMetaCollector", () => {
  it("takes the last usage of each message id, the custom title, and skips meta and sidechain prompts", () => {
    const c = new SessionMetaCollector(true);
    const lines = [
      {
        type: "user",
        isMeta: true,
        message: { content: "Caveat: injected" },
        cwd: "/p/app",
        gitBranch: "dev",
        version: "2.1.2",
        timestamp: "2026-01-01T00:00:02Z",
      },
      { type: "user", isSidechain: true, message: { content: "sub-agent prompt" } },
      { type: "user", message: { content: "<command-name>/clear</command-name>" } },
      { type: "user", message: { content: [{ type: "text", text: "  real prompt\nsecond line" }] }, timestamp: "2026-01-01T00:00:01Z" },
      { type: "assistant", message: { id: "m1", model: "claude-x", usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: "assistant", message: { id: "m1", model: "claude-x", usage: { input_tokens: 10, output_tokens: 7 } } },
      { type: "assistant", message: { id: "m2", model: "<synthetic>", usage: { input_tokens: 0, output_tokens: 0 } } },
      { type: "custom-title", customTitle: "My title", sessionId: "abc" },
      { type: "summary", summary: "A summary", leafUuid: "u1" },
    ];
    for (const l of lines) c.observe(l as Record<string, unknown>);
    const meta = c.result();
    expect(meta).toMatchObject({
      customTitle: "My title",
      firstPrompt: "real prompt\nsecond line",
      cwd: "/p/app",
      gitBranch: "dev",
      model: "claude-x",
      claudeVersion: "2.1.2",
      firstTimestamp: "2026-01-01T00:00:01Z",
      lastTimestamp: "2026-01-01T00:00:02Z",
      usage: { inputTokens: 10, outputTokens: 7, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
      summaries: [{ text: "A summary", leafUuid: "u1" }],
      sessionIdInLines: "abc",
      sawUsage: true,
    });
  });
});

describe("typed prompts", () => {
  it("falls back to a meaningful slash command and skips interruption markers and tag wrappers", () => {
    const c = new SessionMetaCollector(true);
    for (const content of [
      "<command-name>/clear</command-name>",
      "<command-message>init is analyzing</command-message>\n<command-name>/init</command-name>\n<command-args>fast</command-args>",
      "[Request interrupted by user]",
      "<bash-notification>done</bash-notification>",
    ]) {
      c.observe({ type: "user", message: { role: "user", content } });
    }
    expect(c.result().firstPrompt).toBe("/init fast");
    c.observe({ type: "user", message: { role: "user", content: "the real question" } });
    expect(c.result().firstPrompt).toBe("the real question");
  });
});

describe("discoverTranscripts", () => {
  it("finds main files, flat agents and subagents/ folders, mains first; missing folder is empty", () => {
    const projects = join(dir, "projects");
    const p = join(projects, "-home-u-app");
    mkdirSync(join(p, "s1", "subagents"), { recursive: true });
    mkdirSync(join(p, "memory"), { recursive: true });
    writeFileSync(join(p, "s1", "subagents", "agent-a1.jsonl"), "");
    writeFileSync(join(p, "s1", "subagents", "agent-a1.meta.json"), "{}");
    writeFileSync(join(p, "agent-f2.jsonl"), "");
    writeFileSync(join(p, "s1.jsonl"), "");
    writeFileSync(join(p, "notes.txt"), "");
    const files = discoverTranscripts(projects);
    expect(files[0]!.kind).toBe("main");
    expect(files.map((f) => [f.relPath, f.kind, f.agentId, f.parentKey]).sort()).toEqual(
      [
        ["-home-u-app/s1.jsonl", "main", undefined, undefined],
        ["-home-u-app/agent-f2.jsonl", "subagent", "f2", undefined],
        ["-home-u-app/s1/subagents/agent-a1.jsonl", "subagent", "a1", "s1"],
      ].sort(),
    );
    expect(discoverTranscripts(join(dir, "absent"))).toEqual([]);
  });
});
