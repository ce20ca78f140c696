import type { ChatEvent } from "@ils/contracts";
import type { HistoryService } from "../messages/history-service.ts";
import { encodeSeqCursor } from "../messages/cursor.ts";
import type { LiveEvent, MessageBus } from "../messages/message-bus.ts";

const BACKLOG_PAGE = 500;
const TERMINAL = new Set(["finished", "failed", "cancelled"]);

export interface ChatEventsOptions {
  /** Stored messages after this seq come first (0: the whole history). */
  afterSeq?: number;
  /** The consumer went away: the stream ends at once. */
  signal?: AbortSignal;
  /**
   * Unset: the stream follows the session (server runs, continuations the sync watcher imports) until `signal`.
   * `"run-ends"`: it ends after the terminal event of the run active when the backlog was read, or right after
   * the backlog when nothing runs.
   */
  until?: "run-ends";
  /** Server shutdown: what is stored after the last message yielded still comes, then the stream ends. */
  drain?: AbortSignal;
}

/**
 * Stored messages after `afterSeq`, then live events, with no gap and no duplicate. The bus subscription is made
 * when this function is called (before the generator is first read, and BEFORE the backlog is read), so a message
 * committed meanwhile is buffered, in the backlog, or both (then dropped by seq). Live-only events (partial, run,
 * permission) come in publish order. Always end the stream through `signal` or by finishing the loop.
 */
export function chatEvents(
  bus: MessageBus,
  history: HistoryService,
  sessionId: string,
  opts: ChatEventsOptions = {},
  /** The live state a client that connects mid-run must learn of: the active run's `started`, pending permission requests. */
  liveState: () => LiveEvent[] = () => [],
): AsyncGenerator<ChatEvent> {
  const stop = new AbortController();
  const signals = [stop.signal, opts.signal, opts.drain].filter((s): s is AbortSignal => s !== undefined);
  const live = bus.stream(sessionId, AbortSignal.any(signals));
  return follow(live, stop, history, sessionId, opts, liveState);
}

async function* follow(
  live: AsyncIterator<[ChatEvent[]]>,
  stop: AbortController,
  history: HistoryService,
  sessionId: string,
  opts: ChatEventsOptions,
  liveState: () => LiveEvent[],
): AsyncGenerator<ChatEvent> {
  const { signal, drain } = opts;
  let lastSeq = opts.afterSeq ?? 0;
  function* stored(): Generator<ChatEvent> {
    for (;;) {
      const page = history.list({ sessionId, cursor: encodeSeqCursor(lastSeq), limit: BACKLOG_PAGE });
      for (const message of page.items) {
        lastSeq = message.seq;
        yield { kind: "message", message };
      }
      if (!page.hasMore) return;
    }
  }
  try {
    for (const event of stored()) {
      if (signal?.aborted) return;
      yield event;
    }
    const state = liveState();
    if (opts.until === "run-ends" && !state.some((e) => e.kind === "run")) return;
    // Yielded now; the same event may also be buffered (published between subscribing and now): skipped there once.
    const announced = [...state];
    yield* state;
    try {
      for (;;) {
        const next = await live.next();
        if (next.done) break;
        for (const event of next.value[0]) {
          if (event.kind === "message") {
            if (event.message.seq <= lastSeq) continue;
            lastSeq = event.message.seq;
          } else {
            const i = announced.findIndex((a) => sameLiveEvent(a, event));
            if (i >= 0) {
              announced.splice(i, 1);
              continue;
            }
          }
          yield event;
          if (opts.until === "run-ends" && event.kind === "run" && TERMINAL.has(event.state)) return;
        }
      }
    } catch (error) {
      if (!(error instanceof Error && error.name === "AbortError")) throw error;
    }
    if (drain?.aborted && !signal?.aborted) yield* stored();
  } finally {
    stop.abort(); // unsubscribes from the bus
  }
}

function sameLiveEvent(a: LiveEvent, b: LiveEvent): boolean {
  if (a.kind === "run" && b.kind === "run") return a.runId === b.runId && a.state === b.state;
  if (a.kind === "permission" && b.kind === "permission")
    return a.request.requestId === b.request.requestId && a.request.status === b.request.status;
  return false;
}
