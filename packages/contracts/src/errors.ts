import { z } from "zod";

/** Stable error codes, one per transport status: mapped once in the server's transports. */
export const ErrorCode = z.enum([
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "CLAUDE_FAILED",
  "STORAGE_FULL",
  "INTERNAL_ERROR",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ERROR_HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CLAUDE_FAILED: 502,
  /** The disk holding the database is full (507 Insufficient Storage): reads still work. */
  STORAGE_FULL: 507,
  INTERNAL_ERROR: 500,
};

export const FieldIssue = z.object({ path: z.string(), message: z.string() });
export type FieldIssue = z.infer<typeof FieldIssue>;

/** The error body every transport returns: `{ code, message, details? }`, never a stack trace. */
export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z
    .object({ issues: z.array(FieldIssue).optional() })
    .loose()
    .optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
