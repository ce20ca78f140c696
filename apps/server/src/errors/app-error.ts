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

/**
 * A write that failed because the disk is full (SQLITE_FULL) as the STORAGE_FULL error the transports send; any
 * other error as it was. Only that one storage failure is named: its cause is the operator's to fix, not a bug.
 */
export function fromStorageError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "SQLITE_FULL") {
    return new AppError("STORAGE_FULL", "the disk holding the database is full: nothing was stored; free some space and try again");
  }
  return error;
}
