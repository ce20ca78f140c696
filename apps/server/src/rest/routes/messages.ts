import type { ServerResponse } from "node:http";
import type { Page } from "@ils/contracts";
import { IosListMessagesQuery, IosMessageList, IosSessionIdParams } from "@ils/contracts/ios";
import { z } from "zod";
import { AppError } from "../../errors/app-error.ts";
import { encodeSeqCursor } from "../../messages/cursor.ts";
import type { TransportServices } from "../../services.ts";
import { writeChunk } from "../http-io.ts";
import { toAppMessage } from "../ios/message-view.ts";
import type { ViewMessage } from "../../presentation/view-history.ts";
import { defineRoute, WRITTEN, type RouteDef } from "../route.ts";

const PAGE = 500;

type Pager = (q: {
  sessionId: string;
  limit: number;
  offset?: number;
  cursor?: string;
  direction?: "forward" | "backward";
}) => Page<ViewMessage>;

/** `?include=all`: every stored line; default: only what a person reads (docs/presentation.md). */
function pagerFor(services: TransportServices, include: "all" | undefined): Pager {
  return include === "all" ? (q) => services.history.list(q) : (q) => services.viewHistory.list(q);
}

/**
 * The whole history, oldest first, written page by page as `{success, data: {items, total, hasMore}}`:
 * memory stays at one page however long the session is. The first page is read before the headers go out,
 * so an unknown session is still a clean 404.
 */
async function writeWholeHistory(res: ServerResponse, list: Pager, sessionId: string, signal: AbortSignal): Promise<typeof WRITTEN> {
  let page = list({ sessionId, cursor: encodeSeqCursor(0), limit: PAGE });
  const total = page.total;
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  await writeChunk(res, `{"success":true,"data":{"items":[`);
  let first = true;
  for (;;) {
    for (const message of page.items) {
      await writeChunk(res, (first ? "" : ",") + JSON.stringify(toAppMessage(message, sessionId)));
      first = false;
    }
    if (!page.hasMore || signal.aborted) break;
    page = list({ sessionId, cursor: page.nextCursor ?? encodeSeqCursor(0), limit: PAGE });
  }
  res.end(`],"total":${total},"hasMore":false}}`);
  return WRITTEN;
}

export const messageRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/sessions/{id}/messages",
    operationId: "listMessages",
    tag: "messages",
    summary: "A session's history, oldest first",
    description:
      "What a person reads (docs/presentation.md): bookkeeping lines are left out; `include=all` serves every stored line. No query: the WHOLE history (streamed). `limit` (+ `offset`): one page by position. `cursor` + `direction` (`forward` newer, `backward` older): keyset pages; continue with `nextCursor`/`prevCursor`.",
    params: IosSessionIdParams,
    query: IosListMessagesQuery,
    response: IosMessageList,
    errors: [404],
    handle: async ({ params, query, services, res, signal }) => {
      if (query.offset !== undefined && query.cursor !== undefined) {
        throw new AppError("VALIDATION_ERROR", "query.cursor: use only one of offset and cursor", {
          issues: [{ path: "query.cursor", message: "use only one of offset and cursor" }],
        });
      }
      const list = pagerFor(services, query.include);
      if (query.limit === undefined && query.offset === undefined && query.cursor === undefined && query.direction === undefined) {
        return writeWholeHistory(res, list, params.id, signal);
      }
      const page = list({
        sessionId: params.id,
        limit: query.limit ?? 50,
        ...(query.cursor !== undefined || query.direction !== undefined
          ? { ...(query.cursor !== undefined ? { cursor: query.cursor } : {}), direction: query.direction ?? "forward" }
          : { offset: query.offset ?? 0 }),
      });
      return { ...page, items: page.items.map((m) => toAppMessage(m, params.id)) };
    },
  }),
  defineRoute({
    method: "GET",
    path: "/sessions/transcript/{encodedProjectPath}/{claudeSessionId}",
    operationId: "getTranscript",
    tag: "messages",
    summary: "The history of the session with this Claude session id (the project segment is not needed to find it)",
    params: z.object({ encodedProjectPath: z.string().min(1), claudeSessionId: z.string().min(1).max(200) }),
    query: z.object({ include: z.enum(["all"]).optional() }),
    response: IosMessageList,
    errors: [404],
    handle: async ({ params, query, services, res, signal }) => {
      const row =
        services.sessions.findByClaudeSessionId(params.claudeSessionId) ??
        services.sessions.findByClaudeSessionId(params.claudeSessionId.toLowerCase());
      if (!row) throw new AppError("NOT_FOUND", `no session with Claude session id ${params.claudeSessionId}`);
      return writeWholeHistory(res, pagerFor(services, query.include), row.id, signal);
    },
  }),
];
