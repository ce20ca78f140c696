import { z } from "zod";
import { Id, PageInfo, PermissionMode, Project, Session } from "../api.ts";
import { int, IosWireDate } from "./wire.ts";

/** The values the app decodes for a session's mode: Claude Code's, without `auto`, plus the app's `delegate`. */
export const IosPermissionMode = z.enum([...PermissionMode.exclude(["auto"]).options, "delegate"]);
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

/** The core session as the app decodes it: camelCase keys, absent rather than null, `USD` spelt upper-case. */
export const IosChatSession = Session.pick({ id: true, status: true, source: true, messageCount: true }).extend({
  model: z.string(),
  permissionMode: IosPermissionMode,
  createdAt: IosWireDate,
  lastActiveAt: IosWireDate,
  claudeSessionId: z.string().optional(),
  name: z.string().optional(),
  projectId: Id.optional(),
  projectName: z.string().optional(),
  totalCostUSD: z.number().optional(),
  forkedFrom: Id.optional(),
  encodedProjectPath: z.string().optional(),
  firstPrompt: z.string().optional(),
  /** ILS extension: why the last run failed (`status: "error"`). */
  lastError: z.string().optional(),
  /** ILS extension: sub-agent sessions under this one (`GET /sessions/{id}/subagents`). */
  subagentCount: int.optional(),
  /** ILS extension, sub-agent sessions: the parent session and the parent's tool_use that started this one. */
  parentSessionId: Id.optional(),
  parentToolUseId: z.string().optional(),
});
export type IosChatSession = z.infer<typeof IosChatSession>;

export const IosSessionPage = PageInfo.pick({ total: true, hasMore: true }).extend({ items: z.array(IosChatSession) });

export const IosProjectGroup = z.object({ name: z.string(), sessionCount: int, latestDate: IosWireDate });
export type IosProjectGroup = z.infer<typeof IosProjectGroup>;

export const IosProject = Project.pick({ id: true, name: true, path: true }).extend({
  defaultModel: z.string(),
  createdAt: IosWireDate,
  lastAccessedAt: IosWireDate,
  description: z.string().optional(),
  sessionCount: int.optional(),
  encodedPath: z.string().optional(),
});
export type IosProject = z.infer<typeof IosProject>;
export const IosProjectList = PageInfo.pick({ total: true }).extend({ items: z.array(IosProject) });
