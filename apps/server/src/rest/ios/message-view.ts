import type { IosMessage, Message } from "@ils/contracts";
import { presentLine } from "../../presentation/bubble.ts";

/**
 * A stored raw Claude message as the app's history `Message` (rules: docs/presentation.md): plain text in
 * `content`, tool calls and results as JSON *strings* (the app parses them), plus `seq`, `type` and the
 * untouched `raw` line. A bookkeeping line (served only with `?include=all`) reads as its type in brackets.
 */
export function toAppMessage(message: Message, sessionId: string = message.sessionId): IosMessage {
  const raw = message.content;
  const shown = presentLine(raw);
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
    ...(shown?.toolResults.length ? { toolResults: JSON.stringify(shown.toolResults) } : {}),
    seq: message.seq,
    type: message.type,
    raw,
  };
}
