import type { RouteDef } from "../route.ts";
import { chatRoutes } from "./chat.ts";
import { exportRoutes } from "./export.ts";
import { messageRoutes } from "./messages.ts";
import { projectRoutes } from "./projects.ts";
import { sessionRoutes } from "./sessions.ts";
import { statsRoutes } from "./stats.ts";
import { searchRoutes } from "./search.ts";
import { syncRoutes } from "./sync.ts";

/**
 * Every /api/v1 route, one group per file. To add a group (search, export, ...): declare it with `defineRoute`
 * in its own file here and append it to this list; validation, auth, the envelope and the OpenAPI document
 * follow automatically.
 */
// `/sessions/scan` before `/sessions/{id}` routes.
export const restRoutes: RouteDef[] = [
  ...syncRoutes,
  ...sessionRoutes,
  ...messageRoutes,
  ...chatRoutes,
  ...projectRoutes,
  ...statsRoutes,
  ...searchRoutes,
  ...exportRoutes,
];
