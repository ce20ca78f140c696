import { ERROR_HTTP_STATUS, type ErrorBody } from "@ils/contracts";
import { ZodError } from "zod";
import { AppError } from "../errors/app-error.ts";

/** The single REST error mapper: any thrown error -> status + `{ success: false, error }`. No stack traces. */
export function toRestError(error: unknown): { status: number; body: { success: false; error: ErrorBody } } {
  const body = errorBody(error);
  return { status: ERROR_HTTP_STATUS[body.code], body: { success: false, error: body } };
}

function errorBody(error: unknown): ErrorBody {
  if (error instanceof AppError) return { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => ({ path: i.path.join(".") || "(input)", message: i.message }));
    return { code: "VALIDATION_ERROR", message: issues.map((i) => `${i.path}: ${i.message}`).join("; "), details: { issues } };
  }
  return { code: "INTERNAL_ERROR", message: "internal error" };
}

/** Prefixes zod issue paths with where the value came from (`body.prompt`, `query.limit`, `params.id`). */
export function located(where: "body" | "query" | "params", error: ZodError): AppError {
  const issues = error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join("."), message: i.message }));
  return new AppError("VALIDATION_ERROR", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { issues });
}
