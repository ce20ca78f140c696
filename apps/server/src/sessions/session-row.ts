import { PermissionMode, toWireDate, type Session } from "@ils/contracts";

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
  createdAt: string;
  lastActiveAt: string;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    claudeSessionId: row.claudeSessionId,
    name: row.name,
    projectPath: row.projectPath,
    projectName: row.projectName,
    model: row.model,
    // Rows written before the modes followed the CLI may hold `delegate`, which runs as `default`.
    permissionMode: PermissionMode.safeParse(row.permissionMode).data ?? "default",
    status: row.status as Session["status"],
    source: row.source as Session["source"],
    forkedFromId: row.forkedFromId,
    parentSessionId: row.parentSessionId,
    messageCount: row.messageCount,
    lastSeq: row.lastSeq,
    totalCostUsd: row.totalCostUsd,
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
