import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session } from "@ils/contracts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";
import { argvLog, FAKE_CLAUDE, isAlive, recording } from "./chat-support.ts";
import { call, sseEvents, type SseEvent } from "./chat-sse-support.ts";

const dir = tempDir("ils-chat-e2e-");
const project = join(dir.path, "project");
const argvFile = join(dir.path, "argv.jsonl");
// The database in a folder of its own: the server never runs Claude Code in its data folder.
const dbPath = join(dir.path, "data", "ils.db");
const LONG = recording("09-long"); // 75 lines
const env = (delayMs: number) => ({
  ILS_DB: dbPath,
  ILS_CLAUDE_BIN: FAKE_CLAUDE,
  ILS_KILL_GRACE_MS: "500",
  FAKE_CLAUDE_SCENARIO: "09-long",
  FAKE_CLAUDE_DELAY_MS: String(delayMs),
  FAKE_CLAUDE_ARGV_LOG: argvFile,
});
let server: ServerProcess | undefined;

beforeAll(() => mkdirSync(project));
afterAll(async () => {
  await server?.stop();
  for (const call of argvLog(argvFile)) if (isAlive(call.pid)) process.kill(call.pid, "SIGKILL");
  dir.cleanup();
});

/**
 * kill -9 of the real server: `tsx` runs it as a child process, so SIGKILL to the wrapper alone would leave
 * the server running as an orphan.
 */
async function crash(s: ServerProcess): Promise<void> {
  const children = execFileSync("pgrep", ["-P", String(s.child.pid)], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  for (const pid of children) process.kill(Number(pid), "SIGKILL");
  await s.kill9();
}

const isRunEnd = (e: SseEvent) => e.data?.kind === "run" && e.data.state !== "started";

describe("live chat on a real server process (SSE)", () => {
  it("streams every replayed message in order, each stored before it is received; result stats land on the session", async () => {
    server = await startServerProcess(env(3));
    const session = await call<Session>(server.url, "sessions.create", { projectPath: project });
    const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
    const exists = db.prepare(`SELECT 1 FROM Message WHERE id = ?`).pluck();
    const received: SseEvent[] = [];
    const storedBeforeReceived: boolean[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const e of sseEvents(server!.url, session.id, { signal: controller.signal })) {
        if (e.data?.kind === "message") storedBeforeReceived.push(exists.get(e.data.message.id) === 1);
        received.push(e);
        if (isRunEnd(e)) controller.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 300)); // subscribed before the run starts: nothing is replayed from history
    await call(server.url, "chat.send", { sessionId: session.id, prompt: "long run" });
    await reading;
    db.close();

    const messages = received.filter((e) => e.data?.kind === "message");
    expect(messages.map((e) => e.data.message.type)).toEqual(["user", ...LONG.map((l) => l.type)]);
    expect(messages.map((e) => e.id)).toEqual(messages.map((_, i) => String(i + 1)));
    expect(storedBeforeReceived).toHaveLength(LONG.length + 1);
    expect(storedBeforeReceived.every(Boolean)).toBe(true);
    expect(received.find((e) => e.data?.kind === "run")!.data.state).toBe("started");
    expect(received.at(-1)!.data).toMatchObject({ kind: "run", state: "finished" });

    const after = await call<Session>(server.url, "sessions.get", { sessionId: session.id });
    expect(after).toMatchObject({ status: "completed", numTurns: LONG.at(-1)!.num_turns, messageCount: LONG.length + 1 });
    expect(after.totalCostUsd).toBeCloseTo(LONG.at(-1)!.total_cost_usd as number);
    // The server's ILS_* settings (a token above all) never reach Claude or the tools it runs.
    expect(argvLog(argvFile).at(-1)!.ilsEnv).toEqual([]);
  });

  it("a client that drops mid-stream and reconnects with Last-Event-ID gets the rest: no gap, no duplicate", async () => {
    const session = await call<Session>(server!.url, "sessions.create", { projectPath: project });
    await call(server!.url, "chat.send", { sessionId: session.id, prompt: "long run again" });
    const seqs: number[] = [];
    let lastId: string | undefined;
    const first = new AbortController();
    for await (const e of sseEvents(server!.url, session.id, { signal: first.signal })) {
      if (e.data?.kind !== "message") continue;
      seqs.push(e.data.message.seq);
      lastId = e.id!;
      if (seqs.length === 20) first.abort();
    }
    const second = new AbortController();
    for await (const e of sseEvents(server!.url, session.id, { lastEventId: lastId!, signal: second.signal })) {
      if (e.data?.kind === "message") seqs.push(e.data.message.seq);
      // The run may have ended while disconnected (run events are live only): its `result` is the last message.
      if (isRunEnd(e) || e.data?.message?.type === "result") second.abort();
    }
    expect(seqs).toEqual(Array.from({ length: LONG.length + 1 }, (_, i) => i + 1));
  });

  it("after kill -9 mid-stream and a restart, every message a client received is stored and the session is marked", async () => {
    server = server!;
    const session = await call<Session>(server.url, "sessions.create", { projectPath: project });
    await call(server.url, "chat.send", { sessionId: session.id, prompt: "long run, then a crash [fake delay=30]" });
    const receivedIds: string[] = [];
    const controller = new AbortController();
    for await (const e of sseEvents(server.url, session.id, { signal: controller.signal })) {
      if (e.data?.kind !== "message") continue;
      receivedIds.push(e.data.message.id);
      if (receivedIds.length === 10) {
        await crash(server);
        controller.abort();
      }
    }
    const claude = argvLog(argvFile).at(-1)!;
    if (isAlive(claude.pid)) process.kill(claude.pid, "SIGKILL"); // detached: a crash leaves it behind (EPIPE ends it soon anyway)

    server = await startServerProcess(env(3));
    const page = await call<{ items: { id: string }[] }>(server.url, "messages.list", { sessionId: session.id, limit: 500 });
    const storedIds = new Set(page.items.map((m) => m.id));
    expect(receivedIds.length).toBe(10);
    expect(receivedIds.filter((id) => !storedIds.has(id))).toEqual([]);
    const after = await call<Session>(server.url, "sessions.get", { sessionId: session.id });
    expect(after.status).toBe("error");
    expect(after.lastError).toMatch(/interrupted/);
  });
});
