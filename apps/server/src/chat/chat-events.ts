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
  /** The `started` event of the session's active run, if any: a client that connects mid-run learns of it. */
  activeRun: () => LiveEvent | undefined = () => undefined,
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
    const running = activeRun();
    if (running && !queue.some((e) => e.kind === "run" && e.runId === (running as { runId: string }).runId)) yield running;
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
