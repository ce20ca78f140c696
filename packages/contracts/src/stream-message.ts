import { z } from "zod";

/**
 * What `claude -p --output-format stream-json --verbose` prints, one JSON object per line.
 * Every schema is loose (unknown keys are kept) because the CLI adds fields in most releases;
 * a line whose type or shape is not recognised becomes an `UnknownMessage` holding the raw text.
 */

const usage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});
export type Usage = z.infer<typeof usage>;

export const TextBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
export const ThinkingBlock = z.looseObject({ type: z.literal("thinking"), thinking: z.string() });
export const ToolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
export const ToolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: z.boolean().nullish(),
});
/** Blocks of other types (image, redacted_thinking, ...) are kept as they are. */
export const OtherBlock = z.looseObject({ type: z.string() });
export const ContentBlock = z.union([TextBlock, ThinkingBlock, ToolUseBlock, ToolResultBlock, OtherBlock]);
export type ContentBlock = z.infer<typeof ContentBlock>;

const content = z.union([z.string(), z.array(ContentBlock)]);

export const SystemMessage = z.looseObject({
  type: z.literal("system"),
  subtype: z.string(),
  session_id: z.string().optional(),
  uuid: z.string().optional(),
  cwd: z.string().optional(),
  model: z.string().optional(),
  tools: z.array(z.string()).optional(),
  permissionMode: z.string().optional(),
  claude_code_version: z.string().optional(),
});
export type SystemMessage = z.infer<typeof SystemMessage>;

export const AssistantMessage = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({
    id: z.string().optional(),
    role: z.literal("assistant").optional(),
    model: z.string().optional(),
    content,
    usage: usage.nullish(),
  }),
  session_id: z.string().optional(),
  parent_tool_use_id: z.string().nullish(),
  uuid: z.string().optional(),
});
export type AssistantMessage = z.infer<typeof AssistantMessage>;

export const UserMessage = z.looseObject({
  type: z.literal("user"),
  message: z.looseObject({ role: z.literal("user").optional(), content }),
  session_id: z.string().optional(),
  parent_tool_use_id: z.string().nullish(),
  uuid: z.string().optional(),
});
export type UserMessage = z.infer<typeof UserMessage>;

export const ResultMessage = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean().optional(),
  duration_ms: z.number().optional(),
  duration_api_ms: z.number().optional(),
  num_turns: z.number().optional(),
  total_cost_usd: z.number().optional(),
  usage: usage.optional(),
  session_id: z.string().optional(),
  result: z.string().optional(),
  uuid: z.string().optional(),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

export const StreamEventMessage = z.looseObject({
  type: z.literal("stream_event"),
  event: z.looseObject({ type: z.string() }),
  session_id: z.string().optional(),
  parent_tool_use_id: z.string().nullish(),
  uuid: z.string().optional(),
});
export type StreamEventMessage = z.infer<typeof StreamEventMessage>;

/** Kept verbatim: a type a newer CLI added, a known type in a shape we do not understand, or a non-JSON line. */
export const UnknownMessage = z.object({
  type: z.literal("unknown"),
  /** The parsed JSON when the line was JSON, else the line's text. */
  raw: z.unknown(),
  reason: z.string(),
});
export type UnknownMessage = z.infer<typeof UnknownMessage>;

export const KnownStreamMessage = z.discriminatedUnion("type", [
  SystemMessage,
  AssistantMessage,
  UserMessage,
  ResultMessage,
  StreamEventMessage,
]);
export type KnownStreamMessage = z.infer<typeof KnownStreamMessage>;

export const StreamMessage = z.union([KnownStreamMessage, UnknownMessage]);
export type StreamMessage = z.infer<typeof StreamMessage>;

export const KNOWN_STREAM_TYPES = ["system", "assistant", "user", "result", "stream_event"] as const;

/** Parses an already-decoded JSON value; never throws. */
export function toStreamMessage(value: unknown): StreamMessage {
  const parsed = KnownStreamMessage.safeParse(value);
  if (parsed.success) return parsed.data;
  const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  const known = typeof type === "string" && (KNOWN_STREAM_TYPES as readonly string[]).includes(type);
  return {
    type: "unknown",
    raw: value,
    reason: known ? `unexpected shape for type "${String(type)}"` : `unknown type ${JSON.stringify(type ?? null)}`,
  };
}

/** Parses one stdout line; never throws. */
export function parseStreamLine(line: string): StreamMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { type: "unknown", raw: line, reason: "not JSON" };
  }
  return toStreamMessage(value);
}

/** Claude's own identifiers of a message, wherever the CLI put them (stream-json or transcript spelling). */
export function messageUuid(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const uuid = (value as { uuid?: unknown }).uuid;
  return typeof uuid === "string" && uuid.length > 0 ? uuid : undefined;
}
