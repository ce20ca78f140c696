import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { TransportServices } from "../services.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

/** What a handler gets: inputs already validated by the route's schemas. */
export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  services: TransportServices;
  req: IncomingMessage;
  res: ServerResponse;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

/** Returned by handlers that wrote the response themselves (SSE, streamed JSON). */
export const WRITTEN = Symbol("response already written");

/**
 * One REST route, declared once: the same declaration drives request validation, the handler call and
 * the OpenAPI document, so the document cannot drift from the server.
 */
export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** OpenAPI-style path relative to /api/v1, e.g. `/sessions/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** The `data` of the success envelope, or the SSE `data:` payload when `sse` is set. */
  response: R;
  /** The response is `text/event-stream`; `response` describes each event. */
  sse?: boolean;
  /** Not enveloped: the body is a file of this content type (e.g. an export); `response` describes it. */
  rawContentType?: string;
  /** Example request body for the document. */
  example?: unknown;
  /** Error statuses this route can answer besides 400/401/500. */
  errors?: number[];
  /**
   * What it returns is checked at compile time against `response` (the schema the OpenAPI document shows, as
   * its `output`): the `data` of the envelope, or WRITTEN when the handler wrote the response itself.
   */
  handle(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.output<R> | typeof WRITTEN>;
}

/** Ties the handler's parameter and return types to the route's schemas; the table then holds it untyped. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  route: RouteDef<P, Q, B, R>,
): RouteDef {
  return route as unknown as RouteDef;
}
