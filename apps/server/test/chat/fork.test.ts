import type { RunOptions } from "@ils/contracts";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.ts";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";
import { argvLog, FAKE_CLAUDE } from "./chat-support.ts";

const dir = tempDir("ils-fork-");
const project = join(dir.path, "project");
const argvFile = join(dir.path, "argv.jsonl");
let services: ReturnType<typeof createTestServices>;

beforeAll(() => {
  mkdirSync(project);
  process.env.FAKE_CLAUDE_ARGV_LOG = argvFile;
  process.env.FAKE_CLAUDE_DELAY_MS = "0";
  services = createTestServices({ ILS_CLAUDE_BIN: FAKE_CLAUDE });
});
afterAll(async () => {
  await services.streaming.shutdown();
  services.cleanup();
  dir.cleanup();
});

async function run(sessionId: string, prompt: string, options?: RunOptions) {
  await services.streaming.send({ sessionId, prompt, ...(options ? { options } : {}) });
  await services.streaming.whenIdle(sessionId);
}
const messages = (sessionId: string) => services.history.list({ sessionId, limit: 500 }).items;

describe("fork", () => {
  it("copies the history up to a message; its first run forks the parent's Claude session, later runs use its own", async () => {
    const parent = await services.sessions.create({ projectPath: project, name: "plan", model: "sonnet", permissionMode: "acceptEdits" });
    await run(parent.id, "first [fake scenario=05-fork]");
    await run(parent.id, "second [fake scenario=05-fork]");
    const parentBefore = await services.sessions.get(parent.id);
    const parentMessages = messages(parent.id);
    expect(parentMessages).toHaveLength(8);

    const at = parentMessages[3]!; // the first run's result
    const fork = services.forks.fork({ sessionId: parent.id, atMessageId: at.id });
    expect(fork).toMatchObject({
      name: "plan (fork)",
      source: "ils",
      forkedFromId: parent.id,
      projectPath: project,
      model: parentBefore.model,
      permissionMode: "acceptEdits",
      claudeSessionId: null,
      messageCount: 4,
    });
    expect(messages(fork.id).map((m) => m.content)).toEqual(parentMessages.slice(0, 4).map((m) => m.content));

    await run(fork.id, "on the fork [fake scenario=05-fork]");
    const forkCall = argvLog(argvFile).at(-1)!;
    expect(forkCall.argv).toEqual(
      expect.arrayContaining([
        "--resume",
        parentBefore.claudeSessionId!,
        "--fork-session",
        "--model=sonnet",
        "--permission-mode",
        "acceptEdits",
      ]),
    );
    const forkAfter = await services.sessions.get(fork.id);
    expect(forkAfter.claudeSessionId).not.toBeNull();
    expect(forkAfter.claudeSessionId).not.toBe(parentBefore.claudeSessionId);

    // Other options: a new process, which resumes the fork's own Claude session.
    await run(fork.id, "again [fake scenario=05-fork]", { maxTurns: 5 });
    const second = argvLog(argvFile).at(-1)!.argv;
    expect(second).toContain(forkAfter.claudeSessionId!);
    expect(second).not.toContain("--fork-session");
    expect(messages(fork.id).map((m) => m.type)).toEqual([
      ...parentMessages.slice(0, 4).map((m) => m.type),
      "user",
      "system",
      "assistant",
      "result",
      "user",
      "system",
      "assistant",
      "result",
    ]);

    // The parent is untouched.
    expect(await services.sessions.get(parent.id)).toMatchObject({
      claudeSessionId: parentBefore.claudeSessionId,
      messageCount: 8,
      name: "plan",
    });
    expect(messages(parent.id)).toEqual(parentMessages);
  });

  it("without atMessageId copies everything; unknown session or message is NOT_FOUND", async () => {
    const parent = await services.sessions.create({ projectPath: project });
    services.ingest.appendMessages(parent.id, [
      { raw: '{"type":"user","message":{"role":"user","content":"hi"},"uuid":"u-1"}' },
      { raw: "not json" },
    ]);
    const fork = services.forks.fork({ sessionId: parent.id });
    expect(fork.name).toBe("hi (fork)");
    expect(messages(fork.id).map((m) => [m.type, m.uuid])).toEqual([
      ["user", "u-1"],
      ["unknown", null],
    ]);
    const code = (fn: () => unknown) => {
      try {
        fn();
        return "ok";
      } catch (e) {
        return e instanceof AppError ? e.code : String(e);
      }
    };
    expect(code(() => services.forks.fork({ sessionId: "00000000-0000-4000-8000-000000000000" }))).toBe("NOT_FOUND");
    expect(code(() => services.forks.fork({ sessionId: parent.id, atMessageId: "00000000-0000-4000-8000-000000000000" }))).toBe(
      "NOT_FOUND",
    );
  });
});
