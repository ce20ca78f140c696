import { z } from "zod";
import { noNul } from "./text.ts";

const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Ids are UUIDs matched case-insensitively (the iOS app sends them upper-case), then lower-cased. The pattern is
 * checked before lower-casing so the published schema says "either case" too.
 */
export const Id = noNul(z.string()).trim().regex(UUID_PATTERN, "must be a UUID").toLowerCase();

export const WireDate = z.string().meta({ description: "ISO-8601 UTC without fractional seconds", example: "2026-11-24T19:07:23Z" });

export const SessionStatus = z.enum(["active", "completed", "error", "cancelled"]);
export type SessionStatus = z.infer<typeof SessionStatus>;
export const SessionSource = z.enum(["ils", "external"]);
export type SessionSource = z.infer<typeof SessionSource>;
/** The modes Claude Code accepts (`claude --help`); `default` is its own default (no flag is passed). */
export const PermissionMode = z.enum(["default", "acceptEdits", "plan", "bypassPermissions", "dontAsk", "auto"]);
export type PermissionMode = z.infer<typeof PermissionMode>;

export const TokenUsage = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadInputTokens: z.number().int(),
  cacheCreationInputTokens: z.number().int(),
});
export type TokenUsage = z.infer<typeof TokenUsage>;

export const Session = z.object({
  id: Id,
  claudeSessionId: z.string().nullable(),
  /** The name given in ILS (create, rename), if any. */
  name: z.string().nullable(),
  /**
   * What a person reads as the session's name (docs/presentation.md): the ILS name, else the latest custom title,
   * else Claude Code's ai-title, else a summary of this session, else the first typed prompt, else "Untitled".
   */
  title: z.string(),
  projectPath: z.string().nullable(),
  projectName: z.string().nullable(),
  model: z.string().nullable(),
  permissionMode: PermissionMode,
  status: SessionStatus,
  source: SessionSource,
  forkedFromId: z.string().nullable(),
  parentSessionId: z.string().nullable(),
  /** Sub-agent sessions: the agent id, and the parent's tool_use that started it (when the files say). */
  agentId: z.string().nullable(),
  parentToolUseId: z.string().nullable(),
  /** Sub-agent sessions listed under this one (`sessions.subagents`). */
  subagentCount: z.number().int(),
  messageCount: z.number().int(),
  lastSeq: z.number().int(),
  totalCostUsd: z.number(),
  /** True when `totalCostUsd` is estimated from token counts (imported sessions), false when a run reported it. */
  costEstimated: z.boolean(),
  /** Models with usage the price table does not know: their tokens are not in the estimate. */
  unpricedModels: z.array(z.string()),
  numTurns: z.number().int(),
  durationMs: z.number().int(),
  usage: TokenUsage,
  firstPrompt: z.string().nullable(),
  gitBranch: z.string().nullable(),
  claudeVersion: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: WireDate,
  lastActiveAt: WireDate,
});
export type Session = z.infer<typeof Session>;

/** A stored message: `content` is the JSON Claude printed, returned unchanged. */
export const Message = z.object({
  id: Id,
  sessionId: Id,
  seq: z.number().int().positive(),
  type: z.string(),
  subtype: z.string().nullable(),
  role: z.string().nullable(),
  uuid: z.string().nullable(),
  content: z.unknown(),
  timestamp: WireDate.nullable(),
  createdAt: WireDate,
});
export type Message = z.infer<typeof Message>;

