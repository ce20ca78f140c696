/**
 * Wire dates are ISO-8601 UTC without fractional seconds (`2026-11-24T19:07:23Z`):
 * the iOS app's decoder (iOS 17/18 Foundation) rejects `.123Z`.
 */
export function toWireDate(value: Date | string | number): string {
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const WIRE_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
