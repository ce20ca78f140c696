import type { ChatEvent, Message, RespondInput, RespondResult, RunOptions, SendResult, Session } from "@ils/contracts";
import type { AppRouter } from "@ils/server";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink, type TRPCClient } from "@trpc/client";
import { observable, observableToAsyncIterable } from "@trpc/server/observable";
import WebSocketImpl from "ws";

export interface IlsClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:9999`. */
  url: string;
  /** The server's `ILS_TOKEN`, when it has one. */
  token?: string;
  /** Delay before reconnect attempt n (default: 250 ms doubling up to 5 s). */
  retryDelayMs?: (attempt: number) => number;
}

export interface IlsClient {
  /** The typed tRPC client: every procedure of the server's router. */
  trpc: TRPCClient<AppRouter>;
  send(sessionId: string, prompt: string, options?: RunOptions): Promise<SendResult>;
  cancel(sessionId: string): Promise<{ cancelled: boolean }>;
  /** Answers a `permission` event's request (allow or deny); NOT_FOUND when unknown or already answered. */
  respond(input: RespondInput): Promise<RespondResult>;
  fork(sessionId: string, atMessageId?: string): Promise<Session>;
  /**
   * Stored messages after `after` (a seq; default 0 = the whole history), then live events. The WebSocket
   * reconnects by itself and resumes after the last message received: no gap, no duplicate.
   */
  events(sessionId: string, opts?: { after?: number; signal?: AbortSignal }): AsyncIterable<ChatEvent>;
  /** Every stored message in conversation order, fetched page by page with cursors. */
  history(sessionId: string, opts?: { pageSize?: number }): AsyncIterable<Message>;
  close(): Promise<void>;
}

export function createIlsClient(options: IlsClientOptions): IlsClient {
  const base = options.url.replace(/\/+$/, "");
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const wsClient = createWSClient({
    // The server refuses an upgrade without the token, and a browser WebSocket cannot set headers: the token
    // goes in the `/t/<token>` path prefix, which the server accepts on every route.
    url: `${base.replace(/^http/, "ws")}${options.token ? `/t/${encodeURIComponent(options.token)}` : ""}`,
    // Node 20 has no global WebSocket; `ws` is API-compatible.
    WebSocket: (globalThis.WebSocket ?? WebSocketImpl) as unknown as typeof WebSocket,
    retryDelayMs: options.retryDelayMs ?? ((attempt) => Math.min(250 * 2 ** attempt, 5_000)),
    lazy: { enabled: true, closeMs: 10_000 },
  });
  const trpc = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: wsLink({ client: wsClient }),
        false: httpBatchLink({ url: `${base}/trpc`, headers }),
      }),
    ],
  });

  return {
    trpc,
    send: (sessionId, prompt, runOptions) => trpc.chat.send.mutate({ sessionId, prompt, ...(runOptions ? { options: runOptions } : {}) }),
    cancel: (sessionId) => trpc.chat.cancel.mutate({ sessionId }),
    respond: (input) => trpc.chat.respond.mutate(input),
    fork: (sessionId, atMessageId) => trpc.sessions.fork.mutate({ sessionId, ...(atMessageId ? { atMessageId } : {}) }),
    events: (sessionId, opts = {}) => chatEvents(trpc, sessionId, opts.after ?? 0, opts.signal),
    history: (sessionId, opts = {}) => history(trpc, sessionId, opts.pageSize ?? 200),
    close: async () => {
      await wsClient.close();
    },
  };
}

async function* chatEvents(trpc: TRPCClient<AppRouter>, sessionId: string, after: number, signal?: AbortSignal): AsyncGenerator<ChatEvent> {
  let lastSeq = after;
  // tRPC's own observable-to-iterator: buffers while the loop is busy; breaking out or aborting unsubscribes.
  const events = observable<unknown, unknown>((observer) => {
    const subscription = trpc.chat.events.subscribe(
      { sessionId, lastEventId: String(after) },
      { onData: (value) => observer.next(value), onError: (error) => observer.error(error), onComplete: () => observer.complete() },
    );
    return () => subscription.unsubscribe();
  });
  const raw = observableToAsyncIterable(events, signal ?? new AbortController().signal);
  for await (const item of raw) {
    // Message events arrive `tracked` ({ id, data }); partial and run events arrive as they are.
    const event = (isTracked(item) ? item.data : item) as ChatEvent;
    if (event.kind === "message") {
      // The server already resumes after the last tracked id; this guards the seam of a reconnect anyway.
      if (event.message.seq <= lastSeq) continue;
      lastSeq = event.message.seq;
    }
    yield event;
  }
}

function isTracked(value: unknown): value is { id: string; data: unknown } {
  return typeof value === "object" && value !== null && "id" in value && "data" in value && !("kind" in value);
}

async function* history(trpc: TRPCClient<AppRouter>, sessionId: string, pageSize: number): AsyncGenerator<Message> {
  let cursor: string | undefined;
  for (;;) {
    const page = await trpc.messages.list.query({ sessionId, limit: pageSize, direction: "forward", ...(cursor ? { cursor } : {}) });
    for (const message of page.items) yield message as Message;
    if (!page.hasMore || !page.nextCursor) return;
    cursor = page.nextCursor;
  }
}
