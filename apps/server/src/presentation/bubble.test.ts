import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { presentLine } from "./bubble.ts";
import { FIXTURES } from "../../test/support/temp.ts";

// Unit spec of the bubble rules (docs/presentation.md), one case per entry type, then every line of every
// fixture (transcripts, stream-json captures, recordings) through the same function.
const text = (v: unknown) => presentLine(v)?.text;
const role = (v: unknown) => presentLine(v)?.role;

describe("bubble rules per entry type", () => {
  it("hides bookkeeping types", () => {
    for (const type of [
      "progress",
      "file-history-snapshot",
      "queue-operation",
      "summary",
      "last-prompt",
      "attachment",
      "custom-title",
      "ai-title",
      "agent-name",
      "mode",
      "permission-mode",
      "pr-link",
      "bridge-session",
      "stream_event",
      "something-new",
    ]) {
      expect(presentLine({ type, content: "x", summary: "y" }), type).toBeUndefined();
    }
    for (const subtype of ["init", "stop_hook_summary", "turn_duration", "hook_started", "hook_response", "api_retry", "task_started"]) {
      expect(presentLine({ type: "system", subtype, content: "x" }), subtype).toBeUndefined();
    }
    expect(presentLine({ type: "result", subtype: "success", is_error: false, result: "Hi" })).toBeUndefined();
  });

  it("user lines: typed prompts, commands, command output, notes, meta, compaction, images, tool results", () => {
    expect(presentLine({ type: "user", message: { content: "Hello" } })).toMatchObject({
      role: "user",
      text: "Hello",
      conversational: true,
    });
    expect(presentLine({ type: "user", isMeta: true, message: { content: "Caveat: injected" } })).toBeUndefined();
    expect(
      text({
        type: "user",
        message: {
          content: "<command-name>/model</command-name>\n<command-message>model</command-message>\n<command-args>opus</command-args>",
        },
      }),
    ).toBe("/model opus");
    expect(
      presentLine({ type: "user", message: { content: "<local-command-stdout>\u001b[1mSet model\u001b[22m</local-command-stdout>" } }),
    ).toMatchObject({ role: "system", text: "Set model" });
    expect(presentLine({ type: "user", message: { content: "<local-command-stdout></local-command-stdout>" } })).toBeUndefined();
    expect(text({ type: "user", message: { content: "<bash-input>ls</bash-input>" } })).toBe("! ls");
    expect(presentLine({ type: "user", message: { content: [{ type: "text", text: "[Request interrupted by user]" }] } })).toMatchObject({
      role: "system",
      text: "Request interrupted by user",
    });
    expect(
      text({ type: "user", message: { content: "<ide_selection>x</ide_selection><system-reminder>y</system-reminder> Fix it" } }),
    ).toBe("Fix it");
    expect(presentLine({ type: "user", message: { content: "<ide_opened_file>only context</ide_opened_file>" } })).toBeUndefined();
    expect(presentLine({ type: "user", isCompactSummary: true, message: { content: "This session is being continued..." } })).toMatchObject(
      { role: "system", conversational: false },
    );
    expect(
      text({
        type: "user",
        message: {
          content: [
            { type: "image", source: {} },
            { type: "text", text: "what is this" },
          ],
        },
      }),
    ).toBe("what is this\n[image]");
    const results = presentLine({
      type: "user",
      message: {
        content: [
          {
            type: "tool_result",
            tool_use_id: "t1",
            content: [{ type: "text", text: "\u001b[31mfailed\u001b[0m" }, { type: "image" }],
            is_error: true,
          },
        ],
      },
    });
    expect(results).toMatchObject({
      role: "assistant",
      text: "",
      toolResults: [{ type: "toolResult", toolUseId: "t1", content: "failed\n[image]", isError: true }],
    });
  });

  it("assistant lines: text, thinking-only turns, tool calls, synthetic errors", () => {
    expect(text({ type: "assistant", message: { content: [{ type: "thinking", thinking: "Let me look.", signature: "s" }] } })).toBe(
      "Thinking: Let me look.",
    );
    expect(presentLine({ type: "assistant", message: { content: [{ type: "thinking", thinking: "", signature: "s" }] } })).toBeUndefined();
    expect(
      presentLine({ type: "assistant", message: { content: [{ type: "tool_use", id: "t1", name: "Bash", input: { command: "ls" } }] } }),
    ).toMatchObject({
      role: "assistant",
      text: "",
      toolCalls: [{ type: "toolUse", id: "t1", name: "Bash", input: { command: "ls" } }],
    });
    expect(text({ type: "assistant", message: { content: [{ type: "text", text: "API Error: 400 bad" }] }, isApiErrorMessage: true })).toBe(
      "API Error: 400 bad",
    );
    expect(text({ type: "assistant", message: { content: [] }, isApiErrorMessage: true, error: "rate_limit", apiErrorStatus: 429 })).toBe(
      "Error: rate_limit (HTTP 429)",
    );
    expect(presentLine({ type: "assistant", message: { content: [{ type: "text", text: "  " }] } })).toBeUndefined();
  });

  it("system and result lines: compaction, local commands, API errors with their message, failed runs", () => {
    expect(presentLine({ type: "system", subtype: "compact_boundary", content: "Conversation compacted" })).toMatchObject({
      role: "system",
      text: "Conversation compacted",
    });
    expect(text({ type: "system", subtype: "local_command", content: "<local-command-stdout>Bye!</local-command-stdout>" })).toBe("Bye!");
    expect(
      text({
        type: "system",
        subtype: "api_error",
        error: { status: 529, error: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } } },
        retryAttempt: 2,
        maxRetries: 10,
      }),
    ).toBe("API error: Overloaded (attempt 2 of 10)");
    expect(role({ type: "result", subtype: "error_max_turns", is_error: true, errors: ["Reached maximum number of turns (1)"] })).toBe(
      "system",
    );
    expect(text({ type: "result", subtype: "error_max_turns", is_error: true, errors: ["Reached maximum number of turns (1)"] })).toBe(
      "Error: Reached maximum number of turns (1)",
    );
    expect(text({ type: "result", subtype: "success", is_error: true, result: "API Error: 401" })).toBe("Error: API Error: 401");
  });
});

