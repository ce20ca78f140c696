import { describe, expect, it } from "vitest";
import { buildClaudeArgs } from "../src/chat/claude-args.ts";
import { claudeEnv, TailBuffer } from "../src/chat/claude-process.ts";
import { LineSplitter } from "../src/chat/line-splitter.ts";
import { runOutcome, type RunFacts } from "../src/chat/run-outcome.ts";

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

describe("buildClaudeArgs", () => {
  it("maps every run option to its CLI flag, run options over session defaults", () => {
    expect(
      buildClaudeArgs({
        prompt: "hi",
        resume: "abc",
        forkSession: true,
        model: "session-model",
        permissionMode: "plan",
        options: {
          model: "opus",
          permissionMode: "bypassPermissions",
          maxTurns: 4,
          allowedTools: ["Bash", "Read"],
          disallowedTools: ["Write"],
          appendSystemPrompt: "be brief",
          systemPrompt: "you are a test",
          includePartialMessages: true,
        },
      }),
    ).toEqual([
      "-p", "hi", "--output-format", "stream-json", "--verbose", "--resume", "abc", "--fork-session",
      "--model", "opus", "--permission-mode", "bypassPermissions", "--max-turns", "4", "--allowedTools", "Bash,Read",
      "--disallowedTools", "Write", "--append-system-prompt", "be brief", "--system-prompt", "you are a test",
      "--include-partial-messages",
    ]);
    expect(buildClaudeArgs({ prompt: "hi", model: "sonnet", permissionMode: "default", forkSession: true })).toEqual([
      "-p", "hi", "--output-format", "stream-json", "--verbose", "--model", "sonnet",
    ]);
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
    expect(claudeEnv({ ILS_TOKEN: "secret-token", PATH: "/bin", HOME: "/h" })).toEqual({ PATH: "/bin", HOME: "/h" });
  });

  it("a stop reason wins over the exit code; an is_error result with exit 0 is still a failure", () => {
    const base: RunFacts = { bin: "claude", idleTimeoutMs: 1, stopReason: null, storageError: null, spawnError: null, exitCode: 0, signal: null, result: null, stderrTail: "" };
    expect(runOutcome(base)).toEqual({ status: "completed", state: "finished" });
    expect(runOutcome({ ...base, stopReason: "cancel", exitCode: null, signal: "SIGKILL" })).toEqual({ status: "cancelled", state: "cancelled" });
    expect(runOutcome({ ...base, result: { isError: true, text: "API Error: 500" } }).error?.message).toBe("Claude Code reported an error: API Error: 500");
    expect(runOutcome({ ...base, exitCode: null, signal: "SIGSEGV", stderrTail: "boom" }).error?.message).toBe("Claude Code was killed by SIGSEGV: boom");
  });
});
