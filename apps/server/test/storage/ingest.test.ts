import { readFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES } from "../support/temp.ts";

let services: ReturnType<typeof createTestServices>;
let sessionId: string;
const recording = (scenario: string) =>
  readFileSync(join(FIXTURES, "generated", scenario, "stdout.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean);

beforeEach(() => {
  services = createTestServices();
  sessionId = services.sessions.insert({ projectPath: "/home/user/project-tools" }).id;
});
afterEach(() => services.cleanup());

describe("ingest", () => {
  it("stores a real recording whole, in order, and takes the session stats from init and result", async () => {
    const lines = recording("02-tools");
    const inserted = services.ingest.appendMessages(
      sessionId,
      lines.map((raw) => ({ raw })),
    );
    expect(inserted.map((m) => m.seq)).toEqual(lines.map((_, i) => i + 1));
    const stored = services.history.list({ sessionId, limit: 500 }).items;
    expect(stored.map((m) => m.content)).toEqual(lines.map((l) => JSON.parse(l)));

    const init = JSON.parse(lines[0]!);
    const result = JSON.parse(lines.at(-1)!);
    const session = await services.sessions.get(sessionId);
    expect(session.claudeSessionId).toBe(init.session_id);
    expect(session.model).toBe(init.model);
    expect(session.claudeVersion).toBe(init.claude_code_version);
    expect(session.messageCount).toBe(lines.length);
    expect(session.totalCostUsd).toBeCloseTo(result.total_cost_usd, 10);
    expect(session.numTurns).toBe(result.num_turns);
    expect(session.durationMs).toBe(result.duration_ms);
    expect(session.usage.outputTokens).toBe(result.usage.output_tokens);
  });

  it("re-ingesting the same lines is a no-op (dedupe by uuid)", async () => {
    const lines = recording("02-tools").map((raw) => ({ raw }));
    services.ingest.appendMessages(sessionId, lines);
    expect(services.ingest.appendMessages(sessionId, lines)).toEqual([]);
    expect((await services.sessions.get(sessionId)).messageCount).toBe(lines.length);
  });

  it("the same uuid may live in two sessions (a fork copies lines)", async () => {
    const lines = recording("01-simple").map((raw) => ({ raw }));
    const other = (await services.sessions.create({})).id;
    services.ingest.appendMessages(sessionId, lines);
    expect(services.ingest.appendMessages(other, lines)).toHaveLength(lines.length);
  });

  it("keeps malformed and future lines as unknown, byte for byte", () => {
    const future = `{"type":"hologram_frame","frame":{"depth":[1,2,3]},  "uuid":"f-1"}`;
    const odd = `{"type":"assistant","message":"flat"}`;
    const garbage = "Segmentation fault (core dumped)";
    const stored = services.ingest.appendMessages(sessionId, [{ raw: future }, { raw: odd }, { raw: garbage }]);
    expect(stored.map((m) => m.type)).toEqual(["hologram_frame", "unknown", "unknown"]);
    expect(stored[0]!.content).toEqual(JSON.parse(future));
    expect(stored[2]!.content).toBe(garbage);
    const rows = services.db.prepare(`SELECT content FROM Message WHERE sessionId = ? ORDER BY seq`).pluck().all(sessionId);
    expect(rows).toEqual([future, odd, JSON.stringify(garbage)]);
  });

  it("publishes only after commit, and only what was inserted", () => {
    // A second connection sees only committed rows (the writing one would also see its own uncommitted ones).
    const reader = new BetterSqlite3(services.config.databasePath, { readonly: true });
    const seen: number[] = [];
    services.bus.subscribe(sessionId, (messages) => {
      for (const m of messages) {
        const count = reader.prepare(`SELECT count(*) FROM Message WHERE id = ?`).pluck().get(m.id);
        expect(count).toBe(1);
        seen.push(m.seq);
      }
    });
    const lines = recording("01-simple").map((raw) => ({ raw }));
    services.ingest.appendMessages(sessionId, lines);
    services.ingest.appendMessages(sessionId, lines);
    reader.close();
    expect(seen).toEqual(lines.map((_, i) => i + 1));
  });

  it("gives the run's own prompt Claude's uuid when the transcript line arrives, instead of a duplicate", async () => {
    const own = JSON.stringify({
      type: "user",
      message: { role: "user", content: "list the files" },
      timestamp: new Date().toISOString(),
      origin: "ils",
    });
    services.ingest.appendMessages(sessionId, [{ raw: own }]);
    const transcriptPrompt = JSON.stringify({ type: "user", uuid: "p-1", message: { role: "user", content: "list the files" } });
    expect(services.ingest.appendMessages(sessionId, [{ raw: transcriptPrompt }])).toEqual([]);
    expect(services.ingest.appendMessages(sessionId, [{ raw: transcriptPrompt }])).toEqual([]);
    const stored = services.history.list({ sessionId }).items;
    expect(stored).toHaveLength(1);
    expect(stored[0]!.uuid).toBe("p-1");
    expect((await services.sessions.get(sessionId)).firstPrompt).toBe("list the files");
  });

  it("rejects an unknown session without storing anything", () => {
    expect(() => services.ingest.appendMessages("00000000-0000-0000-0000-000000000000", [{ raw: "{}" }])).toThrow(
      expect.objectContaining({ code: "NOT_FOUND" }),
    );
  });
});