function* jsonl(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* jsonl(path);
    else if (/\.(jsonl|json|ndjson)$/.test(name)) yield path;
  }
}

describe("every fixture line", () => {
  it("gives a bubble with something to show, or nothing", () => {
    const types = new Map<string, number>();
    let lines = 0;
    for (const root of ["transcripts", "stream-json", "generated", "presentation"]) {
      for (const path of jsonl(join(FIXTURES, root))) {
        for (const line of readFileSync(path, "utf8").split("\n")) {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch {
            continue;
          }
          // HelgeSverre captures wrap each message as {timestamp, raw}.
          const wrapper = value as { raw?: unknown; type?: unknown } | null;
          if (wrapper && typeof wrapper === "object" && wrapper.raw && typeof wrapper.raw === "object" && !wrapper.type)
            value = wrapper.raw;
          const values: unknown[] = Array.isArray(value) ? value : [value];
          for (const v of values) {
            lines += 1;
            const shown = presentLine(v);
            const line = v as { type?: unknown; subtype?: unknown } | null | undefined;
            const key = `${line?.type}${line?.subtype ? `/${line.subtype}` : ""}`;
            types.set(key, (types.get(key) ?? 0) + 1);
            if (!shown) continue;
            expect(shown.text.trim() !== "" || shown.toolCalls.length > 0 || shown.toolResults.length > 0, `${path}: ${key}`).toBe(true);
            // eslint-disable-next-line no-control-regex -- asserts no terminal escape (ESC) is left
            expect(shown.text, path).not.toMatch(/\u001b/);
          }
        }
      }
    }
    expect(lines).toBeGreaterThan(12_000);
    for (const key of [
      "user",
      "assistant",
      "progress",
      "system/init",
      "result/success",
      "stream_event",
      "system/compact_boundary",
      "summary",
    ])
      expect(types.has(key), key).toBe(true);
  });
});
