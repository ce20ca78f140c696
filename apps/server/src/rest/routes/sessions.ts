import {
  fromIosPermissionMode,
  IosChatSession,
  IosCreateSessionRequest,
  IosForkRequest,
  IosListSessionsQuery,
  IosProjectGroup,
  IosRenameSessionRequest,
  IosSessionIdParams,
  IosSessionPage,
} from "@ils/contracts/ios";
import { z } from "zod";
import { toIosProjectGroup, UNGROUPED } from "../ios/projects.ts";
import { toChatSession } from "../ios/session-view.ts";
import { defineRoute, type RouteDef } from "../route.ts";

/** The create body the app sends, plus `projectPath` (an ILS extension: the app picks a project by id). */
const CreateBody = IosCreateSessionRequest.extend({
  projectPath: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .meta({ description: "ILS extension: working directory (the app sends projectId); must be a directory under ILS_PROJECT_ROOTS" }),
});

export const sessionRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/sessions",
    operationId: "listSessions",
    tag: "sessions",
    summary: "List sessions, newest activity first",
    description:
      "`page` (1-based) or `offset`, with `limit`. `projectName=Ungrouped` lists the sessions without a project. Conversations only (docs/presentation.md): imported sessions without a user or assistant message and sub-agent sessions (see `/sessions/{id}/subagents`) are left out; `include=all` lists every session. `refresh`, `sort` and `order` are accepted and ignored (always lastActiveAt descending).",
    query: IosListSessionsQuery,
    response: IosSessionPage,
    handle: async ({ query, services }) => {
      const offset = query.offset ?? (query.page !== undefined ? (query.page - 1) * query.limit : 0);
      const page =
        query.projectName === UNGROUPED
          ? await services.projects.sessionsWithoutName(UNGROUPED, query.limit, offset)
          : await services.sessions.list({
              limit: query.limit,
              offset,
              ...(query.projectName !== undefined ? { projectName: query.projectName } : {}),
              ...(query.source !== undefined ? { source: query.source } : {}),
              ...(query.include !== undefined ? { include: query.include } : {}),
            });
      return { items: page.items.map(toChatSession), total: page.total, hasMore: page.hasMore };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/sessions/projects",
    operationId: "listSessionProjects",
    tag: "sessions",
    summary: "Sessions grouped by project name (sessions without one: `Ungrouped`)",
    response: z.array(IosProjectGroup),
    handle: async ({ services }) => (await services.projects.nameGroups()).map(toIosProjectGroup),
  }),
  defineRoute({
    method: "POST",
    path: "/sessions",
    operationId: "createSession",
    tag: "sessions",
    summary: "Create a session",
    description:
      "The working directory (`projectPath`, or the path of `projectId`) must be an existing directory under one of ILS_PROJECT_ROOTS (checked on its real path, outside the server's data folder): 400 naming the field otherwise. It is stored as its real path.",
    body: CreateBody,
    example: { name: "Refactor", model: "sonnet", permissionMode: "default" },
    response: IosChatSession,
    errors: [404],
    handle: async ({ body, services }) => {
      const session = await services.sessions.create({
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.model !== undefined ? { model: body.model } : {}),
        ...(body.permissionMode !== undefined ? { permissionMode: fromIosPermissionMode(body.permissionMode) } : {}),
        ...(body.systemPrompt !== undefined ? { systemPrompt: body.systemPrompt } : {}),
        ...(body.maxTurns !== undefined ? { maxTurns: body.maxTurns } : {}),
        ...(body.maxBudgetUSD !== undefined ? { maxBudgetUSD: body.maxBudgetUSD } : {}),
        ...(body.projectPath !== undefined ? { projectPath: body.projectPath } : {}),
        ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
      });
      return toChatSession(session);
    },
  }),
  defineRoute({
    method: "GET",
    path: "/sessions/{id}",
    operationId: "getSession",
    tag: "sessions",
    summary: "Get one session",
    params: IosSessionIdParams,
    response: IosChatSession,
    errors: [404],
    handle: async ({ params, services }) => toChatSession(await services.sessions.get(params.id)),
  }),
  defineRoute({
    method: "GET",
    path: "/sessions/{id}/subagents",
    operationId: "listSubagents",
    tag: "sessions",
    summary: "The sub-agent sessions this session started, oldest first",
    description:
      "Each has `parentSessionId` and, where the transcripts name it, `parentToolUseId`: the Task/Agent tool_use that started it.",
    params: IosSessionIdParams,
    response: z.object({ items: z.array(IosChatSession), total: z.number().int() }),
    errors: [404],
    handle: async ({ params, services }) => {
      const items = (await services.sessions.subagents(params.id)).map(toChatSession);
      return { items, total: items.length };
    },
  }),
  defineRoute({
    method: "PUT",
    path: "/sessions/{id}",
    operationId: "renameSession",
    tag: "sessions",
    summary: "Rename a session",
    params: IosSessionIdParams,
    body: IosRenameSessionRequest,
    example: { name: "New name" },
    response: IosChatSession,
    errors: [404],
    handle: async ({ params, body, services }) => toChatSession(await services.sessions.rename(params.id, body.name)),
  }),
  defineRoute({
    method: "DELETE",
    path: "/sessions/{id}",
    operationId: "deleteSession",
    tag: "sessions",
    summary: "Delete a session and its messages",
    description: "`data` is null: the app decodes this answer two different ways and null satisfies both.",
    params: IosSessionIdParams,
    response: z.null(),
    errors: [404],
    handle: async ({ params, services }) => {
      await services.sessions.delete(params.id);
      return null;
    },
  }),
  defineRoute({
    method: "POST",
    path: "/sessions/{id}/fork",
    operationId: "forkSession",
    tag: "sessions",
    summary: "Fork a session (a new session with a copy of the history, up to a message if given)",
    description:
      "The fork runs in the parent's directory, which must pass the ILS_PROJECT_ROOTS check now (400 otherwise, e.g. for an imported session from elsewhere).",
    params: IosSessionIdParams,
    body: IosForkRequest,
    example: {},
    response: IosChatSession,
    errors: [404],
    handle: async ({ params, body, services }) =>
      toChatSession(services.forks.fork({ sessionId: params.id, ...(body.atMessageId ? { atMessageId: body.atMessageId } : {}) })),
  }),
];
