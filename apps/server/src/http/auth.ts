import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Constant-time token check; hashing first makes the comparison length-independent. */
export function tokenMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

/** Requests that came with a valid `/t/<token>` prefix (the request guard strips it and records them here). */
const viaTokenPrefix = new WeakSet<IncomingMessage>();

export function markTokenPrefix(req: IncomingMessage): void {
  viaTokenPrefix.add(req);
}

/** True when no token is configured, or the request presented it: as a bearer header or a `/t/<token>` prefix. */
export function isAuthorized(req: IncomingMessage, token: string | undefined): boolean {
  return token === undefined || viaTokenPrefix.has(req) || tokenMatches(bearerToken(req.headers.authorization), token);
}
