import type { IosContentBlock, IosMessage, Message } from "@ils/contracts";
import { toAppBlocks } from "./content-blocks.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A stored raw Claude message as the app's history `Message`: plain text in `content`, tool calls and
 * results as JSON *strings* (the app parses them), plus `seq`, `type` and the untouched `raw` line.
 */
export function toAppMessage(message: Message, sessionId: string = message.sessionId): IosMessage {
  const raw = message.content;
  const value = isObject(raw) ? raw : {};
  const inner = isObject(value.message) ? value.message : undefined;
  const blocks = inner ? toAppBlocks(inner.content) : [];
  const role = message.type === "user" || message.type === "assistant" ? message.type : "system";
  const toolCalls = blocks.filter((b): b is Extract<IosContentBlock, { type: "toolUse" }> => b.type === "toolUse");
  const toolResults = blocks.filter((b): b is Extract<IosContentBlock, { type: "toolResult" }> => b.type === "toolResult");
  const at = message.timestamp ?? message.createdAt;
  return {
    id: message.id,
    sessionId,
    role,
    content: inner ? textOf(blocks) : summaryOf(value),
    createdAt: at,
    updatedAt: at,
    ...(toolCalls.length ? { toolCalls: JSON.stringify(toolCalls) } : {}),
    ...(toolResults.length ? { toolResults: JSON.stringify(toolResults) } : {}),
    seq: message.seq,
    type: message.type,
    raw,
  };
}

function textOf(blocks: IosContentBlock[]): string {
  return blocks
    .map((b) => (b.type === "text" && "text" in b ? b.text : ""))
    .filter((t) => t.length > 0)
    .join("\n\n");
}

/** Non-conversation lines (result, system, summary, ...): the most useful human text they carry. */
function summaryOf(value: Json): string {
  for (const key of ["result", "summary", "content", "lastPrompt"]) {
    if (typeof value[key] === "string") return value[key];
  }
  return typeof value.subtype === "string" ? value.subtype : "";
}
