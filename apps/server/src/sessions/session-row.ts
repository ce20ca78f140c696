import { PermissionMode, toWireDate, type Session } from "@ils/contracts";
import { nameFromText } from "@ils/sync";
import type { Prisma as PrismaTypes } from "../db/generated/client.ts";
import type { SessionModel } from "../db/generated/models.ts";
import type { Prisma } from "../db/prisma.ts";
import type { SessionRow } from "../db/tables/sessions.ts";

export type { SessionRow } from "../db/tables/sessions.ts";

/** The sessions a default list shows: not sub-agents, and (for imported ones) with a user or assistant message. */
export const LISTED_SESSION_WHERE = {
  agentId: null,
  parentSessionId: null,
  OR: [{ source: "ils" }, { hasConversation: 1 }],
} satisfies PrismaTypes.SessionWhereInput;

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
export function titleOf(
  row: Pick<SessionRow, "name" | "customTitle" | "aiTitle" | "summaryTitle" | "firstPrompt" | "firstCommand">,
): string {
  const prompt = row.firstPrompt ? nameFromText(row.firstPrompt) || null : null;
  return row.name ?? row.customTitle ?? row.aiTitle ?? row.summaryTitle ?? prompt ?? row.firstCommand ?? "Untitled";
}

/**
 * Session rows read through Prisma, with what the app's view reads beside them: the sub-agent count (one groupBy
 * for the page) and, for sub-agents, the parent's tool_use from an `AgentLink` (one query, only when the page
 * holds sub-agents).
 */
export async function withViewFields(prisma: Prisma, rows: SessionModel[]): Promise<SessionRow[]> {
  if (rows.length === 0) return [];
  const counts = await prisma.session.groupBy({
    by: ["parentSessionId"],
    where: { parentSessionId: { in: rows.map((r) => r.id) } },
    _count: { _all: true },
  });
  const subagents = new Map(counts.map((c) => [c.parentSessionId, c._count._all]));
  const agents = rows.filter((r) => r.agentId !== null && r.parentSessionId !== null);
  const links = agents.length
    ? await prisma.agentLink.findMany({
        where: { OR: agents.map((r) => ({ sessionId: r.parentSessionId!, agentId: r.agentId! })) },
        select: { sessionId: true, agentId: true, toolUseId: true },
      })
    : [];
  const linked = new Map(links.map((l) => [`${l.sessionId}\n${l.agentId}`, l.toolUseId]));
  return rows.map((r) => ({
    ...r,
    subagentCount: subagents.get(r.id) ?? 0,
    linkedToolUseId: linked.get(`${r.parentSessionId}\n${r.agentId}`) ?? null,
  }));
}
