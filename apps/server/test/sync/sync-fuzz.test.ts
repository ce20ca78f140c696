import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";
import { SyncService } from "../../src/sync/sync-service.ts";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

const MAX_LINE = 8 * 1024;
const SOURCES = [
  "transcripts/marot__spotter/test/fixtures/transcripts/short.jsonl",
  "transcripts/marot__spotter/test/fixtures/transcripts/tool_heavy.jsonl",
  "generated/09-long/transcripts/-home-user-project-long/655016c5-db69-45ca-b921-b28321eee1ad.jsonl",
  "generated/08-subagent/transcripts/-home-user-project-subagent/3b440f46-2f5b-4230-9372-89e7ac4b102e.jsonl",
];

/** Deterministic PRNG (mulberry32): a failing case can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Real lines, mutated in ways a crash, a bad disk or a bug could produce. */
function mutatedLines(count: number, seed: number): Buffer[] {
  const random = prng(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
  const sources = SOURCES.flatMap((rel) => readFileSync(join(FIXTURES, rel), "utf8").trim().split("\n"));
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const source = pick(sources);
    const withNewUuid = () => {
      const v = JSON.parse(source);
      if (typeof v.uuid === "string") v.uuid = randomUUID();
      return JSON.stringify(v);
    };
    const bytes = Buffer.from(withNewUuid());
    switch (Math.floor(random() * 12)) {
      case 0:
        out.push(bytes);
        break;
      case 1:
        out.push(bytes.subarray(0, Math.floor(random() * bytes.length)));
        break;
      case 2: {
        const copy = Buffer.from(bytes);
        const byte = Math.floor(random() * 256);
        copy[Math.floor(random() * copy.length)] = byte === 10 ? 32 : byte; // a newline would make two lines
        out.push(copy);
        break;
      }
      case 3: {
        const at = Math.floor(random() * bytes.length);
        out.push(Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xfe]), bytes.subarray(at)]));
        break;
      }
      case 4:
        out.push(Buffer.from(pick(["42", "[1,2]", '"text"', "null", "true", "[]"])));
        break;
      case 5:
        out.push(Buffer.from(pick(["", "   ", "\r", "\t"])));
        break;
      case 6:
        out.push(
          Buffer.from(
            JSON.stringify({ type: "user", uuid: randomUUID(), pad: "x".repeat(MAX_LINE + Math.floor(random() * 3 * MAX_LINE)) }),
          ),
        );
        break;
      case 7:
        out.push(Buffer.from(JSON.stringify({ type: `never-seen-${i % 7}`, n: i, nested: { deep: [i, { ok: true }] } })));
        break;
      case 8:
        out.push(Buffer.concat([bytes, Buffer.from("\r")]));
        break;
      case 9: {
        const v = JSON.parse(source);
        delete v.uuid;
        out.push(Buffer.from(JSON.stringify(v)));
        break;
      }
      case 10:
        out.push(Buffer.from(pick(["not json {", '{"type":', "}{", "{'single':1}", "\u0000\u0000"])));
        break;
      default:
        // Same uuid as an earlier line: valid, but a duplicate.
        out.push(Buffer.from(source));
    }
  }
  return out;
}

/** The oracle, written apart from the importer: what must be malformed, and what must be stored. */
function expectedOutcome(lines: Buffer[]) {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const malformed: number[] = [];
  const stored: string[] = [];
  const seen = new Set<string>();
  let offset = 0;
  lines.forEach((bytes, index) => {
    const start = offset;
    offset += bytes.length + 1;
    if (bytes.length > MAX_LINE) return malformed.push(index + 1);
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      return malformed.push(index + 1);
    }
    if (text.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return malformed.push(index + 1);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return malformed.push(index + 1);
    const uuid = (value as { uuid?: unknown }).uuid;
    const key = typeof uuid === "string" && uuid.length > 0 ? uuid : `@${start}`;
    if (seen.has(key)) return;
    seen.add(key);
    stored.push(text);
  });
  return { malformed, stored };
}

// Acceptance 3: thousands of mutated lines: no crash, an exact malformed count, every valid line stored.
describe("sync: fuzzed transcripts", () => {
  const dir = tempDir("ils-sync-fuzz-");
  const services = createTestServices();
  afterAll(() => {
    services.cleanup();
    dir.cleanup();
  });

  it("counts every malformed line exactly and stores every valid one", async () => {
    const lines = mutatedLines(4000, 20261124);
    const sid = randomUUID();
    const project = join(dir.path, "claude", "projects", "fuzz");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, `${sid}.jsonl`), Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
    const expected = expectedOutcome(lines);
    expect(expected.malformed.length).toBeGreaterThan(1000);
    expect(expected.stored.length).toBeGreaterThan(1000);

    const sync = new SyncService(services.db, services.sessions, services.ingest, join(dir.path, "claude"), createLogger("silent"), {
      maxLineBytes: MAX_LINE,
      maxReportedMalformed: 50,
    });
    const report = await sync.scan();
    expect(report.malformed.count).toBe(expected.malformed.length);
    expect(report.malformed.lines.map((m) => m.line)).toEqual(expected.malformed.slice(0, 50));
    expect(new Set(report.malformed.lines.map((m) => m.reason))).toEqual(
      new Set(["invalid JSON", "invalid UTF-8", "line too long", "not a JSON object"]),
    );
    expect(report.imported).toBe(expected.stored.length);
    expect(report.lines).toBe(report.imported + report.skipped + report.malformed.count);

    const session = services.sessions.findByClaudeSessionId(sid)!;
    const stored = services.db.prepare(`SELECT content FROM Message WHERE sessionId = ? ORDER BY seq`).pluck().all(session.id);
    expect(stored).toEqual(expected.stored);
    // Idempotent: a second full read of the same bytes stores nothing new.
    services.db.prepare(`DELETE FROM SyncFile`).run();
    const again = await sync.scan();
    expect(again.imported).toBe(0);
    expect(again.malformed.count).toBe(expected.malformed.length);
  });
});
