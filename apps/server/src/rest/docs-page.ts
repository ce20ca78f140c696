import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { RouteHandler } from "../http/server.ts";
import { sendJson } from "./http-io.ts";

/** Swagger UI's files come from the npm package, never a CDN: the page works offline. */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ILS server API</title>
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

// Opened as /t/<token>/docs, "Try it out" sends its calls under the same prefix, so they carry the token.
const INIT = `const base = location.pathname.replace(/\\/docs\\/?$/, "");
window.ui = SwaggerUIBundle({
  url: "/docs/openapi.json", dom_id: "#swagger-ui", deepLinking: true, docExpansion: "list",
  requestInterceptor: (req) => {
    const url = new URL(req.url, location.origin);
    if (base && url.origin === location.origin && !url.pathname.startsWith(base + "/")) url.pathname = base + url.pathname;
    req.url = url.href;
    return req;
  },
});`;

/**
 * `/docs` (the API reference page) and `/docs/openapi.json`. Open without a token like `/health`: they
 * describe the API and hold no data; every call made from the page still needs the token.
 */
export function createDocsHandler(document: () => Record<string, unknown>): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 404, { success: false, error: { code: "NOT_FOUND", message: `no route for ${req.method} ${path}` } });
      return;
    }
    if (path === "/docs" || path === "/docs/") return send(res, 200, "text/html; charset=utf-8", PAGE);
    if (path === "/docs/init.js") return send(res, 200, "text/javascript; charset=utf-8", INIT);
    if (path === "/docs/openapi.json" || path === "/api/v1/openapi.json") return sendJson(res, 200, document());
    const asset = path.startsWith("/docs/assets/") ? path.slice("/docs/assets/".length) : undefined;
    const type = asset !== undefined ? ASSETS[asset] : undefined;
    if (asset !== undefined && type) return send(res, 200, type, await readFile(join(SWAGGER_DIR, asset)));
    sendJson(res, 404, { success: false, error: { code: "NOT_FOUND", message: `no route for GET ${path}` } });
  };
}

function send(res: Parameters<RouteHandler>[1], status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-cache" });
  res.end(body);
}
