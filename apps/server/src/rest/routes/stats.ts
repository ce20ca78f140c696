import { IosChatSession } from "@ils/contracts/ios";
import { z } from "zod";
import { toChatSession } from "../ios/session-view.ts";
import { defineRoute, type RouteDef } from "../route.ts";

const count = z.number().int();
const StatsResponse = z.object({
  projects: z.object({ total: count, active: count }),
  sessions: z.object({ total: count, active: count }),
  skills: z.object({ total: count, active: count }),
  mcpServers: z.object({ total: count, healthy: count }),
  plugins: z.object({ total: count, enabled: count }),
});

/** What the app's Home screen calls next to the session list (contract §9). */
export const statsRoutes: RouteDef[] = [
  defineRoute({
    method: "GET",
    path: "/stats",
    operationId: "getStats",
    tag: "stats",
    summary: "Counts for the app's Home screen",
    response: StatsResponse,
    handle: ({ services }) => services.stats.home(),
  }),
  defineRoute({
    method: "GET",
    path: "/stats/recent",
    operationId: "recentSessions",
    tag: "stats",
    summary: "The most recently active sessions",
    query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(10) }),
    response: z.object({ items: z.array(IosChatSession), total: count }),
    handle: async ({ query, services }) => {
      const page = await services.sessions.list({ limit: query.limit });
      return { items: page.items.map(toChatSession), total: page.total };
    },
  }),
];
