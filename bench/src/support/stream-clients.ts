import { spawn } from "node:child_process";
import WebSocket from "ws";

/** `@@t=<epoch ms>@@` as written by the stamping stand-in. */
const STAMP = /@@t=(\d+\.\d+)@@/g;
const now = () => performance.timeOrigin + performance.now();

export interface StreamResult {
  /** receive time - stamp, ms, one per stamped line. */
  latencies: number[];
  firstStamp: number;
  lastReceive: number;
}

/** Collects stamps from text that arrives in arbitrary chunks (only whole lines/frames are scanned). */
class StampCollector {
  readonly result: StreamResult = { latencies: [], firstStamp: Infinity, lastReceive: 0 };
  private tail = "";

  feed(text: string, whole = false): void {
    const at = now();
    let scan = text;
    if (!whole) {
      const data = this.tail + text;
      const cut = data.lastIndexOf("\n");
      scan = cut < 0 ? "" : data.slice(0, cut);
      this.tail = cut < 0 ? data : data.slice(cut + 1);
    }
    for (const match of scan.matchAll(STAMP)) {
      const stamp = Number(match[1]);
      this.result.latencies.push(at - stamp);
      if (stamp < this.result.firstStamp) this.result.firstStamp = stamp;
      this.result.lastReceive = at;
    }
  }
}

/** A session to chat in; `projectPath` must be an existing folder (Claude Code runs there). */
export async function createSession(base: string, projectPath: string): Promise<string> {
  const res = await fetch(`${base}/trpc/sessions.create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ projectPath }),
  });
  const body = (await res.json()) as { result?: { data?: { id?: unknown } } } | null;
  const id = body?.result?.data?.id;
  if (!res.ok || typeof id !== "string") throw new Error(`sessions.create failed: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  return id;
}

/** The seq of the session's newest stored message: what a client that has the history resumes after. */
export async function lastSeq(base: string, sessionId: string): Promise<number> {
  const res = await fetch(`${base}/trpc/sessions.get?input=${encodeURIComponent(JSON.stringify({ sessionId }))}`);
  const body = (await res.json()) as { result?: { data?: { lastSeq?: unknown } } } | null;
  const seq = body?.result?.data?.lastSeq;
  if (!res.ok || typeof seq !== "number") throw new Error(`sessions.get failed: ${res.status}`);
  return seq;
}

async function trpcSend(base: string, sessionId: string, prompt: string): Promise<void> {
  const res = await fetch(`${base}/trpc/chat.send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sessionId, prompt }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`chat.send failed: ${res.status} ${text.slice(0, 200)}`);
}

/** Baseline: the stand-in's stdout read directly by this process (no server). */
export function bareReader(standIn: string, prompt: string): Promise<StreamResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(standIn, ["-p", prompt, "--output-format", "stream-json", "--verbose"], { stdio: ["ignore", "pipe", "inherit"] });
    const collector = new StampCollector();
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => collector.feed(d));
    child.on("error", reject);
    child.on("close", () => resolve(collector.result));
  });
}

/**
 * One run over tRPC WebSocket: subscribe to `chat.events`, start the run with `chat.send`, collect until
 * `expected` stamped messages arrived and the run ended (bounded by `timeoutMs`).
 */
/**
 * One run over a fresh WebSocket subscription. `afterSeq`: the client already has the history up to there
 * (as a chat view does), so only newer messages are sent.
 */
export async function wsRun(
  base: string,
  sessionId: string,
  prompt: string,
  expected: number,
  timeoutMs = 120_000,
  afterSeq?: number,
): Promise<StreamResult> {
  const ws = new WebSocket(base.replace(/^http/, "ws"));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const collector = new StampCollector();
  let ended = false;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let started!: () => void;
  const subscribed = new Promise<void>((resolve) => (started = resolve));
  ws.on("message", (data) => {
    const text = data.toString();
    if (text.includes('"type":"started"')) started();
    collector.feed(text, true);
    if (/"state":"(finished|failed|cancelled)"/.test(text)) ended = true;
    if (ended && collector.result.latencies.length >= expected) finish();
  });
  ws.send(
    JSON.stringify({
      id: 1,
      method: "subscription",
      params: { path: "chat.events", input: { sessionId, ...(afterSeq !== undefined ? { lastEventId: String(afterSeq) } : {}) } },
    }),
  );
  const timer = setTimeout(finish, timeoutMs);
  try {
    await subscribed;
    await trpcSend(base, sessionId, prompt);
    await done;
  } finally {
    clearTimeout(timer);
    ws.close();
  }
  if (collector.result.latencies.length < expected) {
    throw new Error(`WebSocket stream got ${collector.result.latencies.length} of ${expected} messages`);
  }
  return collector.result;
}

/** One run over REST: `POST /api/v1/chat/stream` (SSE), read until the server closes the response. */
export async function sseRun(base: string, sessionId: string, prompt: string, expected: number): Promise<StreamResult> {
  const res = await fetch(`${base}/api/v1/chat/stream`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ sessionId, prompt }),
  });
  if (!res.ok || !res.body) throw new Error(`chat/stream failed: ${res.status} ${(await res.text()).slice(0, 200)}`);
  const collector = new StampCollector();
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) collector.feed(decoder.decode(chunk, { stream: true }));
  collector.feed("\n");
  if (collector.result.latencies.length < expected) {
    throw new Error(`SSE stream got ${collector.result.latencies.length} of ${expected} messages`);
  }
  return collector.result;
}
