import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent, Message, PermissionRequest } from "@ils/contracts";
import { RunLedger } from "../../src/chat/run-ledger.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { createTestServices } from "../support/in-process.ts";
import { tempDir } from "../support/temp.ts";
import { argvLog, collectEvents, FAKE_CLAUDE, isAlive, runEnded } from "./chat-support.ts";

const dir = tempDir("ils-protocol-");
const project = join(dir.path, "project");
const argvFile = join(dir.path, "argv.jsonl");
const promptFile = join(dir.path, "prompts.jsonl");
let services: ReturnType<typeof createTestServices>;

beforeAll(() => {
  mkdirSync(project);
  process.env.FAKE_CLAUDE_ARGV_LOG = argvFile;
  process.env.FAKE_CLAUDE_PROMPT_LOG = promptFile;
  process.env.FAKE_CLAUDE_DELAY_MS = "1";
  services = createTestServices({
    ILS_CLAUDE_BIN: FAKE_CLAUDE,
    ILS_KILL_GRACE_MS: "500",
    ILS_PERMISSION_TIMEOUT: "400ms",
    ILS_MAX_LINE_BYTES: String(1024 * 1024),
    ILS_DEFAULT_PROJECT_DIR: project,
  });
});
afterAll(async () => {
  await services.streaming.shutdown();
  services.cleanup();
  dir.cleanup();
});

const newSession = (name = "chat") => services.sessions.create({ projectPath: project, name });
const allMessages = (sessionId: string): Message[] => services.history.list({ sessionId, limit: 500 }).items;
const prompts = (): { pid: number; prompt: string }[] =>
  existsSync(promptFile)
    ? readFileSync(promptFile, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const permissionEvents = (events: ChatEvent[]) =>
  events.filter((e): e is Extract<ChatEvent, { kind: "permission" }> => e.kind === "permission").map((e) => e.request);
const decisionRow = (sessionId: string, requestId: string) =>
  services.db
    .prepare(`SELECT decision, reason, decidedBy, decidedAt FROM PermissionRequest WHERE sessionId = ? AND requestId = ?`)
    .get(sessionId, requestId) as
    { decision: string | null; reason: string | null; decidedBy: string | null; decidedAt: string | null } | undefined;

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const pendingRequest = (sessionId: string) =>
  waitFor(() => allMessages(sessionId).find((m) => m.type === "control_request")?.content as { request_id: string } | undefined);

describe("prompts are data", () => {
  it("prompts that look like flags reach the stand-in as the user's text; no flag is set and the name stays", async () => {
    const attacks = ["--version", "-n x", "--dangerously-skip-permissions", "--mcp-config=evil.json"];
    for (const attack of attacks) {
      const session = await newSession("kept name");
      const before = argvLog(argvFile).length;
      await services.streaming.send({ sessionId: session.id, prompt: attack });
      await services.streaming.whenIdle(session.id);
      const call = argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv)!;
      expect(call.argv).not.toContain(attack);
      expect(call.argv.some((a) => a.startsWith("--dangerously") || a.startsWith("--mcp-config") || a === "-n" || a === "--version")).toBe(
        false,
      );
      expect(
        prompts()
          .filter((p) => p.pid === call.pid)
          .map((p) => p.prompt),
      ).toEqual([attack]);
      expect(await services.sessions.get(session.id)).toMatchObject({ name: "kept name", status: "completed" });
    }
  });
});

