import type { z } from "zod";

/**
 * NUL never belongs in a name, id, model or prompt: argv, file names and C strings end at it, so a value
 * with one is not the value that was checked. Refused with 400 instead of being stored or passed on.
 */
export function noNul<T extends z.ZodString>(schema: T): T {
  return schema.refine((value) => !value.includes("\0"), "must not contain NUL characters") as T;
}
