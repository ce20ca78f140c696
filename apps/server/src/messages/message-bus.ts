import { EventEmitter, on } from "node:events";
import type { ChatEvent, Message } from "@ils/contracts";

/** Live-only events (partial deltas, run lifecycle): never stored, so they carry no seq. */
export type LiveEvent = Exclude<ChatEvent, { kind: "message" }>;

/**
 * In-process fan-out of messages *after* they are committed. Ingestion is the only publisher of messages, so a
 * subscriber never sees a message that is not in the database. Messages and live events go out under one event
 * name per session, so every subscriber sees them in publish order.
 */
export class MessageBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(sessionId: string, messages: Message[]): void {
    if (messages.length > 0)
      this.emitter.emit(
        sessionId,
        messages.map((message): ChatEvent => ({ kind: "message", message })),
      );
  }

  /** Partial and run events: not stored, published as they happen. */
  publishLive(sessionId: string, event: LiveEvent): void {
    this.emitter.emit(sessionId, [event]);
  }

  /** Committed messages only. */
  subscribe(sessionId: string, listener: (messages: Message[]) => void): () => void {
    const onEvents = (events: ChatEvent[]) => {
      const messages = events.flatMap((e) => (e.kind === "message" ? [e.message] : []));
      if (messages.length > 0) listener(messages);
    };
    this.emitter.on(sessionId, onEvents);
    return () => this.emitter.off(sessionId, onEvents);
  }

  /** How many subscribers the session has (a stream that ended must leave none). */
  listenerCount(sessionId: string): number {
    return this.emitter.listenerCount(sessionId);
  }

  /**
   * Everything published for the session from this call on, buffered until read (node:events `on`), as one
   * batch per publish. Aborting `signal` ends the iteration with an AbortError.
   */
  stream(sessionId: string, signal: AbortSignal): AsyncIterator<[ChatEvent[]]> {
    return on(this.emitter, sessionId, { signal }) as AsyncIterator<[ChatEvent[]]>;
  }
}
