import { PermissionMode, toWireDate, type Session } from "@ils/contracts";
import { nameFromText } from "@ils/sync";

/** A `Session` table row as better-sqlite3 returns it. */
export interface SessionRow {
  id: string;
  claudeSessionId: string | null;
  name: string | null;
  projectPath: string | null;
  projectName: string | null;
  model: string | null;
  permissionMode: string;
  status: string;
  source: string;
  forkedFromId: string | null;
  parentSessionId: string | null;
  forkSourceClaudeId: string | null;
  messageCount: number;
  lastSeq: number;
  totalCostUsd: number;
  numTurns: number;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  firstPrompt: string | null;
  gitBranch: string | null;
  claudeVersion: string | null;
  lastError: string | null;
  runModel: string | null;
  systemPrompt: string | null;
  maxTurns: number | null;
  maxBudgetUsd: number | null;
  forkAtUuid: string | null;
  viewCount: number;
  hasConversation: number;
  agentId: string | null;
  parentToolUseId: string | null;
  customTitle: string | null;
  aiTitle: string | null;
  summaryTitle: string | null;
  firstCommand: string | null;
  costEstimated: number;
  unpricedModels: string | null;
  /** Only when selected with `SESSION_COLUMNS`. */
  subagentCount?: number;
  /** Only when selected with `SESSION_COLUMNS`: the parent's tool_use from an `AgentLink`. */
  linkedToolUseId?: string | null;
  createdAt: string;
  lastActiveAt: string;
}

/**
 * Every column plus what the app's view reads beside them: the sub-agent count and the tool_use that started a
 * sub-agent as its parent's lines name it. Both are index lookups per row (O(page)).
 */
export const SESSION_COLUMNS = `Session.*,
  (SELECT count(*) FROM Session c WHERE c.parentSessionId = Session.id) AS subagentCount,
  (SELECT l.toolUseId FROM AgentLink l WHERE l.sessionId = Session.parentSessionId AND l.agentId = Session.agentId) AS linkedToolUseId`;

/** The sessions a default list shows: not sub-agents, and (for imported ones) with a user or assistant message. */
export const LISTED_SESSION = `(Session.agentId IS NULL AND Session.parentSessionId IS NULL AND (Session.source = 'ils' OR Session.hasConversation = 1))`;

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    claudeSessionId: row.claudeSessionId,
    name: row.name,
    title: titleOf(row),
    projectPath: row.projectPath,
    projectName: row.projectName,
    model: row.model,
    // Rows written before the modes followed the CLI may hold `delegate`, which runs as `default`.
    permissionMode: PermissionMode.safeParse(row.permissionMode).data ?? "default",
    status: row.status as Session["status"],
    source: row.source as Session["source"],
    forkedFromId: row.forkedFromId,
    parentSessionId: row.parentSessionId,
    agentId: row.agentId,
    parentToolUseId: row.parentToolUseId ?? row.linkedToolUseId ?? null,
    subagentCount: row.subagentCount ?? 0,
    messageCount: row.messageCount,
    lastSeq: row.lastSeq,
    totalCostUsd: row.totalCostUsd,
    costEstimated: row.costEstimated === 1,
    unpricedModels: row.unpricedModels ? row.unpricedModels.split(",") : [],
    numTurns: row.numTurns,
    durationMs: row.durationMs,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cacheReadInputTokens: row.cacheReadInputTokens,
      cacheCreationInputTokens: row.cacheCreationInputTokens,
    },
    firstPrompt: row.firstPrompt,
    gitBranch: row.gitBranch,
    claudeVersion: row.claudeVersion,
    lastError: row.lastError,
    createdAt: toWireDate(row.createdAt),
    lastActiveAt: toWireDate(row.lastActiveAt),
  };
}

/**
 * The title rule (docs/presentation.md): a name given in ILS, else the latest custom title (`/rename`), else
 * Claude Code's ai-title, else a summary of this session, else the first typed prompt (else the first slash
 * command, for a session where nothing was typed but `/init`), else "Untitled".
 */
export function titleOf(row: Pick<SessionRow, "name" | "customTitle" | "aiTitle" | "summaryTitle" | "firstPrompt" | "firstCommand">): string {
  const prompt = row.firstPrompt ? nameFromText(row.firstPrompt) || null : null;
  return row.name ?? row.customTitle ?? row.aiTitle ?? row.summaryTitle ?? prompt ?? row.firstCommand ?? "Untitled";
}
