import { toWireDate, type Message } from "@ils/contracts";
import type { MessageRow } from "../db/tables/messages.ts";

export type { MessageRow };

/** `content`: the row's JSON already parsed, when the caller has it (ingest does), to skip a second parse. */
export function toMessage(row: MessageRow, content: unknown = parseContent(row.content)): Message {
  return {
    id: row.id,
    sessionId: row.sessionId,
    seq: row.seq,
    type: row.type,
    subtype: row.subtype,
    role: row.role,
    uuid: row.uuid,
    content,
    timestamp: row.timestamp === null ? null : toWireDate(row.timestamp),
    createdAt: toWireDate(row.createdAt),
  };
}

/** Content is stored JSON; a row written from a caller's pre-parsed value with non-JSON text comes back as that text. */
function parseContent(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return content;
  }
}
