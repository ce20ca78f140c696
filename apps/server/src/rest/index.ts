import type { RouteHandler } from "../http/server.ts";
import { createDocsHandler } from "./docs-page.ts";
import { buildOpenApiDocument } from "./openapi.ts";
import { createRestHandler } from "./router.ts";
import { restRoutes } from "./routes/index.ts";

export { buildOpenApiDocument } from "./openapi.ts";
export { restRoutes } from "./routes/index.ts";

let cachedDocument: Record<string, unknown> | undefined;
/** Built once, on first use. */
export const openApiDocument = () => (cachedDocument ??= buildOpenApiDocument(restRoutes));

/** The handlers `app.ts` registers: `routes["/api/v1"]` and `routes["/docs"]`. */
export function restHandlers(): { api: RouteHandler; docs: RouteHandler } {
  return { api: createRestHandler(restRoutes), docs: createDocsHandler(openApiDocument) };
}