describe("permission relay", () => {
  it("allow: the tool runs with the (updated) input; request, answer and decision are stored; a second answer is 404", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    await services.streaming.send({ sessionId: session.id, prompt: "write it [fake permission=Write]" });
    const { request_id } = await pendingRequest(session.id);
    const updated = { file_path: join(project, "ALLOWED.md"), content: "allowed\n" };
    expect(
      services.streaming.respond(
        { sessionId: session.id.toUpperCase(), requestId: request_id, decision: "allow", updatedInput: updated },
        "rest",
      ),
    ).toEqual({ acknowledged: true });
    const all = await events;
    expect(readFileSync(join(project, "ALLOWED.md"), "utf8")).toBe("allowed\n");
    const types = allMessages(session.id).map((m) => m.type);
    expect(types).toEqual(["user", "system", "control_request", "control_response", "user", "assistant", "result"]);
    const answer = allMessages(session.id)[3]!.content as { response: { response: unknown } };
    expect(answer.response.response).toEqual({ behavior: "allow", updatedInput: updated });
    expect(permissionEvents(all).map((r) => r.status)).toEqual(["pending", "allowed"]);
    expect(decisionRow(session.id, request_id)).toMatchObject({ decision: "allow", decidedBy: "rest" });
    const again = (() => {
      try {
        services.streaming.respond({ sessionId: session.id, requestId: request_id, decision: "deny" }, "trpc");
        return "answered";
      } catch (e) {
        return e instanceof AppError ? e.code : String(e);
      }
    })();
    expect(again).toBe("NOT_FOUND");
  });

  it("deny: no file, the model gets the reason as an error tool_result", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "write it [fake permission=Write]" });
    const { request_id } = await pendingRequest(session.id);
    services.streaming.respond({ sessionId: session.id, requestId: request_id, decision: "deny", reason: "not on my phone" }, "trpc");
    await services.streaming.whenIdle(session.id);
    expect(existsSync(join(project, "NOTES.md"))).toBe(false);
    const toolResult = allMessages(session.id).find((m) => m.type === "user" && JSON.stringify(m.content).includes("tool_result"))!
      .content as { message: { content: unknown[] } };
    expect(toolResult.message.content[0]).toMatchObject({ is_error: true, content: "not on my phone" });
    expect(decisionRow(session.id, request_id)).toMatchObject({ decision: "deny", reason: "not on my phone", decidedBy: "trpc" });
  });

  it("a client that reconnects after the request's seq still gets it as pending; unanswered, it is denied at the timeout", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "write it [fake permission=Write]" });
    const { request_id } = await pendingRequest(session.id);
    const seq = allMessages(session.id).find((m) => m.type === "control_request")!.seq;
    // Resumes after the request's own message: the pending request comes as a permission event.
    const seen = await collectEvents(services, session.id, (ev) => ev.some((e) => e.kind === "permission"), seq);
    expect(permissionEvents(seen)[0]).toMatchObject({
      requestId: request_id,
      toolName: "Write",
      status: "pending",
    } satisfies Partial<PermissionRequest>);
    await services.streaming.whenIdle(session.id);
    const row = decisionRow(session.id, request_id)!;
    expect(row).toMatchObject({ decision: "deny", decidedBy: "timeout" });
    expect(row.reason).toContain("ILS_PERMISSION_TIMEOUT");
    expect(existsSync(join(project, "NOTES.md"))).toBe(false);
  });

  it("cancel denies a pending request", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "write it [fake permission=Write]" });
    const { request_id } = await pendingRequest(session.id);
    expect(await services.streaming.cancel(session.id)).toEqual({ cancelled: true });
    expect(decisionRow(session.id, request_id)).toMatchObject({ decision: "deny", decidedBy: "cancel" });
    expect((await services.sessions.get(session.id)).status).toBe("cancelled");
  });
});

describe("interrupt and the process tree", () => {
  const toolPid = async (claudePid: number) =>
    waitFor(
      () =>
        (argvLog(argvFile) as { pid: number; toolPid?: number }[]).find((c) => c.pid === claudePid && c.toolPid) as
          { toolPid: number } | undefined,
    );

  it("cancel during `sleep 20; echo x`: the turn is interrupted (its lines stored) and no process of the tree is left", async () => {
    const session = await newSession();
    const before = argvLog(argvFile).length;
    await services.streaming.send({ sessionId: session.id, prompt: "[fake sleep=20]" });
    const claude = await waitFor(() =>
      argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv),
    );
    const { toolPid: tool } = await toolPid(claude.pid);
    expect(isAlive(tool)).toBe(true);
    await services.streaming.cancel(session.id);
    expect(allMessages(session.id).map((m) => m.type)).toEqual(["user", "system", "user", "result"]);
    expect(JSON.stringify(allMessages(session.id)[2]!.content)).toContain("[Request interrupted by user]");
    await waitFor(() => !isAlive(tool) && !isAlive(claude.pid));
    expect((await services.sessions.get(session.id)).status).toBe("cancelled");
  });

  it("the same with Claude SIGSTOP-ed: the interrupt gets no answer, the whole tree is killed after the grace", async () => {
    const session = await newSession();
    const before = argvLog(argvFile).length;
    await services.streaming.send({ sessionId: session.id, prompt: "[fake sleep=20]" });
    const claude = await waitFor(() =>
      argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv),
    );
    const { toolPid: tool } = await toolPid(claude.pid);
    await new Promise((r) => setTimeout(r, 300)); // the tracker has seen the tool
    process.kill(claude.pid, "SIGSTOP");
    await services.streaming.cancel(session.id);
    await waitFor(() => !isAlive(tool) && !isAlive(claude.pid));
    expect((await services.sessions.get(session.id)).status).toBe("cancelled");
  });

  it("after a crash, the next start kills the recorded Claude and its tools and marks the run interrupted", async () => {
    const session = await newSession();
    const before = argvLog(argvFile).length;
    const { runId } = await services.streaming.send({ sessionId: session.id, prompt: "[fake sleep=30]" });
    const claude = await waitFor(() =>
      argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv),
    );
    const { toolPid: tool } = await toolPid(claude.pid);
    await waitFor(() => {
      const row = services.db.prepare(`SELECT descendants FROM ClaudeProcess WHERE pid = ? AND endedAt IS NULL`).pluck().get(claude.pid) as
        string | undefined;
      return row !== undefined && row.includes(String(tool));
    });
    // What a new server process does at start, on the same database, while the old one's processes still run.
    const reaped = new RunLedger(services.db).reapOrphans();
    expect(reaped.runs).toBe(1);
    await waitFor(() => !isAlive(tool) && !isAlive(claude.pid));
    expect(services.db.prepare(`SELECT state FROM ChatRun WHERE id = ?`).pluck().get(runId)).toBe("interrupted");
    await services.streaming.whenIdle(session.id);
  });
});

