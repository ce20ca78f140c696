import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ERROR_HTTP_STATUS } from "@ils/contracts";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import type { TransportServices } from "../services.ts";
import { appRouter } from "../trpc/app-router.ts";
import { AppError } from "../errors/app-error.ts";
import { trpcErrorEnvelope, type Context } from "../trpc/init.ts";
import { isAuthorized } from "./auth.ts";
import { readBodyText } from "./body.ts";
import { createRequestGuard } from "./request-guard.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, services: TransportServices) => void | Promise<void>;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** The most calls one tRPC HTTP batch may carry (more: 400). */
export const MAX_BATCH_CALLS = 16;

/**
 * One port: `GET /health`, tRPC over HTTP at `/trpc` and over WebSocket (upgrade on any path), REST under
 * `/api/v1`; every request and upgrade passes the request guard first (also `/t/<token>/...`).
 */
export async function startHttpServer(services: TransportServices, extraRoutes: Record<string, RouteHandler> = {}): Promise<RunningServer> {
  const { config, logger } = services;
  const authorized = (req: IncomingMessage) => isAuthorized(req, config.token);
  const guard = createRequestGuard(config, logger, () => (server.address() as AddressInfo | null)?.port ?? config.port);

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    maxBatchSize: MAX_BATCH_CALLS,
    createContext: ({ req }): Context => ({ services, authorized: authorized(req) }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, path }, "procedure failed");
    },
  });

  const trpc = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      // Every procedure needs the token. Checked before tRPC runs: its SSE form would otherwise answer
      // 200 and send the 401 as an event.
      if (!authorized(req)) throw new AppError("UNAUTHORIZED", "missing or wrong bearer token");
      // Read here, under the same cap and UTF-8 rule as REST; tRPC takes a body already on `req.body`.
      if (req.method === "POST") (req as IncomingMessage & { body?: string }).body = await readBodyText(req);
    } catch (error) {
      // Anything but AppError is the client going away mid-body: nobody is left to answer.
      if (!(error instanceof AppError)) return void res.destroy();
      const body = JSON.stringify(trpcErrorEnvelope(error));
      // No `connection: close`: Node discards the unread rest of the body (never buffered), so the client
      // finishes sending and reads this answer instead of a reset connection.
      res.writeHead(ERROR_HTTP_STATUS[error.code], { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    await trpcHandler(req, res);
  };

  const server = createServer((req, res) => {
    if (!guard.request(req, res)) return;
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/health" && (req.method === "GET" || req.method === "HEAD")) {
      void services.health.check().then((health) => {
        // Bare and open (the iOS app polls it without a token): the iOS HealthResponse fields plus the database
        // state; never a path, a setting or the CLI's location (those are in the authenticated `health.check`).
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            status: health.status,
            version: health.version,
            database: { ok: health.database.ok },
            claudeAvailable: health.claude.found,
            ...(health.claude.version ? { claudeVersion: health.claude.version } : {}),
            port: (server.address() as AddressInfo).port, // the real one when ILS_PORT=0 picked it
          }),
        );
      });
      return;
    }
    if (path === "/trpc" || path.startsWith("/trpc/")) return void trpc(req, res);
    for (const [prefix, handler] of Object.entries(extraRoutes)) {
      if (path === prefix || path.startsWith(`${prefix}/`)) return void handler(req, res, services);
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ code: "NOT_FOUND", message: `no route for ${req.method} ${path}` }));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 5 * 1024 * 1024 });
  const wssHandler = applyWSSHandler({
    wss,
    router: appRouter,
    // The guard refused any upgrade without the token (header or `/t/<token>` path): a socket is always authorized.
    createContext: ({ req }): Context => ({ services, authorized: authorized(req) }),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });
  server.on("upgrade", (req, socket, head) => {
    if (!guard.upgrade(req, socket)) return;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: async () => {
      wssHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
