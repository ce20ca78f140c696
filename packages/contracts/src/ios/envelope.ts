import { z } from "zod";
import { ErrorBody } from "../errors.ts";

/** `{ success: false, error }`: every error answer under /api/v1, with the core error body. */
export const IosErrorEnvelope = z.object({ success: z.literal(false), error: ErrorBody });
export type IosErrorEnvelope = z.infer<typeof IosErrorEnvelope>;

/** `{ success: true, data }`: every 2xx JSON answer under /api/v1. */
export function iosEnvelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export const IosDeleted = z.object({ deleted: z.boolean(), cancelled: z.boolean().optional() });
export const IosAcknowledged = z.object({ acknowledged: z.boolean() });
