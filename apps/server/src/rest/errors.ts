import { ERROR_HTTP_STATUS, type ErrorBody } from "@ils/contracts";
import { ZodError } from "zod";
import { AppError, fromStorageError, validationError } from "../errors/app-error.ts";

/** The single REST error mapper: any thrown error -> status + `{ success: false, error }`. No stack traces. */
export function toRestError(error: unknown): { status: number; body: { success: false; error: ErrorBody } } {
  const body = errorBody(error);
  return { status: ERROR_HTTP_STATUS[body.code], body: { success: false, error: body } };
}

function errorBody(thrown: unknown): ErrorBody {
  const error = fromStorageError(thrown);
  if (error instanceof AppError) return error.toBody();
  if (error instanceof ZodError) return validationError(error).toBody();
  return { code: "INTERNAL_ERROR", message: "internal error" };
}
