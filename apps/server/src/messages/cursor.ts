import { badRequest } from "../errors/app-error.ts";

/** Cursors are opaque to clients: base64url JSON, validated on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badRequest("cursor", "malformed cursor");
  }
}

export function encodeSeqCursor(seq: number): string {
  return encodeCursor({ seq });
}

export function decodeSeqCursor(cursor: string): number {
  const value = decodeCursor(cursor) as { seq?: unknown } | null;
  const seq = value?.seq;
  if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) {
    throw badRequest("cursor", "not a cursor returned by messages.list");
  }
  return seq;
}
