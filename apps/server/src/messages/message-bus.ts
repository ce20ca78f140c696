import { EventEmitter } from "node:events";
import type { Message } from "@ils/contracts";

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

  listenerCount(sessionId: string): number {
    return this.emitter.listenerCount(sessionId);
  }
}
