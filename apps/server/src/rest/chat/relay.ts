import type { ChatEvent, IosStreamMessage } from "@ils/contracts";
import { AppError } from "../../errors/app-error.ts";
import { encodeSeqCursor } from "../../messages/cursor.ts";
import type { Services } from "../../services.ts";
import { toRestError } from "../errors.ts";
import { StreamView } from "../ios/stream-view.ts";
import { SHUTDOWN_EVENT, type SseWriter } from "../sse.ts";

const WATCH_MS = 250;
const TERMINAL = new Set(["finished", "failed", "cancelled"]);

export interface RelayOptions {
  services: Services;
  sse: SseWriter;
  sessionId: string;
  /** Stored messages after this seq are sent (each with `id: <seq>`). */
  afterSeq: number;
  /** Client went away: stop relaying (the run itself goes on). */
  signal: AbortSignal;
  /** Starts a run and returns its id; without it, the session's current run (if any) is followed. */
  start?: () => Promise<string>;
}

/**
 * Relays one session's chat events to an SSE response in the app's shapes until the run ends, then closes
 * the response (the app's only end-of-stream signal). Stored messages go out in seq order, at most once;
 * a final read of the history catches anything committed after the last live event.
 */
export async function relaySession(o: RelayOptions): Promise<void> {
  const { services, sse, sessionId } = o;
  const streaming = services.streaming;
  const view = new StreamView((requestId) => streaming.isPermissionPending(sessionId, requestId));
  const stop = new AbortController();
  const onClientGone = () => stop.abort();
  o.signal.addEventListener("abort", onClientGone);

  let lastSeq = o.afterSeq;
  let runId: string | undefined;
  let finished = false;
  // Whether the client was already told why the stream ends (a run's failure): the shutdown event is then not needed.
  let sentError = false;
  const endedRuns = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work).catch(() => undefined);
    return chain;
  };
  const sendMapped = (payload: IosStreamMessage | undefined, id?: number) => (payload ? sse.send(payload, id) : Promise.resolve());

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  /** `last`: an event to send after the stored messages, just before the response closes. */
  const finish = (last?: IosStreamMessage) => {
    if (finished) return;
    finished = true;
    clearInterval(watch);
    stop.abort();
    void enqueue(async () => {
      await drainHistory();
      if (last) await sse.send(last);
      sse.end();
    }).then(resolveDone);
  };

  const drainHistory = async () => {
    if (sse.closed) return;
    for (;;) {
      const page = services.history.list({ sessionId, cursor: encodeSeqCursor(lastSeq), limit: 500 });
      for (const m of page.items) {
        lastSeq = m.seq;
        await sendMapped(view.map(m.content), m.seq);
      }
      if (!page.hasMore) return;
    }
  };

  const handle = (event: ChatEvent) => {
    if (event.kind === "message") {
      const { seq, content } = event.message;
      void enqueue(async () => {
        if (seq <= lastSeq) return;
        lastSeq = seq;
        await sendMapped(view.map(content), seq);
      });
    } else if (event.kind === "partial") {
      if (runId !== undefined && event.runId !== runId) return;
      const raw = event.event as { type?: unknown } | null;
      const line = raw && raw.type === "stream_event" ? raw : { type: "stream_event", event: raw };
      void enqueue(() => sendMapped(view.map(line)));
    } else if (event.kind === "permission") {
      // The app gets a request from its stored message (above), which carries the seq it resumes after.
    } else if (TERMINAL.has(event.state)) {
      endedRuns.add(event.runId);
      const ours = o.start ? event.runId === runId : true;
      if (event.error && (ours || runId === undefined)) {
        const error = event.error;
        sentError = true;
        void enqueue(() => sse.send({ type: "error", code: error.code, message: error.message }));
      }
      if (ours) finish();
    }
  };

  // Subscribed before the run starts, so nothing it prints is missed.
  const iterator = streaming.events(sessionId, { afterSeq: o.afterSeq, signal: stop.signal });
  void (async () => {
    for await (const event of iterator) {
      if (finished) break;
      handle(event);
    }
  })().catch((error: unknown) => services.logger.warn({ err: error, sessionId }, "chat event relay stopped"));

  // A run that ended before our subscription saw its run event still ends the stream.
  // Seen idle twice in a row: the run event (queued in the same tick the run ended) has had its turn first.
  let idleSeen = false;
  const watch = setInterval(() => {
    if (o.signal.aborted) return finish();
    if (o.start && runId === undefined) return;
    if (runId !== undefined && endedRuns.has(runId)) return finish();
    if (streaming.isRunning(sessionId)) idleSeen = false;
    else if (idleSeen) finish();
    else idleSeen = true;
  }, WATCH_MS);

  // Server shutdown: what was stored is still relayed, then a final `error` event says why the stream ends.
  const unregister = services.sseStreams.add({
    shutdown: () => {
      finish(sentError ? undefined : SHUTDOWN_EVENT);
      return done;
    },
  });

  if (o.start) {
    try {
      runId = await o.start();
      if (endedRuns.has(runId)) finish();
    } catch (error) {
      const { body } = toRestError(error);
      sentError = true;
      await enqueue(() => sse.send({ type: "error", code: body.error.code, message: body.error.message }));
      finish();
    }
  } else if (!streaming.isRunning(sessionId)) {
    finish();
  }

  await done;
  unregister();
  o.signal.removeEventListener("abort", onClientGone);
}

/** Where a resume starts: `?after=`, else `Last-Event-ID`, else only what comes next. */
export function resumePoint(after: string | undefined, lastEventId: string | string[] | undefined, currentSeq: number): number {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  const value = after ?? header?.trim();
  if (value === undefined || value === "") return currentSeq;
  if (!/^\d+$/.test(value)) throw new AppError("VALIDATION_ERROR", "Last-Event-ID: must be a message seq", { issues: [{ path: "Last-Event-ID", message: "must be a message seq" }] });
  return Number(value);
}
