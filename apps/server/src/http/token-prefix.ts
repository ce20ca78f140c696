/**
 * The token as a path prefix: `/t/<token>/api/v1/...`. The iOS app takes one base URL and sends no
 * Authorization header on its SSE chat stream, so `http://host:9999/t/<token>` as the base URL
 * authenticates every request it makes. The segment is percent-decoded, so any token can be written.
 */
export function splitTokenPrefix(url: string): { token: string; rest: string } | undefined {
  const match = /^\/t\/([^/?#]*)(.*)$/s.exec(url);
  if (!match) return undefined;
  const rest = match[2]!;
  return { token: safeDecode(match[1]!), rest: rest.startsWith("/") ? rest : `/${rest}` };
}

/** What request logs show instead of the token. */
export function redactTokenPrefix(url: string): string {
  return url.replace(/^\/t\/[^/?#]*/, "/t/[redacted]");
}

export function tokenBaseUrl(origin: string, token: string): string {
  return `${origin}/t/${encodeURIComponent(token)}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
