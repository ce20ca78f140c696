import { EventEmitter } from "node:events";
import type { ChatEvent, Message } from "@ils/contracts";

/** Live-only events (partial deltas, run lifecycle): never stored, so they carry no seq. */
export type LiveEvent = Exclude<ChatEvent, { kind: "message" }>;

/**
 * In-process fan-out of messages *after* they are committed. Ingestion is the only publisher, so a
 * subscriber never sees a message that is not in the database.
 */
export class MessageBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(sessionId: string, messages: Message[]): void {
    if (messages.length > 0) this.emitter.emit(sessionId, messages);
  }

  subscribe(sessionId: string, listener: (messages: Message[]) => void): () => void {
    this.emitter.on(sessionId, listener);
    return () => this.emitter.off(sessionId, listener);
  }

  /** Partial and run events share the emitter with messages, so a subscriber sees both in publish order. */
  publishLive(sessionId: string, event: LiveEvent): void {
    this.emitter.emit(`live:${sessionId}`, event);
  }

  subscribeLive(sessionId: string, listener: (event: LiveEvent) => void): () => void {
    this.emitter.on(`live:${sessionId}`, listener);
    return () => this.emitter.off(`live:${sessionId}`, listener);
  }

  listenerCount(sessionId: string): number {
    return this.emitter.listenerCount(sessionId);
  }
}
