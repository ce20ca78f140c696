import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { ERROR_HTTP_STATUS } from "@ils/contracts";
import type { Config } from "../config/config.ts";
import { AppError } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import { trpcErrorEnvelope } from "../trpc/init.ts";
import { isAuthorized, markTokenPrefix, tokenMatches } from "./auth.ts";
import { createHostPolicy } from "./host-policy.ts";
import { redactTokenPrefix, splitTokenPrefix } from "./token-prefix.ts";

/**
 * The checks every request and every WebSocket upgrade passes before any route sees it, in one place so no
 * route can forget them: Host (DNS rebinding), Origin (CSRF, cross-site WebSocket hijacking), the `/t/<token>`
 * prefix (stripped here, so routes see their usual paths), JSON-only bodies on state-changing requests, and
 * for upgrades the token itself (a socket is never opened without it).
 */
export interface RequestGuard {
  /** True when the request may go on to its route; false when the guard has answered it. */
  request(req: IncomingMessage, res: ServerResponse): boolean;
  /** True when the upgrade may go on; false when the guard wrote the refusal and destroyed the socket. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const CORS_HEADERS = {
  "access-control-allow-methods": "GET, POST, PUT, DELETE",
  "access-control-allow-headers": "authorization, content-type, accept, last-event-id",
  "access-control-max-age": "600",
};

export function createRequestGuard(config: Config, logger: Logger, port: () => number): RequestGuard {
  const hosts = createHostPolicy(config, port);

  /** Host, Origin and the token prefix, shared by requests and upgrades; an AppError is the refusal. */
  const common = (req: IncomingMessage): AppError | { origin: "own" | "listed" | undefined } => {
    if (!hosts.hostAllowed(req.headers.host))
      return new AppError("FORBIDDEN", "this Host is not served here (set ILS_ALLOWED_HOSTS to add a name)");
    const originHeader = req.headers.origin;
    const origin = originHeader === undefined ? undefined : hosts.origin(originHeader);
    if (origin === false)
      return new AppError("FORBIDDEN", "cross-origin requests are refused (set ILS_ALLOWED_ORIGINS to allow an origin)");
    const prefixed = splitTokenPrefix(req.url ?? "/");
    if (prefixed) {
      if (config.token !== undefined && !tokenMatches(prefixed.token, config.token))
        return new AppError("UNAUTHORIZED", "wrong token in the /t/ prefix");
      req.url = prefixed.rest;
      markTokenPrefix(req);
    }
    return { origin };
  };

  const refused = (req: IncomingMessage, error: AppError, rawUrl: string) => {
    logger.warn(
      { method: req.method, url: redactTokenPrefix(rawUrl), host: req.headers.host, origin: req.headers.origin, reason: error.message },
      "request refused",
    );
  };

  return {
    request(req, res) {
      const rawUrl = req.url ?? "/";
      const checked = common(req);
      const error = checked instanceof AppError ? checked : mediaTypeError(req);
      if (error) {
        refused(req, error, rawUrl);
        sendRefusal(req, res, error);
        return false;
      }
      const { origin } = checked as { origin: "own" | "listed" | undefined };
      if (origin === "listed") {
        res.setHeader("access-control-allow-origin", req.headers.origin!);
        res.setHeader("vary", "origin");
        if (req.method === "OPTIONS") {
          res.writeHead(204, CORS_HEADERS).end();
          return false;
        }
      }
      logger.debug({ method: req.method, url: redactTokenPrefix(rawUrl) }, "request");
      return true;
    },

    upgrade(req, socket) {
      const rawUrl = req.url ?? "/";
      const checked = common(req);
      const error =
        checked instanceof AppError
          ? checked
          : isAuthorized(req, config.token)
            ? undefined
            : new AppError("UNAUTHORIZED", "missing or wrong token: send Authorization: Bearer <token> or connect to /t/<token>");
      if (!error) return true;
      refused(req, error, rawUrl);
      writeRawRefusal(socket, error);
      return false;
    },
  };
}

/** State-changing requests carry JSON only: no HTML form or CORS "simple request" can start anything. */
function mediaTypeError(req: IncomingMessage): AppError | undefined {
  if (SAFE_METHODS.has(req.method ?? "GET")) return undefined;
  // DELETE as the iOS app sends it has neither body nor Content-Type; POST/PUT/PATCH always need one.
  const hasBody =
    req.method !== "DELETE" || Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
  if (!hasBody || isJson(req.headers["content-type"])) return undefined;
  return new AppError("UNSUPPORTED_MEDIA_TYPE", "state-changing requests must be Content-Type: application/json");
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...params] = contentType
    .toLowerCase()
    .split(";")
    .map((part) => part.trim());
  if (type !== "application/json") return false;
  const charset = params
    .find((param) => param.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/"/g, "");
  return charset === undefined || charset === "utf-8";
}

/** The error body in the shape the route's own transport uses: tRPC's under /trpc, the REST envelope elsewhere. */
function sendRefusal(req: IncomingMessage, res: ServerResponse, error: AppError): void {
  const path = (req.url ?? "/").split("?")[0]!;
  const isTrpc = path === "/trpc" || path.startsWith("/trpc/") || /^\/t\/[^/]*\/trpc(\/|$)/.test(path);
  const body = JSON.stringify(isTrpc ? trpcErrorEnvelope(error) : { success: false, error: error.toBody() });
  // The body is not read: Node discards it after this answer (never buffered), so the client reads the answer.
  res.writeHead(ERROR_HTTP_STATUS[error.code], {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** Before the upgrade there is no HTTP response object: the status line is written on the socket by hand. */
function writeRawRefusal(socket: Duplex, error: AppError): void {
  const status = ERROR_HTTP_STATUS[error.code];
  const body = JSON.stringify({ success: false, error: error.toBody() });
  const reason = status === 401 ? "Unauthorized" : "Forbidden";
  const head = `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}
