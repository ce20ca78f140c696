export type ParsedLine = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

/** A transcript line is one JSON object; anything else is malformed (reported, never stored). */
export function parseLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "invalid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "not a JSON object" };
  return { ok: true, value: value as Record<string, unknown> };
}

/** Blank lines (a trailing "\n\n", "\r\n" leftovers) carry nothing: skipped, not counted. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
