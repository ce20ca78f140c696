import { describe, expect, it } from "vitest";
import { buildClaudeArgs } from "./claude-args.ts";
import { classify, permissionAnswerLine, userTurnLine } from "./control-protocol.ts";
import { claudeEnv, TailBuffer } from "./claude-process.ts";
import { LineSplitter } from "./line-splitter.ts";
import { runOutcome, type RunFacts } from "./run-outcome.ts";

describe("LineSplitter", () => {
  it("joins lines split across chunks, keeps a final line without newline, handles CRLF and split UTF-8", () => {
    const s = new LineSplitter();
    const euro = Buffer.from("€"); // 3 bytes, split between chunks
    expect(s.push(Buffer.from('{"a":1}\n{"b":'))).toEqual(['{"a":1}']);
    expect(s.push(Buffer.concat([Buffer.from('2}\r\n\n"x'), euro.subarray(0, 1)]))).toEqual(['{"b":2}']);
    expect(s.push(Buffer.concat([euro.subarray(1), Buffer.from('"\n{"c"')]))).toEqual(['"x€"']);
    expect(s.push(":3}")).toEqual([]);
    expect(s.flush()).toEqual(['{"c":3}']);
    expect(s.flush()).toEqual([]);
  });
});

describe("LineSplitter cap", () => {
  it("drops a line over the cap without buffering it, reports it once, and goes on with the next line", () => {
    const tooLong: number[] = [];
    const s = new LineSplitter(10, (bytes) => tooLong.push(bytes));
    expect(s.push("123456")).toEqual([]);
    expect(s.push("789012")).toEqual([]); // 12 bytes pending: over the cap
    expect(tooLong).toEqual([12]);
    expect(s.push("more of the long line")).toEqual([]);
    expect(s.push(' tail\n{"ok":1}\n')).toEqual(['{"ok":1}']);
    expect(tooLong).toEqual([12]);
    expect(s.push("0123456789ABC\nshort\n")).toEqual(["short"]); // over the cap inside one chunk
    expect(tooLong).toEqual([12, 13]);
  });
});

describe("buildClaudeArgs", () => {
  const PROTOCOL = [
    "-p",
    "--input-format",
    "stream-json",
    "--output-format",
    "stream-json",
    "--verbose",
    "--permission-prompt-tool",
    "stdio",
  ];

  it("maps every run option to its CLI flag, run options over session settings; the prompt is never in argv", () => {
    expect(
      buildClaudeArgs({
        resume: "abc",
        forkSession: true,
        resumeSessionAt: "u-5",
        session: { model: "session-model", permissionMode: "plan", systemPrompt: "session prompt", maxTurns: 9, maxBudgetUsd: 2 },
        options: {
          model: "opus",
          permissionMode: "bypassPermissions",
          maxTurns: 4,
          maxBudgetUSD: 0.5,
          allowedTools: ["Bash", "Read"],
          disallowedTools: ["Write"],
          appendSystemPrompt: "be brief",
          systemPrompt: "-you are a test",
          addDirs: ["/tmp/a"],
          agent: "reviewer",
          betas: ["b1"],
          debug: true,
          includePartialMessages: true,
        },
      }),
    ).toEqual([
      ...PROTOCOL,
      "--resume",
      "abc",
      "--fork-session",
      "--resume-session-at",
      "u-5",
      "--model=opus",
      "--permission-mode",
      "bypassPermissions",
      "--max-turns",
      "4",
      "--max-budget-usd",
      "0.5",
      "--allowedTools=Bash,Read",
      "--disallowedTools=Write",
      "--system-prompt=-you are a test",
      "--append-system-prompt=be brief",
      "--add-dir=/tmp/a",
      "--agent=reviewer",
      "--betas=b1",
      "--debug",
      "--include-partial-messages",
    ]);
    expect(
      buildClaudeArgs({ session: { permissionMode: "default", systemPrompt: "s", maxTurns: 3, maxBudgetUsd: 1 }, forkSession: true }),
    ).toEqual([...PROTOCOL, "--max-turns", "3", "--max-budget-usd", "1", "--system-prompt=s"]);
  });

  it("passes no model when neither the session nor the run chose one", () => {
    expect(buildClaudeArgs({ session: { model: null } }).some((a) => a.startsWith("--model"))).toBe(false);
  });
});

