import { z } from "zod";
import { noNul } from "./text.ts";
import { Id, Message, PermissionMode, WireDate } from "./api.ts";
import { ErrorBody } from "./errors.ts";

/** Options of one Claude Code run; each maps to a CLI flag. */
export const RunOptions = z.object({
  model: noNul(z.string().min(1).max(200)).optional(),
  permissionMode: PermissionMode.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  allowedTools: z.array(z.string().min(1)).max(200).optional(),
  disallowedTools: z.array(z.string().min(1)).max(200).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
  systemPrompt: z.string().max(100_000).optional(),
  includePartialMessages: z.boolean().optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const SendInput = z.object({
  sessionId: Id,
  prompt: noNul(z.string().min(1, "must not be empty").max(1_000_000)),
  options: RunOptions.optional(),
});
export type SendInput = z.infer<typeof SendInput>;

export const SendResult = z.object({ sessionId: Id, runId: Id });
export type SendResult = z.infer<typeof SendResult>;

export const ForkInput = z.object({ sessionId: Id, atMessageId: Id.optional() });

export const EventsInput = z.object({
  sessionId: Id,
  /** The last seq the client has (tRPC `tracked` id): everything after it is replayed first. */
  lastEventId: z.string().regex(/^\d+$/, "must be a message seq").nullish(),
});

export const RunState = z.enum(["started", "finished", "failed", "cancelled"]);
export type RunState = z.infer<typeof RunState>;

/**
 * What `chat.events` yields. `message` events are stored messages (their tracked id is the seq);
 * `partial` events are live `stream_event` deltas (never stored); `run` events mark a run's lifecycle.
 */
export const ChatEvent = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("message"), message: Message }),
  z.object({ kind: z.literal("partial"), sessionId: Id, runId: Id, event: z.unknown() }),
  z.object({
    kind: z.literal("run"),
    sessionId: Id,
    runId: Id,
    state: RunState,
    at: WireDate,
    error: ErrorBody.optional(),
  }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;
