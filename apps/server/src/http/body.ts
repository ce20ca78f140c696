import type { IncomingMessage } from "node:http";
import { AppError, badRequest } from "../errors/app-error.ts";

/** The one body cap, for REST and tRPC over HTTP alike. */
export const MAX_BODY_BYTES = 1024 * 1024;

// `fatal`: invalid UTF-8 is refused, never replaced with U+FFFD (a replaced byte would be stored as if sent).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Reads a request body as UTF-8 text: over 1 MB -> 413 (read no further), invalid UTF-8 -> 400. */
export async function readBodyText(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw badRequest("body", "not valid UTF-8");
  }
}

const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `body larger than ${MAX_BODY_BYTES} bytes`);
