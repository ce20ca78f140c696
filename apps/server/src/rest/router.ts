import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { AppError, validationError } from "../errors/app-error.ts";
import { isAuthorized } from "../http/auth.ts";
import type { RouteHandler } from "../http/server.ts";
import type { TransportServices } from "../services.ts";
import { toRestError } from "./errors.ts";
import { readJsonBody, sendJson } from "./http-io.ts";
import { WRITTEN, type RouteDef } from "./route.ts";

export const API_PREFIX = "/api/v1";

interface CompiledRoute {
  route: RouteDef;
  pattern: RegExp;
  names: string[];
}

/** `/sessions/{id}` -> a regex with one capture per `{param}`; literal routes are tried first. */
function compile(route: RouteDef): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

/**
 * Query strings as the app sends them: `+` is a literal plus (Swift's `.urlQueryAllowed` leaves it raw),
 * so `URLSearchParams` (which turns `+` into a space) is not used.
 */
export function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of search.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    out[key] = safeDecode(eq < 0 ? "" : part.slice(eq + 1));
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function validate<T extends z.ZodType>(schema: T | undefined, value: unknown, where: "body" | "query" | "params"): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  // Issue paths say where the value came from: `body.prompt`, `query.limit`, `params.id`.
  if (!parsed.success) throw validationError(parsed.error, where);
  return parsed.data;
}

/** The `/api/v1` handler: bearer auth, route matching, validation, the envelope and the one error mapper. */
export function createRestHandler(routes: RouteDef[]): RouteHandler {
  const compiled = routes.map(compile).sort((a, b) => a.names.length - b.names.length);

  return async (req: IncomingMessage, res: ServerResponse, services: TransportServices) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    try {
      if (!isAuthorized(req, services.config.token)) {
        throw new AppError("UNAUTHORIZED", "missing or wrong bearer token");
      }
      const url = req.url ?? "/";
      const queryAt = url.indexOf("?");
      const path = (queryAt < 0 ? url : url.slice(0, queryAt)).slice(API_PREFIX.length) || "/";
      const query = queryAt < 0 ? {} : parseQuery(url.slice(queryAt + 1));

      let matched: { entry: CompiledRoute; params: Record<string, string> } | undefined;
      let pathExists = false;
      for (const entry of compiled) {
        const match = entry.pattern.exec(path);
        if (!match) continue;
        pathExists = true;
        if (entry.route.method !== req.method) continue;
        const params = Object.fromEntries(entry.names.map((name, i) => [name, safeDecode(match[i + 1] ?? "")]));
        matched = { entry, params };
        break;
      }
      if (!matched) {
        throw new AppError(
          "NOT_FOUND",
          pathExists ? `${req.method} is not supported on ${path}` : `no route for ${req.method} ${API_PREFIX}${path}`,
        );
      }
      const { route } = matched.entry;
      const params = validate(route.params, matched.params, "params");
      const parsedQuery = validate(route.query, query, "query");
      const body = route.body ? validate(route.body, await readJsonBody(req), "body") : undefined;
      const data = await route.handle({ params, query: parsedQuery, body, services, req, res, signal: controller.signal });
      if (data !== WRITTEN) sendJson(res, 200, { success: true, data: data ?? null });
    } catch (error) {
      const { status, body } = toRestError(error);
      if (status >= 500) services.logger.error({ err: error, url: req.url }, "REST request failed");
      if (res.headersSent) {
        // Mid-stream failure: the status is gone; closing tells the client the answer is incomplete.
        res.destroy();
        return;
      }
      // The body may not have been read (auth, 413): the client cannot send more, so close after answering.
      if (!req.complete) res.setHeader("connection", "close");
      sendJson(res, status, body);
    }
  };
}
