import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";
import type { RouteHandler } from "../http/server.ts";
import type { WebBundle } from "./bundle.ts";

/**
 * `scripts/build.mjs` writes the page's bundle here, next to dist/main.mjs. Under tsx (dev, tests) this folder
 * does not exist beside src/web/serve.ts, and the bundle is built in memory on the first request.
 */
const PREBUILT_DIR = fileURLToPath(new URL("./web-bundle/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

interface LoadedBundle {
  files: WebBundle;
  /** The page's Content-Security-Policy: its own files only, plus the hash of its one inline script. */
  csp: string;
}

let loading: Promise<LoadedBundle> | undefined;

function loadBundle(): Promise<LoadedBundle> {
  loading ??= (existsSync(PREBUILT_DIR) ? readPrebuilt() : import("./bundle.ts").then((m) => m.bundleWebApp()))
    .then((files) => ({ files, csp: contentSecurityPolicy(files.get("index.html")?.toString("utf8") ?? "") }))
    .catch((error: unknown) => {
      loading = undefined; // a failed dev build is retried on the next request
      throw error;
    });
  return loading;
}

async function readPrebuilt(): Promise<WebBundle> {
  const names = await readdir(PREBUILT_DIR);
  return new Map(await Promise.all(names.map(async (name) => [name, await readFile(join(PREBUILT_DIR, name))] as const)));
}

/**
 * The inline script (it adds the trailing slash to `/t/<token>`, so relative URLs resolve under the prefix)
 * is allowed by its hash; everything else must come from this server. `'self'` covers the page's own
 * WebSocket. No referrer: the page's URL may hold the token.
 */
function contentSecurityPolicy(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  return [
    "default-src 'none'",
    `script-src 'self' ${hashes.join(" ")}`.trim(),
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * The session browser: `GET /` (the page) and `GET /assets/app.js|app.css` (its bundle). Like `/docs`, the
 * files hold no data and are served without a token; every call the page makes goes through tRPC and REST
 * with their usual auth. Registered in app.ts as `routes["/"]` (exact) and `routes["/assets"]`.
 */
export function createWebHandler(): RouteHandler {
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const name = path === "/" ? "index.html" : path.startsWith("/assets/") ? path.slice("/assets/".length) : undefined;
    if ((req.method !== "GET" && req.method !== "HEAD") || name === undefined || (name === "index.html" && path !== "/")) {
      return notFound(res, `${req.method} ${path}`);
    }
    let bundle: LoadedBundle;
    try {
      bundle = await loadBundle();
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end(`the session browser could not be built: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const body = bundle.files.get(name);
    const type = CONTENT_TYPES[name.split(".").pop() ?? ""];
    if (!body || !type) return notFound(res, `GET ${path}`);
    res.writeHead(200, {
      "content-type": type,
      "content-length": body.length,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...(name === "index.html" ? { "content-security-policy": bundle.csp } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

function notFound(res: ServerResponse, what: string): void {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ code: "NOT_FOUND", message: `no route for ${what}` }));
}
