import { RunOptions } from "@ils/contracts";
import {
  fromIosPermissionMode,
  IosAcknowledged,
  IosChatStreamRequest,
  IosDeleted,
  IosEventsQuery,
  IosPermissionRequest,
  IosSessionIdParams,
  IosStreamMessage,
  type IosChatOptions,
} from "@ils/contracts/ios";
import type { CreateSessionInput } from "@ils/contracts";
import { z } from "zod";
import { badRequest, validationError } from "../../errors/app-error.ts";
import { sessionForRun } from "../../sessions/session-for-run.ts";
import { relaySession, resumePoint } from "../chat/relay.ts";
import { defineRoute, WRITTEN, type RouteDef } from "../route.ts";
import { SseWriter } from "../sse.ts";

/**
 * The app's options, each mapped to a run option or refused (400 naming it): none is dropped silently.
 * `resume` may only name the session's own Claude session (the app always adds it); forking has its own route.
 */
function runOptions(options: IosChatOptions | undefined, claudeSessionId: string | null): RunOptions | undefined {
  if (!options) return undefined;
  const picked: RunOptions = {};
  const refuse = (key: string, why: string) => {
    throw badRequest(`options.${key}`, `not supported: ${why}`);
  };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    switch (key) {
      case "permissionMode":
        picked.permissionMode = fromIosPermissionMode(options.permissionMode!);
        break;
      case "model":
      case "maxTurns":
      case "maxBudgetUSD":
      case "allowedTools":
      case "disallowedTools":
      case "systemPrompt":
      case "appendSystemPrompt":
      case "addDirs":
      case "includePartialMessages":
      case "agent":
      case "betas":
      case "debug":
        (picked as Record<string, unknown>)[key] = value;
        break;
      case "resume":
        if (value !== claudeSessionId) refuse(key, "a session resumes its own Claude session; use POST /sessions/{id}/fork to branch");
        break;
      case "forkSession":
        if (value === true) refuse(key, "use POST /sessions/{id}/fork");
        break;
      case "continueConversation":
        if (value === true) refuse(key, "a session always continues its own conversation");
        break;
      case "noSessionPersistence":
        if (value === true) refuse(key, "the server resumes sessions from Claude Code's transcript");
        break;
      case "inputFormat":
        if (value !== "stream-json") refuse(key, "prompts are always sent as stream-json");
        break;
      default:
        refuse(key, "unknown option");
    }
  }
  const parsed = RunOptions.safeParse(picked);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** The settings of a session the app names but the server never saw (created on the fly, as by POST /sessions). */
function createInputOf(body: z.output<typeof IosChatStreamRequest>): CreateSessionInput {
  return {
    ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
    ...(body.options?.model !== undefined ? { model: body.options.model } : {}),
    ...(body.options?.permissionMode !== undefined ? { permissionMode: fromIosPermissionMode(body.options.permissionMode) } : {}),
  };
}

export const chatRoutes: RouteDef[] = [
  defineRoute({
    method: "POST",
    path: "/chat/stream",
    operationId: "chatStream",
    tag: "chat",
    summary: "Send a prompt and stream the run as Server-Sent Events",
    description:
      "Headers go out at once; `: ping` every 15 s; one JSON StreamMessage per `data:` line (stored messages carry `id: <seq>`); the response closes when the run ends. `Last-Event-ID` is NOT honoured here (use GET /sessions/{id}/events). An unknown `sessionId` is created on the fly. The run's directory must pass the ILS_PROJECT_ROOTS check right before it starts: 400 otherwise (an imported session from a folder outside the roots is readable but cannot be continued here).",
    body: IosChatStreamRequest,
    example: { prompt: "Hello", sessionId: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F" },
    response: IosStreamMessage,
    sse: true,
    errors: [404],
    handle: async ({ body, services, res, signal }) => {
      const streaming = services.streaming;
      // Options are checked against the existing session before one is created on the fly: a refused request leaves nothing behind.
      const { session, accepted: options } = await sessionForRun(
        services.sessions,
        { ...(body.sessionId !== undefined ? { sessionId: body.sessionId } : {}), create: createInputOf(body) },
        (existing) => runOptions(body.options, existing?.claudeSessionId ?? null),
      );
      const sessionId = session.id;
      const afterSeq = session.lastSeq;
      const sse = new SseWriter(res);
      await relaySession({
        services,
        sse,
        sessionId,
        afterSeq,
        signal,
        start: async () => (await streaming.send({ sessionId, prompt: body.prompt, ...(options ? { options } : {}) })).runId,
      });
      return WRITTEN;
    },
  }),
  defineRoute({
    method: "GET",
    path: "/sessions/{id}/events",
    operationId: "sessionEvents",
    tag: "chat",
    summary: "Resume a session's event stream after a seq (SSE)",
    description:
      "Replays stored messages after the `Last-Event-ID` header (what a standard EventSource client sends on reconnect; it wins over `after`) or `after`, then follows the session until the client closes: the server's runs and terminal continuations the sync watcher imports (`: ping` every 15 s, `retry: 3000`). `?until=run-ends` closes the stream when the current run ends instead, at once when nothing runs. Without `Last-Event-ID` and `after`, only new events are sent.",
    params: IosSessionIdParams,
    query: IosEventsQuery,
    response: IosStreamMessage,
    sse: true,
    errors: [404],
    handle: async ({ params, query, services, req, res, signal }) => {
      const row = services.sessions.getRow(params.id);
      const afterSeq = resumePoint(query.after, req.headers["last-event-id"], row.lastSeq);
      const sse = new SseWriter(res);
      await relaySession({ services, sse, sessionId: row.id, afterSeq, signal, ...(query.until ? { until: query.until } : {}) });
      return WRITTEN;
    },
  }),
  defineRoute({
    method: "POST",
    path: "/chat/cancel/{id}",
    operationId: "cancelChat",
    tag: "chat",
    summary: "Stop the session's run (what was stored stays)",
    description: "`deleted` mirrors `cancelled`: the app decodes this answer as a DeletedResponse.",
    params: IosSessionIdParams,
    body: z.object({}).loose(),
    example: {},
    response: IosDeleted,
    errors: [404],
    handle: async ({ params, services }) => {
      const { cancelled } = await services.streaming.cancel(params.id);
      return { deleted: cancelled, cancelled };
    },
  }),
  defineRoute({
    method: "POST",
    path: "/chat/permission/{id}/{requestId}",
    operationId: "answerPermission",
    tag: "chat",
    summary: "Answer a permission request",
    description:
      "Answers the `permission` event of a running session (`requestId` from the event). `allow` runs the tool (with `updatedInput` instead of the requested input when given); `deny` gives the model `reason`. 404 for an unknown or already answered request.",
    params: z.object({ id: IosSessionIdParams.shape.id, requestId: z.string().min(1).max(200) }),
    body: IosPermissionRequest,
    example: { decision: "allow" },
    response: IosAcknowledged,
    errors: [404],
    handle: async ({ params, body, services }) =>
      services.streaming.respond(
        {
          sessionId: params.id,
          requestId: params.requestId,
          decision: body.decision,
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
          ...(body.updatedInput !== undefined ? { updatedInput: body.updatedInput } : {}),
        },
        "rest",
      ),
  }),
];
