import type { ChatEvent } from "@ils/contracts";
import type { HistoryService } from "../messages/history-service.ts";
import { encodeSeqCursor } from "../messages/cursor.ts";
import type { LiveEvent, MessageBus } from "../messages/message-bus.ts";

const BACKLOG_PAGE = 500;

/**
 * Stored messages after `afterSeq`, then live events, with no gap and no duplicate: the bus subscription is
 * made BEFORE the backlog is read, so a message committed meanwhile is in the queue, the backlog, or both
 * (then dropped by seq). Live-only events (partial, run) are yielded in the order they were published.
 */
export async function* chatEvents(
  bus: MessageBus,
  history: HistoryService,
  sessionId: string,
  opts: { afterSeq?: number; signal?: AbortSignal } = {},
  /** The live state a client that connects mid-run must learn of: the active run's `started`, pending permission requests. */
  liveState: () => LiveEvent[] = () => [],
): AsyncGenerator<ChatEvent> {
  const { signal } = opts;
  const queue: ChatEvent[] = [];
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const offMessages = bus.subscribe(sessionId, (messages) => {
    for (const message of messages) queue.push({ kind: "message", message });
    notify();
  });
  const offLive = bus.subscribeLive(sessionId, (event) => {
    queue.push(event);
    notify();
  });
  signal?.addEventListener("abort", notify);
  try {
    let lastSeq = opts.afterSeq ?? 0;
    for (;;) {
      const page = history.list({ sessionId, cursor: encodeSeqCursor(lastSeq), limit: BACKLOG_PAGE });
      for (const message of page.items) {
        if (signal?.aborted) return;
        lastSeq = message.seq;
        yield { kind: "message", message };
      }
      if (!page.hasMore) break;
    }
    // Skipped when the same event is queued already (published between subscribing and now).
    for (const event of liveState()) if (!queue.some((e) => sameLiveEvent(e, event))) yield event;
    while (!signal?.aborted) {
      const next = queue.shift();
      if (next === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (next.kind === "message") {
        if (next.message.seq <= lastSeq) continue;
        lastSeq = next.message.seq;
      }
      yield next;
    }
  } finally {
    offMessages();
    offLive();
    signal?.removeEventListener("abort", notify);
  }
}

function sameLiveEvent(a: ChatEvent, b: LiveEvent): boolean {
  if (a.kind === "run" && b.kind === "run") return a.runId === b.runId && a.state === b.state;
  if (a.kind === "permission" && b.kind === "permission") return a.request.requestId === b.request.requestId;
  return false;
}