export const PageInfo = z.object({
  total: z.number().int(),
  hasMore: z.boolean(),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return PageInfo.extend({ items: z.array(item) });
}
export type Page<T> = z.infer<typeof PageInfo> & { items: T[] };

export const SessionPage = pageOf(Session);
export const MessagePage = pageOf(Message);

// ---- inputs -------------------------------------------------------------------------------------

export const SessionIdInput = z.object({ sessionId: Id });

export const CreateSessionInput = z.object({
  name: noNul(z.string().trim().min(1).max(200)).optional(),
  /** Must be a directory under one of the server's ILS_PROJECT_ROOTS; stored as its real path. */
  projectPath: z.string().min(1).max(4096).optional(),
  /** A project from projects.list (used when projectPath is absent). */
  projectId: Id.optional(),
  model: noNul(z.string().min(1).max(200)).optional(),
  permissionMode: PermissionMode.optional(),
  /** Run settings stored with the session and used on every run (a run's own options win). */
  systemPrompt: z.string().max(100_000).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  maxBudgetUSD: z.number().positive().optional(),
});
export type CreateSessionInput = z.infer<typeof CreateSessionInput>;

/**
 * A working directory: registered (projects.create) or derived from the sessions' paths, one per path. The id is
 * a hash of the path, the same before and after registration.
 */
export const Project = z.object({
  id: Id,
  name: z.string(),
  path: z.string(),
  defaultModel: z.string().nullable(),
  description: z.string().nullable(),
  /** True when registered with projects.create; false when only sessions name this path. */
  registered: z.boolean(),
  sessionCount: z.number().int(),
  createdAt: WireDate,
  lastAccessedAt: WireDate,
});
export type Project = z.infer<typeof Project>;

/** Registers a directory under the server's ILS_PROJECT_ROOTS; registering a path again updates its fields. */
export const CreateProjectInput = z.object({
  name: noNul(z.string().trim().min(1).max(200)),
  path: z.string().min(1).max(4096),
  defaultModel: noNul(z.string().min(1).max(200)).optional(),
  description: z.string().max(10_000).optional(),
});
export type CreateProjectInput = z.infer<typeof CreateProjectInput>;

export const RenameSessionInput = z.object({ sessionId: Id, name: noNul(z.string().trim().min(1).max(200)) });

export const ListSessionsInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).optional(),
  cursor: z.string().min(1).max(200).optional(),
  projectPath: z.string().min(1).optional(),
  projectName: z.string().min(1).optional(),
  source: SessionSource.optional(),
  /**
   * Default: conversations only (imported sessions without a user or assistant message and sub-agent sessions
   * are left out; sub-agents are listed by `sessions.subagents`). `all`: every stored session.
   */
  include: z.enum(["conversations", "all"]).optional(),
});
export type ListSessionsInput = z.input<typeof ListSessionsInput>;

export const Direction = z.enum(["forward", "backward"]);
export type Direction = z.infer<typeof Direction>;

/**
 * Offset paging (`offset` + `limit`) or keyset paging (`cursor` + `direction`), never both.
 * Without offset or cursor, `forward` starts at the oldest message and `backward` at the newest.
 * `around` (a message id) returns the page centred on that message.
 */
export const ListMessagesInput = z
  .object({
    sessionId: Id,
    limit: z.number().int().min(1).max(500).default(50),
    offset: z.number().int().min(0).optional(),
    cursor: z.string().min(1).max(200).optional(),
    direction: Direction.default("forward"),
    around: Id.optional(),
  })
  .refine((v) => [v.offset, v.cursor, v.around].filter((x) => x !== undefined).length <= 1, {
    message: "use only one of offset, cursor and around",
    path: ["cursor"],
  });
export type ListMessagesInput = z.input<typeof ListMessagesInput>;

export const HealthStatus = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  database: z.object({ ok: z.boolean() }),
  claude: z.object({
    found: z.boolean(),
    version: z.string().nullable(),
    /** The executable that runs, and why it was chosen: ILS_CLAUDE_BIN, `claude` on PATH, or the Agent SDK's bundled CLI. */
    path: z.string(),
    source: z.enum(["ILS_CLAUDE_BIN", "PATH", "bundled"]),
  }),
});
export type HealthStatus = z.infer<typeof HealthStatus>;

/** Raw Claude messages to store: JSON text lines as printed, or already-parsed objects. */
export const AppendMessagesInput = z.object({
  sessionId: Id,
  messages: z
    .array(z.union([z.string().max(10 * 1024 * 1024), z.record(z.string(), z.unknown())]))
    .min(1)
    .max(1000),
});
export const AppendMessagesResult = z.object({ inserted: z.number().int(), skipped: z.number().int(), lastSeq: z.number().int() });
