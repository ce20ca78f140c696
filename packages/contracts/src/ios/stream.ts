import { z } from "zod";
import { TokenUsage } from "../api.ts";
import { PermissionRequest } from "../chat.ts";
import { int } from "./wire.ts";

// The SSE `data:` payloads of `/chat/stream` and `/sessions/{id}/events`: Claude Code's stream messages in the
// app's camelCase dialect.

export const IosTextBlock = z.object({ type: z.literal("text"), text: z.string() });
export const IosToolUseBlock = z.object({ type: z.literal("toolUse"), id: z.string(), name: z.string(), input: z.unknown() });
export const IosToolResultBlock = z.object({
  type: z.literal("toolResult"),
  toolUseId: z.string(),
  content: z.string(),
  isError: z.boolean(),
});
export const IosThinkingBlock = z.object({ type: z.literal("thinking"), thinking: z.string() });
/** Block types the app shows as empty text (image, redacted_thinking, ...). */
export const IosOtherBlock = z.object({ type: z.string() });
export const IosContentBlock = z.union([IosTextBlock, IosToolUseBlock, IosToolResultBlock, IosThinkingBlock, IosOtherBlock]);
export type IosContentBlock = z.infer<typeof IosContentBlock>;

/** The core token usage; a result without cache figures leaves them out. */
export const IosUsage = TokenUsage.partial({ cacheReadInputTokens: true, cacheCreationInputTokens: true });

export const IosStreamDelta = z.union([
  z.object({ type: z.literal("textDelta"), text: z.string() }),
  z.object({ type: z.literal("inputJsonDelta"), partialJson: z.string() }),
  z.object({ type: z.literal("thinkingDelta"), thinking: z.string() }),
  z.object({ type: z.string() }),
]);

export const IosSystemEvent = z.object({
  type: z.literal("system"),
  subtype: z.string(),
  data: z.object({
    sessionId: z.string(),
    plugins: z.array(z.string()).optional(),
    slashCommands: z.array(z.string()).optional(),
    tools: z.array(z.string()).optional(),
    model: z.string().optional(),
    cwd: z.string().optional(),
  }),
  uuid: z.string().optional(),
});
export const IosAssistantEvent = z.object({
  type: z.literal("assistant"),
  content: z.array(IosContentBlock),
  uuid: z.string().optional(),
  sessionId: z.string().optional(),
});
export const IosUserEvent = IosAssistantEvent.extend({
  type: z.literal("user"),
  toolUseResult: z
    .object({
      filenames: z.array(z.string()).optional(),
      durationMs: int.optional(),
      numFiles: int.optional(),
      truncated: z.boolean().optional(),
    })
    .optional(),
});
export const IosResultEvent = z.object({
  type: z.literal("result"),
  subtype: z.string(),
  sessionId: z.string(),
  isError: z.boolean(),
  durationMs: int.optional(),
  durationApiMs: int.optional(),
  numTurns: int.optional(),
  totalCostUSD: z.number().optional(),
  result: z.string().optional(),
  usage: IosUsage.optional(),
  modelUsage: z
    .record(
      z.string(),
      z.object({
        inputTokens: int.optional(),
        outputTokens: int.optional(),
        costUSD: z.number().optional(),
        contextWindow: int.optional(),
      }),
    )
    .optional(),
});
export const IosStreamEventEvent = z.object({
  type: z.literal("streamEvent"),
  eventType: z.string(),
  index: int.optional(),
  delta: IosStreamDelta.optional(),
});
/** A pending core permission request, as the app's permission prompt reads it. */
export const IosPermissionEvent = PermissionRequest.pick({ requestId: true, toolName: true, toolInput: true }).extend({
  type: z.literal("permission"),
});
export const IosErrorEvent = z.object({ type: z.literal("error"), code: z.string(), message: z.string() });

/** One SSE `data:` payload of `/chat/stream` and `/sessions/{id}/events`. */
export const IosStreamMessage = z.discriminatedUnion("type", [
  IosSystemEvent,
  IosAssistantEvent,
  IosUserEvent,
  IosResultEvent,
  IosStreamEventEvent,
  IosPermissionEvent,
  IosErrorEvent,
]);
export type IosStreamMessage = z.infer<typeof IosStreamMessage>;
