import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../errors/app-error.ts";
import { readBodyText } from "../http/body.ts";

/** Reads a JSON body; an empty body is `{}` (the app posts `{}` or nothing). Over 1 MB -> 413, bad UTF-8 -> 400. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const text = (await readBodyText(req)).trim();
  if (text === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("VALIDATION_ERROR", "body: not valid JSON", { issues: [{ path: "body", message: "not valid JSON" }] });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Writes a body piece by piece, waiting for the socket to drain so a huge history never sits in memory. */
export async function writeChunk(res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) return;
  if (!res.write(text))
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
}
