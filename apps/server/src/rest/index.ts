import { isAuthorized } from "../http/auth.ts";
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

/**
 * The handlers `app.ts` registers: `routes["/api/v1"]` and `routes["/docs"]`. The document is also served at
 * `/api/v1/openapi.json`, under the same bearer rule as every /api/v1 route (the REST handler answers the 401).
 */
export function restHandlers(): { api: RouteHandler; docs: RouteHandler } {
  const api = createRestHandler(restRoutes);
  const docs = createDocsHandler(openApiDocument);
  return {
    api: (req, res, services) => {
      const isDocument = (req.url ?? "").split("?")[0] === "/api/v1/openapi.json";
      if (isDocument && isAuthorized(req, services.config.token)) return docs(req, res, services);
      return api(req, res, services);
    },
    docs,
  };
}