describe("line cap and warm sessions", () => {
  it("a line over ILS_MAX_LINE_BYTES fails the run with an error naming the limit; the session works afterwards", async () => {
    const session = await newSession();
    const events = collectEvents(services, session.id, runEnded);
    await services.streaming.send({ sessionId: session.id, prompt: "[fake bigline=50000000]" });
    const ended = (await events).find((e) => e.kind === "run" && e.state !== "started") as Extract<ChatEvent, { kind: "run" }>;
    expect(ended.state).toBe("failed");
    expect(ended.error?.message).toContain("ILS_MAX_LINE_BYTES");
    await services.streaming.send({ sessionId: session.id, prompt: "again" });
    await services.streaming.whenIdle(session.id);
    expect((await services.sessions.get(session.id)).status).toBe("completed");
  });

  it("a follow-up prompt with the same options is served by the warm process (no new start)", async () => {
    const session = await newSession();
    await services.streaming.send({ sessionId: session.id, prompt: "one" });
    await services.streaming.whenIdle(session.id);
    const starts = argvLog(argvFile).filter((c) => c.argv).length;
    await services.streaming.send({ sessionId: session.id, prompt: "two" });
    await services.streaming.whenIdle(session.id);
    expect(argvLog(argvFile).filter((c) => c.argv).length).toBe(starts);
    expect(allMessages(session.id).filter((m) => m.type === "result")).toHaveLength(2);
    expect((await services.sessions.get(session.id)).status).toBe("completed");
  });
});

describe("permission modes", () => {
  it("the CLI's modes are accepted; tRPC refuses `delegate` naming them; the app's `delegate` runs as default; the app is shown only its six", async () => {
    const { CreateSessionInput } = await import("@ils/contracts");
    const { fromIosPermissionMode, toIosPermissionMode, IosPermissionMode } = await import("@ils/contracts/ios");
    for (const mode of ["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto"])
      expect(CreateSessionInput.safeParse({ permissionMode: mode }).success).toBe(true);
    const refused = CreateSessionInput.safeParse({ permissionMode: "delegate" });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues[0]!.message).toContain("dontAsk");
    expect(fromIosPermissionMode("delegate")).toBe("default");
    for (const mode of ["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto"] as const) {
      expect(IosPermissionMode.options).toContain(toIosPermissionMode(mode));
    }
    const session = await newSession();
    const before = argvLog(argvFile).length;
    services.db.prepare(`UPDATE Session SET permissionMode = 'auto' WHERE id = ?`).run(session.id);
    await services.streaming.send({ sessionId: session.id, prompt: "hi" });
    await services.streaming.whenIdle(session.id);
    const call = await waitFor(() =>
      argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv),
    );
    expect(call.argv.join(" ")).toContain("--permission-mode auto");
  });

  it("session settings given at creation are used on every run; a session without a model passes none", async () => {
    const session = await services.sessions.create({ projectPath: project, systemPrompt: "be terse", maxTurns: 7, maxBudgetUSD: 1.5 });
    const before = argvLog(argvFile).length;
    await services.streaming.send({ sessionId: session.id, prompt: "hi [fake scenario=01-simple]" });
    await services.streaming.whenIdle(session.id);
    const call = await waitFor(() =>
      argvLog(argvFile)
        .slice(before)
        .find((c) => c.argv),
    );
    expect(call.argv).toEqual(expect.arrayContaining(["--system-prompt=be terse", "--max-turns", "7", "--max-budget-usd", "1.5"]));
    expect(call.argv.some((a) => a.startsWith("--model"))).toBe(false);
    // The init line's model is shown, and does not become what the next run is started with.
    expect((await services.sessions.get(session.id)).model).not.toBeNull();
    await services.streaming.send({ sessionId: session.id, prompt: "again", options: { maxTurns: 2 } });
    await services.streaming.whenIdle(session.id);
    const next = argvLog(argvFile)
      .filter((c) => c.argv)
      .at(-1)!;
    expect(next.argv).toEqual(expect.arrayContaining(["--system-prompt=be terse", "--max-turns", "2", "--max-budget-usd", "1.5"]));
    expect(next.argv.some((a) => a.startsWith("--model"))).toBe(false);
  });
});
