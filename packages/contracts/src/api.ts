import { z } from "zod";

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids are UUIDs matched case-insensitively (the iOS app sends them upper-case); normalised to lower case. */
export const Id = z
  .string()
  .trim()
  .toLowerCase()
  .regex(UUID_PATTERN, "must be a UUID");

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
  name: z.string().nullable(),
  projectPath: z.string().nullable(),
  projectName: z.string().nullable(),
  model: z.string().nullable(),
  permissionMode: PermissionMode,
  status: SessionStatus,
  source: SessionSource,
  forkedFromId: z.string().nullable(),
  parentSessionId: z.string().nullable(),
  messageCount: z.number().int(),
  lastSeq: z.number().int(),
  totalCostUsd: z.number(),
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
  name: z.string().trim().min(1).max(200).optional(),
  projectPath: z.string().min(1).max(4096).optional(),
  model: z.string().min(1).max(200).optional(),
  permissionMode: PermissionMode.optional(),
  /** Run settings stored with the session and used on every run (a run's own options win). */
  systemPrompt: z.string().max(100_000).optional(),
  maxTurns: z.number().int().min(1).max(1000).optional(),
  maxBudgetUSD: z.number().positive().optional(),
});
export type CreateSessionInput = z.infer<typeof CreateSessionInput>;

export const RenameSessionInput = z.object({ sessionId: Id, name: z.string().trim().min(1).max(200) });

export const ListSessionsInput = z.object({
  limit: z.number().int().min(1).max(200).default(50),
  offset: z.number().int().min(0).optional(),
  cursor: z.string().min(1).max(200).optional(),
  projectPath: z.string().min(1).optional(),
  projectName: z.string().min(1).optional(),
  source: SessionSource.optional(),
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
  messages: z.array(z.union([z.string().max(10 * 1024 * 1024), z.record(z.string(), z.unknown())])).min(1).max(1000),
});
export const AppendMessagesResult = z.object({ inserted: z.number().int(), skipped: z.number().int(), lastSeq: z.number().int() });
