import type { ChatEvent } from "@ils/contracts";
import { afterAll, describe, expect, it } from "vitest";
import { chatEvents } from "../../src/chat/chat-events.ts";
import type { LiveEvent } from "../../src/messages/message-bus.ts";
import { createTestServices } from "../support/in-process.ts";

// The one stream both transports use (docs/chat.md "One stream for both transports"), on real services.
const services = createTestServices();
afterAll(() => services.cleanup());

const line = (text: string) => ({
  raw: JSON.stringify({ type: "assistant", message: { role: "assistant", content: [{ type: "text", text }] } }),
});
const seqs = (events: ChatEvent[]) => events.flatMap((e) => (e.kind === "message" ? [e.message.seq] : []));
const started = (sessionId: string, runId: string): LiveEvent => ({
  kind: "run",
  sessionId,
  runId,
  state: "started",
  at: "2026-12-01T00:00:00Z",
});
const ended = (sessionId: string, runId: string): LiveEvent => ({
  kind: "run",
  sessionId,
  runId,
  state: "finished",
  at: "2026-12-01T00:00:01Z",
});

function newSession(): string {
  const id = services.sessions.insert({ source: "ils", projectPath: "/tmp/p" }).id;
  services.ingest.appendMessages(id, [line("one"), line("two"), line("three")]);
  return id;
}

describe("chatEvents", () => {
  it("what is published after the call but before the first read comes once, after the backlog", async () => {
    const id = newSession();
    const controller = new AbortController();
    const stream = chatEvents(services.bus, services.history, id, { afterSeq: 1, signal: controller.signal });
    // Published after the call, before the first read: the message is in the buffer AND in the backlog; the
    // partial only in the buffer (the subscription is made by the call, not by the first read).
    services.ingest.appendMessages(id, [line("four")]);
    services.bus.publishLive(id, { kind: "partial", sessionId: id, runId: "r0", event: { type: "stream_event" } });
    const got: ChatEvent[] = [];
    for await (const event of stream) {
      got.push(event);
      if (got.length === 3) services.ingest.appendMessages(id, [line("five")]);
      if (got.length === 5) break;
    }
    expect(got.map((e) => (e.kind === "message" ? e.message.seq : e.kind))).toEqual([2, 3, 4, "partial", 5]);
    expect(services.bus.listenerCount(id)).toBe(0); // unsubscribed on break
  });

  it('until "run-ends": right after the backlog when nothing runs; after the run\'s terminal event otherwise', async () => {
    const id = newSession();
    const idle: ChatEvent[] = [];
    for await (const event of chatEvents(services.bus, services.history, id, { until: "run-ends" })) idle.push(event);
    expect(seqs(idle)).toEqual([1, 2, 3]);

    const stream = chatEvents(services.bus, services.history, id, { afterSeq: 3, until: "run-ends" }, () => [started(id, "r1")]);
    // Published after subscribing, before the backlog is read: `started` is also in the live state (yielded once),
    // the message also in the backlog (yielded once).
    services.bus.publishLive(id, started(id, "r1"));
    services.ingest.appendMessages(id, [line("four")]);
    const got: ChatEvent[] = [];
    for await (const event of stream) {
      got.push(event);
      if (event.kind === "run" && event.state === "started") {
        services.ingest.appendMessages(id, [line("five")]);
        services.bus.publishLive(id, ended(id, "r1"));
        services.ingest.appendMessages(id, [line("after the run")]);
      }
    }
    const shape = (e: ChatEvent) => (e.kind === "message" ? e.message.seq : e.kind === "run" ? `run:${e.state}` : e.kind);
    expect(got.map(shape)).toEqual([4, "run:started", 5, "run:finished"]);
    expect(services.bus.listenerCount(id)).toBe(0);
  });

  it("drain: what is stored after the last message yielded still comes, then the stream ends", async () => {
    const id = newSession();
    const drain = new AbortController();
    const stream = chatEvents(services.bus, services.history, id, { drain: drain.signal });
    const got: ChatEvent[] = [];
    for await (const event of stream) {
      got.push(event);
      if (got.length === 3) {
        drain.abort();
        services.ingest.appendMessages(id, [line("stored during shutdown")]);
      }
    }
    expect(seqs(got)).toEqual([1, 2, 3, 4]);
    expect(services.bus.listenerCount(id)).toBe(0);
  });
});
