import { z } from "zod";
import { noNul } from "./text.ts";
import { Direction, PermissionMode, SessionSource, SessionStatus } from "./api.ts";
import { ErrorCode } from "./errors.ts";

/**
 * The shapes the ILS iOS app sends and decodes under `/api/v1` (see the iOS wire contract).
 * Keys are camelCase exactly as the app's Swift properties; optional keys are omitted rather than null.
 */

const wireDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, "must be an ISO-8601 UTC date without fractional seconds")
  .meta({ example: "2026-11-24T19:07:23Z" });
const uuidOut = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
const int = z.number().int();

/**
 * An id the app sends (UPPER-case UUIDs): accepted in either case, then lower-cased. The pattern is checked
 * before lower-casing so the published schema says "either case" too.
 */
const Id = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, "must be a UUID")
  .toLowerCase();

// ---- envelope -----------------------------------------------------------------------------------

export const IosErrorEnvelope = z.object({
  success: z.literal(false),
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })).optional() }).loose().optional(),
  }),
});
export type IosErrorEnvelope = z.infer<typeof IosErrorEnvelope>;

/** `{ success: true, data }`: every 2xx JSON answer under /api/v1. */
export function iosEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

// ---- sessions -----------------------------------------------------------------------------------

/** The values the app decodes for a session's mode. */
export const IosPermissionMode = z.enum(["default", "acceptEdits", "plan", "bypassPermissions", "delegate", "dontAsk"]);
export type IosPermissionMode = z.infer<typeof IosPermissionMode>;
/** What the app may send: Claude Code's modes plus its own `delegate` (mapped by `fromIosPermissionMode`). */
export const IosPermissionModeInput = z.enum([...PermissionMode.options, "delegate"]);

/**
 * `delegate` (Claude Code's former agent-team mode, no longer accepted by the CLI) runs as `default`: every tool
 * call that needs a permission is delegated to the phone's permission prompt.
 */
export function fromIosPermissionMode(mode: z.infer<typeof IosPermissionModeInput>): PermissionMode {
  return mode === "delegate" ? "default" : mode;
}

/** A mode the app cannot decode (`auto`) is shown as `default`. */
export function toIosPermissionMode(mode: PermissionMode): IosPermissionMode {
  return mode === "auto" ? "default" : mode;
}

export const IosChatSession = z
  .object({
    id: uuidOut,
    model: z.string(),
    permissionMode: IosPermissionMode,
    status: SessionStatus,
    messageCount: int,
    source: SessionSource,
    createdAt: wireDate,
    lastActiveAt: wireDate,
    claudeSessionId: z.string().optional(),
    name: z.string().optional(),
    projectId: uuidOut.optional(),
    projectName: z.string().optional(),
    totalCostUSD: z.number().optional(),
    forkedFrom: uuidOut.optional(),
    encodedProjectPath: z.string().optional(),
    firstPrompt: z.string().optional(),
    /** ILS extension: why the last run failed (`status: "error"`). */
    lastError: z.string().optional(),
    /** ILS extension: sub-agent sessions under this one (`GET /sessions/{id}/subagents`). */
    subagentCount: int.optional(),
    /** ILS extension, sub-agent sessions: the parent session and the parent's tool_use that started this one. */
    parentSessionId: uuidOut.optional(),
    parentToolUseId: z.string().optional(),
  });
export type IosChatSession = z.infer<typeof IosChatSession>;

export const IosSessionPage = z.object({ items: z.array(IosChatSession), total: int, hasMore: z.boolean() });

export const IosProjectGroup = z.object({ name: z.string(), sessionCount: int, latestDate: wireDate });
export type IosProjectGroup = z.infer<typeof IosProjectGroup>;

export const IosProject = z.object({
  id: uuidOut,
  name: z.string(),
  path: z.string(),
  defaultModel: z.string(),
  createdAt: wireDate,
  lastAccessedAt: wireDate,
  description: z.string().optional(),
  sessionCount: int.optional(),
  encodedPath: z.string().optional(),
});
export type IosProject = z.infer<typeof IosProject>;
export const IosProjectList = z.object({ items: z.array(IosProject), total: int });

// ---- messages -----------------------------------------------------------------------------------

export const IosMessage = z.object({
  id: uuidOut,
  sessionId: uuidOut,
  role: z.enum(["user", "assistant", "system"]),
  content: z.string(),
  createdAt: wireDate,
  updatedAt: wireDate,
  /** A string holding a JSON array of `toolUse` blocks (the app parses it). */
  toolCalls: z.string().optional(),
  /** A string holding a JSON array of `toolResult` blocks. */
  toolResults: z.string().optional(),
  seq: int.optional(),
  type: z.string().optional(),
  raw: z.unknown().optional(),
});
export type IosMessage = z.infer<typeof IosMessage>;

export const IosMessageList = z.object({
  items: z.array(IosMessage),
  total: int,
  hasMore: z.boolean().optional(),
  nextCursor: z.string().nullable().optional(),
  prevCursor: z.string().nullable().optional(),
});
export type IosMessageList = z.infer<typeof IosMessageList>;

