import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "@ils/contracts";
import { bundledClaude } from "../../src/chat/claude-cli.ts";
import { readStat } from "../../src/chat/process-tree.ts";
import { createTestServices } from "../support/in-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

// The real Claude Code CLI from npm (the Agent SDK's bundled binary) against the recorded mock API: no network.
const dir = tempDir("ils-real-cli-");
const project = join(dir.path, "project");
const home = join(dir.path, "home");
let mock: ChildProcess;
let services: ReturnType<typeof createTestServices>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  mkdirSync(project);
  mkdirSync(join(home, ".claude"), { recursive: true });
  const script = {
    steps: [
      { match: "allow-me", tool_use: { name: "Write", input: { file_path: join(project, "ALLOWED.md"), content: "# allowed\n" } } },
      { match: "allow-me", text: "Wrote it." },
      { match: "deny-me", tool_use: { name: "Write", input: { file_path: join(project, "DENIED.md"), content: "# denied\n" } } },
      { match: "deny-me", text: "Could not write it." },
      { match: "sleepy-a", tool_use: { name: "Bash", input: { command: "sleep 20; echo x", description: "wait" } } },
      { match: "sleepy-a", text: "Slept." },
      { match: "sleepy-b", tool_use: { name: "Bash", input: { command: "sleep 20; echo x", description: "wait" } } },
      { match: "sleepy-b", text: "Slept." },
    ],
    fallback: { text: "ok" },
  };
  writeFileSync(join(dir.path, "mock.json"), JSON.stringify(script));
  const portFile = join(dir.path, "port.txt");
  mock = spawn(
    process.execPath,
    [
      join(FIXTURES, "generated", "tools", "mock-anthropic.mjs"),
      "--scenario",
      join(dir.path, "mock.json"),
      "--log",
      join(dir.path, "requests.jsonl"),
      "--port-file",
      portFile,
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
  const env = {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`,
    ANTHROPIC_API_KEY: "dummy",
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  services = createTestServices({
    ILS_CLAUDE_BIN: bundledClaude()!,
    ILS_DEFAULT_PROJECT_DIR: project,
    ILS_CLAUDE_DIR: join(home, ".claude"),
  });
});
afterAll(async () => {
  await services?.streaming.shutdown();
  services?.cleanup();
  mock?.kill();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  dir.cleanup();
});

const allMessages = (sessionId: string): Message[] => services.history.list({ sessionId, limit: 500 }).items;
async function pendingRequestId(sessionId: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = allMessages(sessionId).find((x) => x.type === "control_request");
    if (m) return (m.content as { request_id: string }).request_id;
    if (Date.now() > deadline) throw new Error("no permission request");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the real Claude Code CLI through the control protocol", () => {
  it("the bundled CLI is installed", () => {
    expect(bundledClaude()).toBeTruthy();
  });

  it("default mode: a Write asks permission; allowing writes the file and ends with result; denying leaves no file and the result lists the denial", async () => {
    const allowed = await services.sessions.create({ projectPath: project, name: "allow" });
    await services.streaming.send({ sessionId: allowed.id, prompt: "--version allow-me" });
    services.streaming.respond({ sessionId: allowed.id, requestId: await pendingRequestId(allowed.id), decision: "allow" }, "rest");
    await services.streaming.whenIdle(allowed.id);
    expect(readFileSync(join(project, "ALLOWED.md"), "utf8")).toBe("# allowed\n");
    expect(allMessages(allowed.id).at(-1)!.type).toBe("result");
    expect(await services.sessions.get(allowed.id)).toMatchObject({ status: "completed", name: "allow" });
    // "--version allow-me" reached the model as text: the mock took the Write step only because the user message contains "allow-me".

    const denied = await services.sessions.create({ projectPath: project, name: "deny" });
    await services.streaming.send({ sessionId: denied.id, prompt: "deny-me" });
    services.streaming.respond(
      { sessionId: denied.id, requestId: await pendingRequestId(denied.id), decision: "deny", reason: "no" },
      "trpc",
    );
    await services.streaming.whenIdle(denied.id);
    expect(existsSync(join(project, "DENIED.md"))).toBe(false);
    const result = allMessages(denied.id).at(-1)!;
    expect(result.type).toBe("result");
    expect((result.content as { permission_denials?: { tool_name: string }[] }).permission_denials?.map((d) => d.tool_name)).toEqual([
      "Write",
    ]);
    for (const id of [allowed.id, denied.id]) expect(allMessages(id).map((m) => m.type)).toContain("control_response");
  }, 120_000);

  it("fork at the 5th message of a 12-message session, a run in the fork and a sync pass: the fork holds messages 1-5, then the new run", async () => {
    const parent = await services.sessions.create({ projectPath: project, name: "parent" });
    for (const word of ["one", "two", "three"]) {
      await services.streaming.send({ sessionId: parent.id, prompt: `say ${word}` });
      await services.streaming.whenIdle(parent.id);
    }
    const parentMessages = allMessages(parent.id);
    expect(parentMessages).toHaveLength(12);
    const fork = services.forks.fork({ sessionId: parent.id, atMessageId: parentMessages[4]!.id });
    await services.streaming.send({ sessionId: fork.id, prompt: "on the fork" });
    await services.streaming.whenIdle(fork.id);
    await services.sync.scan();
    const forkMessages = allMessages(fork.id);
    expect(forkMessages.slice(0, 5).map((m) => m.content)).toEqual(parentMessages.slice(0, 5).map((m) => m.content));
    // Sync adds the transcript's bookkeeping lines (mode, attachment, queue-operation, ...: they never appear on
    // stdout); the conversation itself must be the copy, then the fork's own run, with nothing of the parent after it.
    const conversation = forkMessages.slice(5).filter((m) => ["user", "assistant", "system", "result"].includes(m.type));
    expect((conversation[0]!.content as { message: { content: string } }).message.content).toBe("on the fork");
    expect(conversation.map((m) => m.type)).toEqual(["user", "system", "assistant", "result"]);
    const text = JSON.stringify(forkMessages.map((m) => m.content));
    expect(text).not.toContain("say three");
    expect((await services.sessions.get(fork.id)).status).toBe("completed");
  }, 120_000);

  for (const stopped of [false, true]) {
    it(`cancel during \`sleep 20; echo x\`${stopped ? " with Claude SIGSTOP-ed (forced kill)" : ""}: the run ends within 2 s, no process of the tree is left`, async () => {
      const session = await services.sessions.create({ projectPath: project, name: "sleepy" });
      await services.streaming.send({
        sessionId: session.id,
        prompt: stopped ? "sleepy-b" : "sleepy-a",
        options: { allowedTools: ["Bash"] },
      });
      const tree = () => {
        const row = services.db.prepare(`SELECT pid, startTime, descendants FROM ClaudeProcess WHERE sessionId = ?`).get(session.id) as
          { pid: number; descendants: string } | undefined;
        return row ? { claude: row.pid, descendants: (JSON.parse(row.descendants) as { pid: number }[]).map((d) => d.pid) } : undefined;
      };
      const isSleep = (pid: number) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] === "sleep";
        } catch {
          return false;
        }
      };
      const deadline = Date.now() + 60_000;
      while (!tree()?.descendants.some(isSleep)) {
        if (Date.now() > deadline) throw new Error("the Bash tool's sleep never appeared");
        await new Promise((r) => setTimeout(r, 50));
      }
      const { claude, descendants } = tree()!;
      if (stopped) process.kill(claude, "SIGSTOP");
      const started = Date.now();
      await services.streaming.cancel(session.id);
      // Alive = a process that is not a zombie (a killed orphan may wait for its reaper).
      const alive = () => [claude, ...descendants].filter((pid) => readStat(pid) !== undefined);
      while (alive().length > 0 && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 10));
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(alive()).toEqual([]);
      expect((await services.sessions.get(session.id)).status).toBe("cancelled");
      if (!stopped) expect(JSON.stringify(allMessages(session.id).map((m) => m.content))).toContain("interrupted");
    }, 120_000);
  }
});
