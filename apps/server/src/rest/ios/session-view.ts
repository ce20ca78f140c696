import type { Session } from "@ils/contracts";
import { toIosPermissionMode, type IosChatSession } from "@ils/contracts/ios";
import { projectIdFor } from "../../projects/project-id.ts";

/**
 * A stored session as the app's `ChatSession`; `name` is the title a person reads (docs/presentation.md). `encodedProjectPath` is left out on purpose: with it and a
 * `claudeSessionId` the app would load history from the transcript route instead of `/messages`.
 */
export function toChatSession(session: Session): IosChatSession {
  return {
    id: session.id,
    model: session.model ?? "default",
    permissionMode: toIosPermissionMode(session.permissionMode),
    status: session.status,
    messageCount: session.messageCount,
    source: session.source,
    createdAt: session.createdAt,
    lastActiveAt: session.lastActiveAt,
    totalCostUSD: session.totalCostUsd,
    ...(session.claudeSessionId ? { claudeSessionId: session.claudeSessionId } : {}),
    name: session.title,
    ...(session.projectPath ? { projectId: projectIdFor(session.projectPath) } : {}),
    ...(session.projectName ? { projectName: session.projectName } : {}),
    ...(session.forkedFromId ? { forkedFrom: session.forkedFromId } : {}),
    ...(session.firstPrompt ? { firstPrompt: session.firstPrompt } : {}),
    ...(session.lastError ? { lastError: session.lastError } : {}),
    subagentCount: session.subagentCount,
    ...(session.parentSessionId ? { parentSessionId: session.parentSessionId } : {}),
    ...(session.parentToolUseId ? { parentToolUseId: session.parentToolUseId } : {}),
  };
}
