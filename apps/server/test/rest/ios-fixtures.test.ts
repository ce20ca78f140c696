import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toAppMessage } from "../../src/rest/ios/message-view.ts";
import { toChatSession } from "../../src/rest/ios/session-view.ts";
import { StreamView } from "../../src/rest/ios/stream-view.ts";
import { sseJson } from "../../src/rest/sse.ts";
import { createTestServices } from "../support/in-process.ts";
import * as ios from "../support/ios-decoders.ts";
import { FIXTURES } from "../support/temp.ts";

function jsonlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonlFiles(path);
    return name.endsWith(".jsonl") ? [path] : [];
  });
}

function lines(file: string): unknown[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        const value = JSON.parse(l) as { raw?: unknown; timestamp?: unknown };
        // HelgeSverre's captures wrap each line as { timestamp, raw }.
        return [value && typeof value === "object" && "raw" in value && typeof value.timestamp === "number" ? value.raw : value];
      } catch {
        return [];
      }
    });
}

/** The SSE body the server would write for these raw lines (ids as seqs), exactly as the relay does. */
function sseBody(raw: unknown[]): { text: string; sent: number } {
  const view = new StreamView();
  let text = ": connected\n\n";
  let sent = 0;
  raw.forEach((line, i) => {
    const payload = view.map(line);
    if (!payload) return;
    sent++;
    text += `id: ${i + 1}\ndata: ${sseJson(payload)}\n\n`;
  });
  return { text, sent };
}

const recordings = [
  ...jsonlFiles(join(FIXTURES, "generated")).filter((f) => f.endsWith("stdout.jsonl")),
  ...jsonlFiles(join(FIXTURES, "stream-json")),
];
const transcripts = [
  ...jsonlFiles(join(FIXTURES, "transcripts")),
  ...jsonlFiles(join(FIXTURES, "generated")).filter((f) => f.includes("/transcripts/")),
];

describe("every SSE event from every fixture recording decodes as the app's StreamMessage", () => {
  it("finds the recordings", () => {
    expect(recordings.length).toBeGreaterThanOrEqual(50);
  });

  for (const file of recordings) {
    it(relative(FIXTURES, file), () => {
      const raw = lines(file);
      const { text, sent } = sseBody(raw);
      const decoded = ios.decodeAppStream(text);
      // Nothing dropped by the app's decoder, nothing split by its line reader.
      expect(decoded.length).toBe(sent);
      const known = raw.filter((l) =>
        ["system", "assistant", "user", "result", "stream_event"].includes((l as { type?: string }).type ?? ""),
      );
      expect(sent).toBe(known.length);
    });
  }
});

describe("stream details the app depends on", () => {
  it("escapes U+2028, U+2029 and U+0085 so one payload stays one line", () => {
    const text = "a\u2028b\u2029c\u0085d";
    const line = { type: "assistant", message: { content: [{ type: "text", text }] } };
    const body = `data: ${sseJson(new StreamView().map(line))}\n\n`;
    const [event] = ios.decodeAppStream(body);
    expect((event as { content: { text: string }[] }).content[0]?.text).toBe(text);
  });

  it("does not send text twice when partial messages are on (textDelta + assistant text)", () => {
    const raw = lines(join(FIXTURES, "generated", "06-partial", "stdout.jsonl"));
    const events = ios.decodeAppStream(sseBody(raw).text);
    // What the chat view shows: textDelta text and assistant text blocks, appended.
    let shown = "";
    for (const e of events) {
      if (e.type === "streamEvent" && (e.delta as { type?: string } | undefined)?.type === "textDelta")
        shown += (e.delta as { text: string }).text;
      if (e.type === "assistant") for (const b of e.content as { type: string; text?: string }[]) if (b.type === "text") shown += b.text;
    }
    const finalTexts = raw
      .filter(
        (l): l is { type: "assistant"; message: { content: { type: string; text?: string }[] } } =>
          (l as { type?: string }).type === "assistant",
      )
      .flatMap((l) => l.message.content.filter((b) => b.type === "text").map((b) => b.text ?? ""));
    expect(finalTexts.length).toBeGreaterThan(0);
    expect(shown).toBe(finalTexts.join(""));
  });

  it("turns the CLI's snake_case into the app's camelCase (tool results flattened, isError defaulted)", () => {
    const view = new StreamView();
    const user = view.map({
      type: "user",
      message: { content: [{ type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "out" }] }] },
      tool_use_result: "Error: string results are dropped",
    });
    expect(user).toEqual({ type: "user", content: [{ type: "toolResult", toolUseId: "t1", content: "out", isError: false }] });
    const result = view.map({
      type: "result",
      subtype: "success",
      is_error: false,
      session_id: "s",
      total_cost_usd: 0.5,
      duration_ms: 12.7,
      usage: { input_tokens: 3, output_tokens: 4 },
    });
    expect(result).toEqual({
      type: "result",
      subtype: "success",
      sessionId: "s",
      isError: false,
      totalCostUSD: 0.5,
      durationMs: 13,
      usage: { inputTokens: 3, outputTokens: 4 },
    });
  });
});

describe("history projection of every fixture transcript decodes as the app's Message list", () => {
  const services = createTestServices();
  afterAll(() => services.cleanup());
  let sessionIds: string[] = [];

  beforeAll(() => {
    sessionIds = transcripts.map((file) => {
      const session = services.sessions.insert({ projectPath: "/tmp/project" });
      const entries = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((raw, i) => ({ raw, key: `${file}:${i}` }));
      services.ingest.appendMessages(session.id, entries);
      return session.id;
    });
  });

  it("decodes every page and keeps tool calls parseable", () => {
    let messages = 0;
    let withToolCalls = 0;
    for (const sessionId of sessionIds) {
      for (let cursor: string | undefined; ;) {
        const page = services.history.list({ sessionId, limit: 500, ...(cursor ? { cursor } : {}) });
        const body = { success: true, data: { items: page.items.map((m) => toAppMessage(m)), total: page.total } };
        ios.envelope(ios.messageList)(JSON.parse(JSON.stringify(body)), "$");
        messages += page.items.length;
        withToolCalls += body.data.items.filter((m) => m.toolCalls !== undefined).length;
        if (!page.hasMore) break;
        cursor = page.nextCursor ?? undefined;
      }
    }
    expect(messages).toBeGreaterThan(10_000);
    expect(withToolCalls).toBeGreaterThan(1_000);
  });

  it("projects sessions the app can decode (no encodedProjectPath, so history comes from /messages)", async () => {
    const session = toChatSession(await services.sessions.get(sessionIds[0] ?? ""));
    ios.chatSession(session, "$");
    expect(session).not.toHaveProperty("encodedProjectPath");
  });
});
