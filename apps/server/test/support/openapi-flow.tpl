// Template for rest-flow.test.ts: copied next to the types openapi-typescript generates from the live
// document, type-checked with tsc against them, then run. A route, parameter or body the document gets
// wrong stops this from compiling or from working against the real server.
import createClient from "openapi-fetch";
import type { paths } from "./ils-api.ts";

export interface FlowAnswer {
  status: number;
  body: unknown;
}

export async function runFlow(baseUrl: string, projectPath: string): Promise<Record<string, FlowAnswer>> {
  const client = createClient<paths>({ baseUrl: `${baseUrl}/api/v1` });
  const out: Record<string, FlowAnswer> = {};
  const keep = (name: string, r: { response: Response; data?: unknown; error?: unknown }) => {
    out[name] = { status: r.response.status, body: r.data ?? r.error };
    return r;
  };

  const created = keep("create", await client.POST("/sessions", { body: { name: "flow", model: "sonnet", permissionMode: "default", projectPath } }));
  const id = (created.data as { data: { id: string } }).data.id.toUpperCase();

  const stream = await client.POST("/chat/stream", {
    body: { prompt: "list the files", sessionId: id, options: { includePartialMessages: false } },
    parseAs: "text",
  });
  out.stream = { status: stream.response.status, body: stream.data };

  keep("list", await client.GET("/sessions", { params: { query: { page: 1, limit: 50, refresh: "true" } } }));
  keep("get", await client.GET("/sessions/{id}", { params: { path: { id } } }));
  keep("rename", await client.PUT("/sessions/{id}", { params: { path: { id } }, body: { name: "renamed" } }));
  keep("messages", await client.GET("/sessions/{id}/messages", { params: { path: { id } } }));

  // Offset pages of 2 until hasMore is false (the default history holds only what a person reads).
  for (let offset = 0, page = 0; ; offset += 2, page++) {
    const r = keep(`offset${page}`, await client.GET("/sessions/{id}/messages", { params: { path: { id }, query: { limit: 2, offset } } }));
    if (!(r.data as { data: { hasMore: boolean } }).data.hasMore || page > 100) break;
  }
  // Keyset pages of 2, forward from the start.
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const query = cursor ? { limit: 2, cursor, direction: "forward" as const } : { limit: 2, direction: "forward" as const };
    const r = keep(`cursor${page}`, await client.GET("/sessions/{id}/messages", { params: { path: { id }, query } }));
    const data = (r.data as { data: { hasMore: boolean; nextCursor?: string | null } }).data;
    if (!data.hasMore || page > 100) break;
    cursor = data.nextCursor ?? undefined;
  }

  keep("projects", await client.GET("/projects", { params: { query: { limit: 50 } } }));
  keep("groups", await client.GET("/sessions/projects"));
  keep("stats", await client.GET("/stats"));
  keep("recent", await client.GET("/stats/recent", { params: { query: { limit: 5 } } }));
  keep("cancel", await client.POST("/chat/cancel/{id}", { params: { path: { id } }, body: {} }));
  keep("permission", await client.POST("/chat/permission/{id}/{requestId}", { params: { path: { id, requestId: "req-1" } }, body: { decision: "allow" } }));

  const fork = keep("fork", await client.POST("/sessions/{id}/fork", { params: { path: { id } }, body: {} }));
  const forkId = (fork.data as { data: { id: string } }).data.id;
  keep("forkMessages", await client.GET("/sessions/{id}/messages", { params: { path: { id: forkId } } }));

  keep("delete", await client.DELETE("/sessions/{id}", { params: { path: { id } } }));
  keep("getAfterDelete", await client.GET("/sessions/{id}", { params: { path: { id } } }));
  keep("listAfterDelete", await client.GET("/sessions", { params: { query: { limit: 50 } } }));
  return out;
}
