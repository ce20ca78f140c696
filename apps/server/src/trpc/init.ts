import { ERROR_HTTP_STATUS, type ErrorBody, type ErrorCode } from "@ils/contracts";
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";
import { AppError, fromStorageError, validationError } from "../errors/app-error.ts";
import type { TransportServices } from "../services.ts";

export interface Context {
  services: TransportServices;
  /** False when a token is configured and the request did not present it. */
  authorized: boolean;
}

const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  CLAUDE_FAILED: "BAD_GATEWAY",
  // tRPC has no 507 code; the response status comes from `data.httpStatus` (507).
  STORAGE_FULL: "INTERNAL_SERVER_ERROR",
  INTERNAL_ERROR: "INTERNAL_SERVER_ERROR",
};

const APP_CODE: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: "VALIDATION_ERROR",
  PARSE_ERROR: "VALIDATION_ERROR",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  METHOD_NOT_SUPPORTED: "VALIDATION_ERROR",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  BAD_GATEWAY: "CLAUDE_FAILED",
};

/** The one mapping from any thrown error to the stable error body. Internal details never leave. */
export function toErrorBody(error: unknown): ErrorBody {
  const cause = fromStorageError(error instanceof TRPCError ? (error.cause ?? error) : error);
  if (cause instanceof AppError) return cause.toBody();
  if (cause instanceof ZodError) return validationError(cause).toBody();
  if (error instanceof TRPCError) {
    const code = APP_CODE[error.code] ?? "INTERNAL_ERROR";
    return { code, message: code === "INTERNAL_ERROR" ? "internal error" : error.message };
  }
  return { code: "INTERNAL_ERROR", message: "internal error" };
}

/**
 * An error answered before tRPC runs (the request guard, the body cap), in the shape tRPC itself answers with:
 * `{ error: { message, code, data: { code, message, details?, httpStatus, path } } }`.
 */
export function trpcErrorEnvelope(error: AppError): { error: { message: string; code: number; data: Record<string, unknown> } } {
  const body = error.toBody();
  return {
    error: {
      message: body.message,
      code: TRPC_ERROR_CODES_BY_KEY[TRPC_CODE[body.code]],
      data: { ...body, httpStatus: ERROR_HTTP_STATUS[body.code], path: null },
    },
  };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const body = toErrorBody(error);
    return {
      code: shape.code,
      message: body.message,
      data: { ...body, httpStatus: ERROR_HTTP_STATUS[body.code], path: shape.data.path ?? null },
    };
  },
});

export const router = t.router;

/** Services throw AppError; this gives tRPC the matching status, once for every procedure. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

const requireAuth = t.middleware(({ ctx, next }) => {
  if (!ctx.authorized) throw new TRPCError({ code: "UNAUTHORIZED", message: "missing or wrong bearer token" });
  return next();
});

export const publicProcedure = t.procedure.use(mapAppErrors);
export const protectedProcedure = publicProcedure.use(requireAuth);
