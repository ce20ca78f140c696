import type { Message } from "@ils/contracts";
import type { IosMessage } from "@ils/contracts/ios";
import { presentLine, type ToolResult } from "../../presentation/bubble.ts";

/**
 * A stored raw Claude message as the app's history `Message` (rules: docs/presentation.md): plain text in
 * `content`, tool calls and results as JSON *strings* (the app parses them), plus `seq`, `type` and the
 * untouched `raw` line. A bookkeeping line (served only with `?include=all`) reads as its type in brackets.
 * `answers`: the tool-result lines that answer this line's tool calls, shown as its `toolResults`.
 */
export function toAppMessage(message: Message & { answers?: unknown[] }, sessionId: string = message.sessionId): IosMessage {
  const raw = message.content;
  const shown = presentLine(raw);
  const results: ToolResult[] = [
    ...(shown?.toolResults ?? []),
    ...(message.answers ?? []).flatMap((a) => presentLine(a)?.toolResults ?? []),
  ];
  const at = message.timestamp ?? message.createdAt;
  const subtype = message.subtype ? `/${message.subtype}` : "";
  return {
    id: message.id,
    sessionId,
    role: shown?.role ?? "system",
    content: shown ? shown.text : `[${message.type}${subtype}]`,
    createdAt: at,
    updatedAt: at,
    ...(shown?.toolCalls.length ? { toolCalls: JSON.stringify(shown.toolCalls) } : {}),
    ...(results.length ? { toolResults: JSON.stringify(results) } : {}),
    seq: message.seq,
    type: message.type,
    raw,
  };
}
