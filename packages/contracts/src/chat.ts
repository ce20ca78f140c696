import { z } from "zod";
import { noNul } from "./text.ts";
import { Id, Message, PermissionMode, WireDate } from "./api.ts";
import { ErrorBody } from "./errors.ts";

/** Options of one Claude Code run; each maps to a CLI flag (docs/chat.md lists them). */
export const RunOptions = z.strictObject({
  model: noNul(z.string().min(1).max(200)).optional(),
  permissionMode: PermissionMode.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  allowedTools: z.array(z.string().min(1)).max(200).optional(),
  disallowedTools: z.array(z.string().min(1)).max(200).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
  systemPrompt: z.string().max(100_000).optional(),
  includePartialMessages: z.boolean().optional(),
  maxBudgetUSD: z.number().positive().optional(),
  addDirs: z.array(z.string().min(1).max(4096)).max(50).optional(),
  agent: z.string().min(1).max(200).optional(),
  betas: z.array(z.string().min(1).max(200)).max(20).optional(),
  debug: z.boolean().optional(),
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

/** A message seq sent as text (an SSE or tRPC event id). */
export const SeqCursor = z.string().regex(/^\d+$/, "must be a message seq");

export const EventsInput = z.object({
  sessionId: Id,
  /** The last seq the client has (tRPC `tracked` id): everything after it is replayed first. */
  lastEventId: SeqCursor.nullish(),
  /** `run-ends`: the subscription completes when the session's current run ends (at once when none runs); unset, it follows the session. */
  until: z.enum(["run-ends"]).optional(),
});

export const RunState = z.enum(["started", "finished", "failed", "cancelled"]);
export type RunState = z.infer<typeof RunState>;

/** Who answered a permission request: a client (REST, tRPC) or the server on a timeout, cancel or shutdown. */
export const PermissionDecidedBy = z.enum(["rest", "trpc", "timeout", "cancel", "shutdown", "claude"]);
export type PermissionDecidedBy = z.infer<typeof PermissionDecidedBy>;

/** A tool call Claude Code asks permission for (`can_use_tool`), and its answer once given. */
export const PermissionRequest = z.object({
  sessionId: Id,
  runId: Id,
  requestId: z.string(),
  toolName: z.string(),
  toolInput: z.unknown(),
  toolUseId: z.string().nullable(),
  createdAt: WireDate,
  status: z.enum(["pending", "allowed", "denied"]),
  decision: z
    .object({
      decision: z.enum(["allow", "deny"]),
      reason: z.string().nullable(),
      updatedInput: z.unknown().optional(),
      decidedBy: PermissionDecidedBy,
      decidedAt: WireDate,
    })
    .nullable(),
});
export type PermissionRequest = z.infer<typeof PermissionRequest>;

export const RespondInput = z.object({
  sessionId: Id,
  requestId: z.string().min(1).max(200),
  decision: z.enum(["allow", "deny"]),
  reason: z.string().max(10_000).optional(),
  /** With allow: the tool input to run instead of the requested one. */
  updatedInput: z.record(z.string(), z.unknown()).optional(),
});
export type RespondInput = z.infer<typeof RespondInput>;
export const RespondResult = z.object({ acknowledged: z.literal(true) });
export type RespondResult = z.infer<typeof RespondResult>;

/**
 * What `chat.events` yields. `message` events are stored messages (their tracked id is the seq);
 * `partial` events are live `stream_event` deltas (never stored); `run` events mark a run's lifecycle;
 * `permission` events carry a permission request when it is made and when it is answered (a client that
 * connects gets every pending one after the backlog).
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
  z.object({ kind: z.literal("permission"), request: PermissionRequest }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;
