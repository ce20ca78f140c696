import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import { WebSocketServer } from "ws";
import type { Services } from "../services.ts";
import { appRouter } from "../trpc/app-router.ts";
import type { Context } from "../trpc/init.ts";
import { bearerToken, tokenMatches } from "./auth.ts";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, services: Services) => void | Promise<void>;

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** One port: `GET /health`, tRPC over HTTP at `/trpc` and over WebSocket (upgrade on any path), REST under `/api/v1`. */
export async function startHttpServer(services: Services, extraRoutes: Record<string, RouteHandler> = {}): Promise<RunningServer> {
  const { config, logger } = services;
  const authorizedHeader = (req: IncomingMessage) => tokenMatches(bearerToken(req.headers.authorization), config.token);

  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/trpc/",
    createContext: ({ req }): Context => ({ services, authorized: authorizedHeader(req) }),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, path }, "procedure failed");
    },
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path === "/health" && (req.method === "GET" || req.method === "HEAD")) {
      void services.health.check().then((health) => {
        // Bare and open (the iOS app polls it without a token): status and version only.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: health.status, version: health.version, claudeAvailable: health.claude.found, port: config.port }));
      });
      return;
    }
    if (path === "/trpc" || path.startsWith("/trpc/")) return trpcHandler(req, res);
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
    // A browser cannot set headers on a WebSocket: the token may come as connection params instead.
    createContext: ({ req, info }): Context => ({
      services,
      authorized:
        authorizedHeader(req) || tokenMatches(stringParam(info.connectionParams?.token), config.token),
    }),
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });
  server.on("upgrade", (req, socket, head) => {
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

function stringParam(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
