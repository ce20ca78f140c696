import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent, Message } from "@ils/contracts";
import { AppError } from "../../src/errors/app-error.ts";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";
import { argvLog, collectEvents, FAKE_CLAUDE, isAlive, recording, runEnded } from "./chat-support.ts";

const dir = tempDir("ils-chat-");
const project = join(dir.path, "project");
const argvFile = join(dir.path, "argv.jsonl");
let services: ReturnType<typeof createTestServices>;

beforeAll(() => {
  mkdirSync(project);
  process.env.FAKE_CLAUDE_ARGV_LOG = argvFile;
  process.env.FAKE_CLAUDE_DELAY_MS = "2";
  services = createTestServices({
    ILS_CLAUDE_BIN: FAKE_CLAUDE,
    ILS_RUN_IDLE_TIMEOUT_MS: "1500",
    ILS_KILL_GRACE_MS: "300",
    ILS_DEFAULT_PROJECT_DIR: project,
  });
});
afterEach(async () => {
  delete process.env.FAKE_CLAUDE_SPAWN_CHILD;
  delete process.env.FAKE_CLAUDE_IGNORE_SIGINT;
});
afterAll(async () => {
  await services.streaming.shutdown();
  services.cleanup();
  dir.cleanup();
});

const newSession = () => services.sessions.create({ projectPath: project, name: "chat" });
const allMessages = (sessionId: string): Message[] => services.history.list({ sessionId, limit: 500 }).items;
const appCode = (fn: () => Promise<unknown>) =>
  fn().then(
    () => "resolved",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe("streaming service", () => {
  it("stores every replayed line after the prompt, links the Claude session and lands the result stats", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    const { runId } = await services.streaming.send({ sessionId: session.id, prompt: "list files [fake scenario=02-tools]" });
    expect(services.streaming.isRunning(session.id)).toBe(true);
    const received = await events;

    const stored = allMessages(session.id);
    const expected = recording("02-tools");
    expect(stored.map((m) => m.type)).toEqual(["user", ...expected.map((l) => l.type)]);
    expect(stored[0]!.content).toMatchObject({ type: "user", origin: "ils", message: { content: "list files [fake scenario=02-tools]" } });
    // Content is what Claude printed (the stand-in only renews uuids and session ids).
    expect((stored[2]!.content as { message: unknown }).message).toEqual(expected[1]!.message);

    const after = await services.sessions.get(session.id);
    const init = stored[1]!.content as { session_id: string };
    expect(after.claudeSessionId).toBe(init.session_id);
    expect(after.status).toBe("completed");
    expect(after.numTurns).toBe(expected.at(-1)!.num_turns);
    expect(after.totalCostUsd).toBeCloseTo(expected.at(-1)!.total_cost_usd as number);

    expect(received[0]).toMatchObject({ kind: "run", state: "started", runId });
    expect(received.at(-1)).toMatchObject({ kind: "run", state: "finished", runId });
    expect(received.filter((e) => e.kind === "message").map((e) => (e as { message: { seq: number } }).message.seq)).toEqual(
      stored.map((m) => m.seq),
    );
  });

  it("resumes with --resume <claude id>; history holds both runs in order", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "remember kiwi [fake scenario=04-resume]" });
    await services.streaming.whenIdle(session.id);
    const claudeId = (await services.sessions.get(session.id)).claudeSessionId!;
    await services.streaming.send({
      sessionId: session.id,
      prompt: "which word? [fake scenario=04-resume]",
      options: { model: "opus", maxTurns: 3 },
    });
    await services.streaming.whenIdle(session.id);

    const calls = argvLog(argvFile).slice(-2);
    expect(calls[0]!.argv).not.toContain("--resume");
    expect(calls[0]!.cwd).toBe(project);
    // Other options than the warm process was started with: a new process, resuming the session.
    expect(calls[1]!.argv).toEqual([
      "-p",
      "--input-format",
      "stream-json",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-prompt-tool",
      "stdio",
      "--resume",
      claudeId,
      "--model=opus",
      "--max-turns",
      "3",
    ]);
    const stored = allMessages(session.id);
    expect(stored.map((m) => m.type)).toEqual(["user", "system", "assistant", "result", "user", "system", "assistant", "result"]);
    expect((stored[4]!.content as { message: { content: string } }).message.content).toBe("which word? [fake scenario=04-resume]");
    expect((await services.sessions.get(session.id)).claudeSessionId).toBe(claudeId);
  });

  it("publishes stream_event lines as partial events and does not store them", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    await services.streaming.send({
      sessionId: session.id,
      prompt: "[fake scenario=06-partial delay=0]",
      options: { includePartialMessages: true },
    });
    const received = await events;
    const lines = recording("06-partial");
    const partials = received.filter((e) => e.kind === "partial");
    expect(partials).toHaveLength(lines.filter((l) => l.type === "stream_event").length);
    expect((partials[0] as { event: { event: unknown } }).event.event).toEqual(lines.find((l) => l.type === "stream_event")!.event);
    expect(allMessages(session.id).map((m) => m.type)).toEqual([
      "user",
      ...lines.filter((l) => l.type !== "stream_event").map((l) => l.type),
    ]);
    expect(argvLog(argvFile).at(-1)!.argv).toContain("--include-partial-messages");
  });

  it("runs a session without a project directory in ILS_DEFAULT_PROJECT_DIR (the iOS app never sends one)", async () => {
    const noPath = await services.sessions.create({ name: "no path" });
    const events = collectEvents(services, noPath.id, runEnded);
    await services.streaming.send({ sessionId: noPath.id, prompt: "hello" });
    await events;
    expect(argvLog(argvFile).at(-1)!.cwd).toBe(project);
    expect((await services.sessions.get(noPath.id)).status).toBe("completed");
  });

  it("refuses bad input: unknown session 404, missing project directory 400", async () => {
    expect(await appCode(() => services.streaming.send({ sessionId: "00000000-0000-4000-8000-000000000000", prompt: "x" }))).toBe(
      "NOT_FOUND",
    );
    // Creation checks the directory; one removed since is caught right before the run.
    const missing = join(dir.path, "missing");
    mkdirSync(missing);
    const gone = await services.sessions.create({ projectPath: missing });
    rmSync(missing, { recursive: true });
    await expect(services.streaming.send({ sessionId: gone.id, prompt: "x" })).rejects.toThrow(/projectPath: .*missing does not exist/);
    expect(await appCode(() => services.streaming.send({ sessionId: gone.id, prompt: "" }))).toBe("VALIDATION_ERROR");
    expect(allMessages(gone.id)).toHaveLength(0);
    const ok = await newSession();
    await expect(services.streaming.send({ sessionId: ok.id, prompt: "a\0b" })).rejects.toThrow("prompt: must not contain NUL characters");
    expect(services.streaming.isRunning(ok.id)).toBe(false);
  });
});