describe("control protocol", () => {
  it("a prompt that looks like a flag is a user turn's text", () => {
    expect(JSON.parse(userTurnLine("--version"))).toEqual({
      type: "user",
      message: { role: "user", content: "--version" },
      parent_tool_use_id: null,
      session_id: "",
    });
  });

  it("an allow always carries updatedInput; a deny its message", () => {
    expect(JSON.parse(permissionAnswerLine("r1", { behavior: "allow", updatedInput: { a: 1 } }))).toEqual({
      type: "control_response",
      response: { subtype: "success", request_id: "r1", response: { behavior: "allow", updatedInput: { a: 1 } } },
    });
    expect(JSON.parse(permissionAnswerLine("r2", { behavior: "deny", message: "no" })).response.response).toEqual({
      behavior: "deny",
      message: "no",
    });
  });

  it("classifies can_use_tool requests, the CLI's cancels and answers to our requests apart from messages", () => {
    const request = {
      type: "control_request",
      request_id: "r",
      request: { subtype: "can_use_tool", tool_name: "Write", input: { file_path: "/x" }, tool_use_id: "t" },
    };
    expect(classify(request)).toEqual({
      kind: "permission",
      request: { requestId: "r", toolName: "Write", input: { file_path: "/x" }, toolUseId: "t", suggestions: null },
    });
    expect(classify({ type: "control_cancel_request", request_id: "r" })).toEqual({ kind: "permission-cancel", requestId: "r" });
    expect(classify({ type: "control_response", response: {} }).kind).toBe("control-response");
    expect(classify({ type: "assistant" })).toEqual({ kind: "message", type: "assistant" });
  });
});

describe("process helpers", () => {
  it("keeps only the stderr tail", () => {
    const tail = new TailBuffer(10);
    tail.push(Buffer.from("first line\n"));
    tail.push(Buffer.from("0123456789END"));
    expect(tail.text()).toBe("3456789END");
  });

  it("drops the server's ILS_* variables from Claude's environment", () => {
    expect(claudeEnv({ ILS_TOKEN: "secret-token", PATH: "/bin", HOME: "/h" })).toEqual({
      PATH: "/bin",
      HOME: "/h",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    });
  });

  it("a stop reason wins over the exit code; an is_error result with exit 0 is still a failure", () => {
    const base: RunFacts = {
      bin: "claude",
      idleTimeoutMs: 1,
      maxLineBytes: 10,
      stopReason: null,
      storageError: null,
      spawnError: null,
      exited: true,
      exitCode: 0,
      signal: null,
      result: null,
      stderrTail: "",
    };
    expect(runOutcome(base)).toEqual({ status: "completed", state: "finished" });
    expect(runOutcome({ ...base, stopReason: "cancel", exitCode: null, signal: "SIGKILL" })).toEqual({
      status: "cancelled",
      state: "cancelled",
    });
    expect(runOutcome({ ...base, result: { isError: true, text: "API Error: 500" } }).error?.message).toBe(
      "Claude Code reported an error: API Error: 500",
    );
    expect(runOutcome({ ...base, exitCode: null, signal: "SIGSEGV", stderrTail: "boom" }).error?.message).toBe(
      "Claude Code was killed by SIGSEGV: boom",
    );
    // A warm process's turn ends at its result, with no exit.
    expect(runOutcome({ ...base, exited: false, exitCode: null, result: { isError: false, text: "ok" } })).toEqual({
      status: "completed",
      state: "finished",
    });
    expect(runOutcome({ ...base, stopReason: "line-too-long" }).error?.message).toContain("ILS_MAX_LINE_BYTES");
  });
});

describe("which Claude Code runs", () => {
  it("ILS_CLAUDE_BIN first, then `claude` on PATH, then the Agent SDK's bundled CLI", async () => {
    const { chmodSync, mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { bundledClaude, findClaudeCli } = await import("./claude-cli.ts");
    expect(findClaudeCli("tools/x.mjs", { PATH: "" })).toMatchObject({ source: "ILS_CLAUDE_BIN" });
    const dir = mkdtempSync(join(tmpdir(), "ils-bin-"));
    try {
      writeFileSync(join(dir, "claude"), "#!/bin/sh\n");
      chmodSync(join(dir, "claude"), 0o755);
      expect(findClaudeCli(undefined, { PATH: `/nonexistent:${dir}` })).toEqual({ bin: join(dir, "claude"), source: "PATH" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(findClaudeCli(undefined, { PATH: "/nonexistent" })).toEqual({ bin: bundledClaude(), source: "bundled" });
  });
});
