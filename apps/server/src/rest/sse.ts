import type { ServerResponse } from "node:http";
import { writeChunk } from "./http-io.ts";

export const HEARTBEAT_MS = 15_000;
/** The reconnect delay a standard EventSource client is told to use (the app ignores `retry:`). */
export const RETRY_MS = 3_000;

/**
 * JSON on one line with U+2028, U+2029 and U+0085 escaped: the app's line reader splits on them, and
 * `JSON.stringify` leaves them raw.
 */
export function sseJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A `text/event-stream` response: headers at once (the app gives up after 60 s without them), a `retry:` hint,
 * `: ping` every 15 s.
 */
export class SseWriter {
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.flushHeaders();
    res.write(`: connected\nretry: ${RETRY_MS}\n\n`);
    this.heartbeat = setInterval(() => void writeChunk(res, ": ping\n\n"), HEARTBEAT_MS);
    res.on("close", () => clearInterval(this.heartbeat));
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** One event; `id` is the stored message's seq, so a client can resume after it. */
  async send(payload: unknown, id?: number): Promise<void> {
    if (this.closed) return;
    await writeChunk(this.res, `${id !== undefined ? `id: ${id}\n` : ""}data: ${sseJson(payload)}\n\n`);
  }

  /** End of stream is the server closing the response (the app ignores `event: done`). */
  end(): void {
    clearInterval(this.heartbeat);
    if (!this.closed) this.res.end();
  }
}

/** Sent as the last event of every open stream when the server shuts down, unless the stream already told why it ends. */
export const SHUTDOWN_EVENT = {
  type: "error",
  code: "SERVER_SHUTDOWN",
  message: "the server is shutting down; reconnect to resume",
} as const;

/**
 * The SSE streams open right now, so a shutdown can end each with a final `error` event instead of cutting the
 * connection (the app shows a cut stream as "still responding" or a transport error, without a reason).
 */
export class SseStreams {
  private readonly open = new Set<{ shutdown(): Promise<void> }>();
  private closing = false;

  /** Registers a stream; returns its unregister function. A stream opened during shutdown is ended at once. */
  add(stream: { shutdown(): Promise<void> }): () => void {
    this.open.add(stream);
    if (this.closing) void stream.shutdown();
    return () => this.open.delete(stream);
  }

  /** Ends every open stream with its final event; waits for them (bounded, the connections close next). */
  async shutdown(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.open].map((s) => s.shutdown().catch(() => undefined))), timeout]);
    clearTimeout(timer);
  }
}
