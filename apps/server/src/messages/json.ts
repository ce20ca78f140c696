/** Narrowing helpers for parsed JSON (Claude Code lines are `unknown` until looked into). */

/** Any non-null object (arrays included), so its fields can be read as `unknown`. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The value as a record when it is an object; `undefined` otherwise, as optional chaining on it would read. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}
