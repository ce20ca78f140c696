import type { IosStreamMessage } from "@ils/contracts/ios";
import { AppError } from "../../errors/app-error.ts";
import type { TransportServices } from "../../services.ts";
import { toRestError } from "../errors.ts";
import { StreamView } from "../ios/stream-view.ts";
import { SHUTDOWN_EVENT, type SseWriter } from "../sse.ts";

const TERMINAL = new Set(["finished", "failed", "cancelled"]);

export interface RelayOptions {
  services: TransportServices;
  sse: SseWriter;
  sessionId: string;
  /** Stored messages after this seq are sent (each with `id: <seq>`). */
  afterSeq: number;
  /** Client went away: stop relaying (the run itself goes on). */
  signal: AbortSignal;
  /** Starts a run and returns its id; the response then closes when that run ends. */
  start?: () => Promise<string>;
  /** Without `start`: `"run-ends"` closes the response when the current run ends (at once when none runs); unset follows the session. */
  until?: "run-ends";
}

/**
 * Relays the session's service stream (`streaming.events`) to an SSE response in the app's shapes. Stored
 * messages go out in seq order with `id: <seq>`, each at most once (the stream dedupes by seq). The response
 * closing is the app's only end-of-stream signal.
 */
export async function relaySession(o: RelayOptions): Promise<void> {
  const { services, sse, sessionId } = o;
  const streaming = services.streaming;
  const view = new StreamView((requestId) => streaming.isPermissionPending(sessionId, requestId));
  const gone = new AbortController();
  const drain = new AbortController();
  const onClientGone = () => gone.abort();
  if (o.signal.aborted) gone.abort();
  o.signal.addEventListener("abort", onClientGone);
  // Whether the last event told the client why the stream may end (a run's failure): a shutdown then adds nothing.
  let lastWasError = false;
  const send = (payload: IosStreamMessage | undefined, id?: number) => {
    if (!payload) return Promise.resolve();
    lastWasError = payload.type === "error";
    return sse.send(payload, id);
  };

  // Subscribed here, before the run starts: nothing it prints is missed.
  const stream = streaming.events(sessionId, {
    afterSeq: o.afterSeq,
    signal: gone.signal,
    drain: drain.signal,
    ...(o.start === undefined && o.until ? { until: o.until } : {}),
  });
  let relayed: Promise<void> | undefined = undefined;
  // Server shutdown: what was stored is still relayed, then a final `error` event says why the stream ends.
  const unregister = services.sseStreams.add({
    shutdown: () => {
      drain.abort();
      return relayed ?? Promise.resolve(); // unset only when the server was already shutting down (add() calls this at once)
    },
  });
  relayed = (async () => {
    let runId: string | undefined;
    if (o.start) {
      try {
        runId = await o.start();
      } catch (error) {
        const { body } = toRestError(error);
        await send({ type: "error", code: body.error.code, message: body.error.message });
        return;
      }
    }
    // `permission` events are not relayed: the app gets a request from its stored message, which carries the seq it resumes after.
    for await (const event of stream) {
      if (event.kind === "message") {
        await send(view.map(event.message.content), event.message.seq);
      } else if (event.kind === "partial") {
        if (runId !== undefined && event.runId !== runId) continue;
        const raw = event.event as { type?: unknown } | null;
        await send(view.map(raw && raw.type === "stream_event" ? raw : { type: "stream_event", event: raw }));
      } else if (event.kind === "run" && TERMINAL.has(event.state)) {
        if (event.error) await send({ type: "error", code: event.error.code, message: event.error.message });
        if (runId !== undefined && event.runId === runId) break;
      }
    }
    if (drain.signal.aborted && !gone.signal.aborted && !lastWasError) await send(SHUTDOWN_EVENT);
  })()
    .catch((error: unknown) => services.logger.warn({ err: error, sessionId }, "chat event relay stopped"))
    .finally(() => {
      gone.abort(); // unsubscribes a stream that was never read (a run that could not start)
      sse.end();
      unregister();
      o.signal.removeEventListener("abort", onClientGone);
    });
  await relayed;
}

/** Where a resume starts: `Last-Event-ID` (what a standard client sends on reconnect), else `?after=`, else only what comes next. */
export function resumePoint(after: string | undefined, lastEventId: string | string[] | undefined, currentSeq: number): number {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  const value = header?.trim() || after;
  if (value === undefined || value === "") return currentSeq;
  if (!/^\d+$/.test(value))
    throw new AppError("VALIDATION_ERROR", "Last-Event-ID: must be a message seq", {
      issues: [{ path: "Last-Event-ID", message: "must be a message seq" }],
    });
  return Number(value);
}
