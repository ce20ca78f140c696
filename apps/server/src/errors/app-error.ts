import type { ErrorBody, ErrorCode, FieldIssue } from "@ils/contracts";
import type { ZodError } from "zod";

/** The one error type services throw; transports map `code` to their status once. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { issues?: FieldIssue[]; [key: string]: unknown },
  ) {
    super(message);
    this.name = "AppError";
  }

  /** The stable error body every transport sends. */
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** A zod failure as a VALIDATION_ERROR naming each field; `prefix` says where the value came from (`body`). */
export function validationError(error: ZodError, prefix?: string): AppError {
  const issues = error.issues.map((i) => ({
    path: [...(prefix ? [prefix] : []), ...i.path.map(String)].join(".") || "(input)",
    message: i.message,
  }));
  return new AppError("VALIDATION_ERROR", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
}

export const notFound = (what: string, id: string) => new AppError("NOT_FOUND", `${what} ${id} not found`);
export const badRequest = (path: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${path}: ${message}`, { issues: [{ path, message }] });
export const conflict = (message: string) => new AppError("CONFLICT", message);