describe("failure modes", () => {
  const runEvent = (events: ChatEvent[]) =>
    events.find((e) => e.kind === "run" && e.state !== "started") as Extract<ChatEvent, { kind: "run" }>;

  it("a missing executable fails the run with a clear message; the prompt stays stored", async () => {
    const other = createTestServices({ ILS_CLAUDE_BIN: join(dir.path, "no-such-claude") });
    try {
      const session = await other.sessions.create({ projectPath: project });
      const events = collectEvents(other, session.id, runEnded);
      await other.streaming.send({ sessionId: session.id, prompt: "hello" });
      const ended = runEvent(await events);
      expect(ended.state).toBe("failed");
      expect(ended.error).toMatchObject({
        code: "CLAUDE_FAILED",
        message: expect.stringMatching(/executable not found: ".*no-such-claude".*ILS_CLAUDE_BIN/),
      });
      const after = await other.sessions.get(session.id);
      expect(after.status).toBe("error");
      expect(after.lastError).toBe(ended.error!.message);
      expect(other.history.list({ sessionId: session.id }).items.map((m) => m.type)).toEqual(["user"]);
      expect(other.streaming.isRunning(session.id)).toBe(false);
    } finally {
      other.cleanup();
    }
  });

  it("a non-zero exit fails the run with the stderr tail; lines printed before stay stored", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    await services.streaming.send({ sessionId: session.id, prompt: "[fake mode=fail after=2 stderr=quota-exceeded-xyz exit=3]" });
    const ended = runEvent(await events);
    expect(ended.error?.code).toBe("CLAUDE_FAILED");
    expect(ended.error?.message).toMatch(/^Claude Code exited with code 3: .*quota-exceeded-xyz/);
    expect(ended.error?.details).toMatchObject({ exitCode: 3, stderr: "quota-exceeded-xyz" });
    expect(await services.sessions.get(session.id)).toMatchObject({ status: "error", lastError: ended.error!.message });
    expect(allMessages(session.id).map((m) => m.type)).toEqual(["user", "system", "assistant"]);
  });

  it("an API error result (is_error) puts the result text in the error", async () => {
    const session = await newSession();
    await services.streaming.send({
      sessionId: session.id,
      prompt: "[fake scenario=07-error run=api-400 mode=fail after=9 stderr= exit=1]",
    });
    await services.streaming.whenIdle(session.id);
    // The turn ends at its result (the process would stay for the next turn), so the result decides.
    expect((await services.sessions.get(session.id)).lastError).toMatch(/^Claude Code reported an error: API Error: 400/);
    expect(allMessages(session.id).map((m) => m.type)).toEqual(["user", "system", "assistant", "result"]);
  });

  it("a non-JSON line is kept as an unknown message and the run goes on", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "[fake mode=garbage after=1]" });
    await services.streaming.whenIdle(session.id);
    const stored = allMessages(session.id);
    expect(stored.map((m) => m.type)).toEqual(["user", "system", "unknown", "assistant", "result"]);
    expect(stored[2]!.content).toBe("this line is not JSON {{{");
    expect((await services.sessions.get(session.id)).status).toBe("completed");
  });

  it("a run silent past the idle timeout is stopped and marked", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    await services.streaming.send({ sessionId: session.id, prompt: "[fake mode=hang after=1]" });
    const ended = runEvent(await events);
    expect(ended.error?.message).toBe("Claude Code printed nothing for 1500 ms and was stopped (ILS_RUN_IDLE_TIMEOUT_MS)");
    expect(await services.sessions.get(session.id)).toMatchObject({ status: "error", lastError: ended.error!.message });
    // The stand-in answers the protocol's interrupt like the CLI: its interrupted lines, which are stored too.
    expect(allMessages(session.id).map((m) => m.type)).toEqual(["user", "system", "user", "result"]);
    expect(allMessages(session.id)[3]!.subtype).toBe("error_during_execution");
  });

  it("a second prompt while a run is active is a CONFLICT; cancel keeps what was stored and marks the session", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "[fake mode=hang after=2]" });
    expect((await services.sessions.get(session.id)).status).toBe("active");
    expect(await appCode(() => services.streaming.send({ sessionId: session.id, prompt: "again" }))).toBe("CONFLICT");
    await vi_waitFor(() => allMessages(session.id).length === 3);
    // A client connecting mid-run gets the backlog, then the active run's `started`.
    const late = await collectEvents(services, session.id, (events) => events.some((e) => e.kind === "run"));
    expect(late.map((e) => (e.kind === "message" ? e.message.seq : e.kind))).toEqual([1, 2, 3, "run"]);
    expect(late[3]).toMatchObject({ kind: "run", state: "started", runId: expect.any(String) });
    expect(await services.streaming.cancel(session.id)).toEqual({ cancelled: true });
    expect(await services.sessions.get(session.id)).toMatchObject({ status: "cancelled", lastError: null });
    const types = allMessages(session.id).map((m) => m.type);
    expect(types.slice(0, 3)).toEqual(["user", "system", "assistant"]);
    expect(await services.streaming.cancel(session.id)).toEqual({ cancelled: false });
  });

  it("shutdown during a run interrupts the turn (its interrupted lines are stored), kills the CLI and the tools it started, and marks the session", async () => {
    process.env.FAKE_CLAUDE_SPAWN_CHILD = "1";
    process.env.FAKE_CLAUDE_IGNORE_SIGINT = "1";
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "[fake mode=hang after=1]" });
    await vi_waitFor(() => allMessages(session.id).length === 2);
    const call = argvLog(argvFile).at(-1)!;
    expect(isAlive(call.pid)).toBe(true);
    expect(isAlive(call.grandchildPid!)).toBe(true);
    await services.streaming.shutdown();
    expect(isAlive(call.pid)).toBe(false);
    await vi_waitFor(() => !isAlive(call.grandchildPid!));
    expect(await services.sessions.get(session.id)).toMatchObject({ status: "error", lastError: "interrupted: server shut down" });
    expect(allMessages(session.id).map((m) => m.type)).toEqual(["user", "system", "user", "result"]);
  });
});

async function vi_waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