export const IosDeleted = z.object({ deleted: z.boolean(), cancelled: z.boolean().optional() });
export const IosAcknowledged = z.object({ acknowledged: z.boolean() });

// ---- stream messages (SSE `data:` payloads) ------------------------------------------------------

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

export const IosUsage = z.object({
  inputTokens: int,
  outputTokens: int,
  cacheReadInputTokens: int.optional(),
  cacheCreationInputTokens: int.optional(),
});

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
export const IosUserEvent = z.object({
  type: z.literal("user"),
  content: z.array(IosContentBlock),
  uuid: z.string().optional(),
  sessionId: z.string().optional(),
  toolUseResult: z
    .object({ filenames: z.array(z.string()).optional(), durationMs: int.optional(), numFiles: int.optional(), truncated: z.boolean().optional() })
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
      z.object({ inputTokens: int.optional(), outputTokens: int.optional(), costUSD: z.number().optional(), contextWindow: int.optional() }),
    )
    .optional(),
});
export const IosStreamEventEvent = z.object({
  type: z.literal("streamEvent"),
  eventType: z.string(),
  index: int.optional(),
  delta: IosStreamDelta.optional(),
});
export const IosPermissionEvent = z.object({ type: z.literal("permission"), requestId: z.string(), toolName: z.string(), toolInput: z.unknown() });
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

// ---- requests -----------------------------------------------------------------------------------

export const IosCreateSessionRequest = z.object({
  projectId: Id.optional(),
  name: noNul(z.string().trim().min(1).max(200)).optional(),
  model: noNul(z.string().min(1).max(200)).optional(),
  permissionMode: IosPermissionModeInput.optional(),
  systemPrompt: z.string().max(100_000).optional(),
  maxBudgetUSD: z.number().positive().optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
});
export type IosCreateSessionRequest = z.infer<typeof IosCreateSessionRequest>;

export const IosRenameSessionRequest = z.object({ name: noNul(z.string().trim().min(1).max(200)) });
export const IosForkRequest = z.object({ atMessageId: Id.optional() });

export const IosChatOptions = z.looseObject({
  model: z.string().min(1).max(200).optional(),
  permissionMode: IosPermissionModeInput.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  maxBudgetUSD: z.number().optional(),
  allowedTools: z.array(z.string().min(1)).max(200).optional(),
  disallowedTools: z.array(z.string().min(1)).max(200).optional(),
  resume: z.string().optional(),
  forkSession: z.boolean().optional(),
  systemPrompt: z.string().max(100_000).optional(),
  appendSystemPrompt: z.string().max(100_000).optional(),
  addDirs: z.array(z.string()).optional(),
  continueConversation: z.boolean().optional(),
  includePartialMessages: z.boolean().optional(),
  noSessionPersistence: z.boolean().optional(),
  inputFormat: z.string().optional(),
  agent: z.string().optional(),
  betas: z.array(z.string()).optional(),
  debug: z.boolean().optional(),
});
export type IosChatOptions = z.infer<typeof IosChatOptions>;

export const IosChatStreamRequest = z.object({
  prompt: noNul(z.string().min(1, "must not be empty").max(1_000_000)),
  sessionId: Id.optional(),
  projectId: Id.optional(),
  options: IosChatOptions.optional(),
});
export type IosChatStreamRequest = z.infer<typeof IosChatStreamRequest>;

export const IosPermissionRequest = z.object({
  decision: z.enum(["allow", "deny"]),
  reason: z.string().max(10_000).optional(),
  /** With allow: the tool input to run instead of the requested one. */
  updatedInput: z.record(z.string(), z.unknown()).optional(),
});

const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const IosListSessionsQuery = z.object({
  page: queryInt(1, 1_000_000).optional(),
  limit: queryInt(1, 200).default(50),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  projectName: z.string().min(1).optional(),
  source: SessionSource.optional(),
  /** ILS extension: `all` also lists sessions without a conversation and sub-agent sessions. */
  include: z.enum(["all"]).optional(),
  refresh: z.enum(["true", "false"]).optional(),
  sort: z.string().optional(),
  order: z.enum(["asc", "desc"]).optional(),
});

/** No limit, offset or cursor: the whole history, oldest first. */
export const IosListMessagesQuery = z.object({
  /** ILS extension: `all` serves every stored line (bookkeeping too), not only what a person reads. */
  include: z.enum(["all"]).optional(),
  limit: queryInt(1, 500).optional(),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  cursor: z.string().min(1).max(200).optional(),
  direction: Direction.optional(),
});

export const IosEventsQuery = z.object({
  after: z.string().regex(/^\d+$/, "must be a message seq").optional(),
  /** `run-ends`: close when the current run ends (at once when none runs); by default the stream follows the session. */
  until: z.enum(["run-ends"]).optional(),
});

export const IosSessionIdParams = z.object({ id: Id });
