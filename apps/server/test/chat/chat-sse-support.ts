/** A minimal tRPC-over-HTTP client for end-to-end tests: plain fetch, like any non-TypeScript client would do. */
export async function call<T>(url: string, path: string, input: unknown): Promise<T> {
  // Queries are GET with `?input=`, mutations POST with the input as body.
  const isQuery = /\.(get|list|check)$/.test(path);
  const res = isQuery
    ? await fetch(`${url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`)
    : await fetch(`${url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(input) });
  const body = (await res.json()) as { result?: { data: T }; error?: unknown };
  if (!res.ok || !body.result) throw new Error(`${path} failed: ${res.status} ${JSON.stringify(body.error)}`);
  return body.result.data;
}

/** The fields of a `chat.events` payload the tests read (message events carry `message`, run events `state`/`error`). */
export interface SseData {
  kind: string;
  type: string;
  state: string;
  requestId: string;
  message: { id: string; seq: number; type: string };
  error: { message: string };
}

export interface SseEvent {
  id: string | null;
  event: string | null;
  data: SseData;
}

/** Reads `chat.events` over SSE (tRPC's httpSubscriptionLink protocol); `lastEventId` resumes like a browser would. */
export async function* sseEvents(
  url: string,
  sessionId: string,
  opts: { lastEventId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<SseEvent> {
  const input = encodeURIComponent(JSON.stringify({ sessionId }));
  const res = await fetch(`${url}/trpc/chat.events?input=${input}`, {
    headers: { accept: "text/event-stream", ...(opts.lastEventId ? { "last-event-id": opts.lastEventId } : {}) },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (!res.ok || !res.body) throw new Error(`chat.events: ${res.status}`);
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        if (opts.signal?.aborted) return;
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | null = null;
        let event: string | null = null;
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("id:")) id = line.slice(3).trim();
          else if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length === 0 && event === null) continue; // comments / keep-alive
        const text = data.join("\n");
        yield { id, event, data: text ? JSON.parse(text) : null }; // e.g. tRPC's id-restoring event has no data
      }
    }
  } catch (error) {
    if (!opts.signal?.aborted) throw error;
  }
}
