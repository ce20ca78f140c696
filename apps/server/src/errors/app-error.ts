import type { ErrorCode, FieldIssue } from "@ils/contracts";

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
}

export const notFound = (what: string, id: string) => new AppError("NOT_FOUND", `${what} ${id} not found`);
export const badRequest = (path: string, message: string) =>
  new AppError("VALIDATION_ERROR", `${path}: ${message}`, { issues: [{ path, message }] });
export const conflict = (message: string) => new AppError("CONFLICT", message);
