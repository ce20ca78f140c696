import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ios from "../support/ios-decoders.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

let server: ServerProcess;
let dir: ReturnType<typeof tempDir>;
let project: string;

beforeAll(async () => {
  dir = tempDir();
  project = join(dir.path, "project");
  mkdirSync(project);
  server = await startServerProcess({
    // The database in a folder of its own: the server never runs Claude Code in its data folder.
    ILS_DB: join(dir.path, "data", "ils.db"),
    ILS_CLAUDE_BIN: join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs"),
    ILS_DEFAULT_PROJECT_DIR: project,
    // 09-long: ~100 lines; 15 ms apart, so the run is still going when the client reconnects.
    FAKE_CLAUDE_SCENARIO: "09-long",
    FAKE_CLAUDE_DELAY_MS: "15",
  });
});
afterAll(async () => {
  await server?.stop();
  dir?.cleanup();
});

const api = (path: string) => `${server.url}/api/v1${path}`;

async function createSession(): Promise<string> {
  const res = await fetch(api("/sessions"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ projectPath: project }),
  });
  return ((await res.json()) as { data: { id: string } }).data.id.toUpperCase();
}

/** Reads an SSE response until `stopAfterIds` ids were seen (then drops the connection) or until it ends. */
async function readSse(res: Response, stopAfterIds = Infinity, abort?: AbortController): Promise<{ text: string; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text, ended: true };
    text += decoder.decode(value, { stream: true });
    // Only complete events count (a cut event would be re-sent: that is not what we test).
    const complete = text.slice(0, text.lastIndexOf("\n\n") + 2);
    if (ios.parseAppSse(complete).events.filter((e) => e.id).length >= stopAfterIds) {
      abort?.abort();
      await reader.cancel().catch(() => undefined);
      return { text: complete, ended: false };
    }
  }
}

const idsOf = (text: string) => {
  const seen: number[] = [];
  let last: string | undefined;
  for (const e of ios.parseAppSse(text).events) {
    if (e.id !== undefined && e.id !== last) seen.push(Number(e.id));
    last = e.id;
  }
  return seen;
};

async function storedSeqs(id: string): Promise<number[]> {
  // Every stored line (the default history leaves bookkeeping out since docs/presentation.md).
  const body = (await (await fetch(api(`/sessions/${id}/messages?include=all`))).json()) as {
    data: { items: { seq: number; type: string }[] };
  };
  return body.data.items.filter((m) => ["system", "assistant", "user", "result"].includes(m.type)).map((m) => m.seq);
}

async function waitIdle(id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = (await (await fetch(api(`/sessions/${id}`))).json()) as { data: { status: string } };
    if (s.data.status !== "active") return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("SSE resume", () => {
  it("drop the connection mid-stream, reconnect with Last-Event-ID: no gap, no duplicate", async () => {
    const id = await createSession();
    const abort = new AbortController();
    const first = await fetch(api("/chat/stream"), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ prompt: "write, read and edit", sessionId: id }),
      signal: abort.signal,
    });
    expect(first.status).toBe(200);
    const part1 = await readSse(first, 6, abort);
    expect(part1.ended).toBe(false);
    const firstIds = idsOf(part1.text);
    const lastId = ios.parseAppSse(part1.text).lastEventId!;

    const second = await fetch(api(`/sessions/${id}/events?until=run-ends`), {
      headers: { accept: "text/event-stream", "last-event-id": lastId },
    });
    expect(second.status).toBe(200);
    const part2 = await readSse(second);
    expect(part2.ended).toBe(true);
    const secondIds = idsOf(part2.text);
    expect(secondIds.length).toBeGreaterThan(10);

    await waitIdle(id);
    const all = [...firstIds, ...secondIds];
    expect(new Set(all).size).toBe(all.length); // no duplicate
    expect(all).toEqual(await storedSeqs(id)); // no gap, in order
    // What the app decodes: every event of both parts, ending with the result.
    const events = [...ios.decodeAppStream(part1.text), ...ios.decodeAppStream(part2.text)];
    expect(events.at(-1)?.type).toBe("result");
  });

  it("?after= with ?until=run-ends replays a finished session from that seq and closes", async () => {
    const id = await createSession();
    const done = await readSse(
      await fetch(api("/chat/stream"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "go", sessionId: id }),
      }),
    );
    expect(done.ended).toBe(true);
    await waitIdle(id);
    const seqs = await storedSeqs(id);
    const replay = await readSse(await fetch(api(`/sessions/${id}/events?after=${seqs[4]}&until=run-ends`)));
    expect(replay.ended).toBe(true);
    expect(idsOf(replay.text)).toEqual(seqs.slice(5));
  });

  it("a new prompt carrying a stale Last-Event-ID neither replays nor skips (it is ignored on /chat/stream)", async () => {
    const id = await createSession();
    await readSse(
      await fetch(api("/chat/stream"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "one", sessionId: id }),
      }),
    );
    await waitIdle(id);
    const before = await storedSeqs(id);
    const again = await readSse(
      await fetch(api("/chat/stream"), {
        method: "POST",
        headers: { "content-type": "application/json", "last-event-id": String(before.at(-1)! + 40) },
        body: JSON.stringify({ prompt: "two", sessionId: id }),
      }),
    );
    await waitIdle(id);
    const after = await storedSeqs(id);
    expect(idsOf(again.text)).toEqual(after.slice(before.length));
  });

  it("with includePartialMessages the text arrives once (deltas), not again in the assistant event", async () => {
    const id = await createSession();
    const res = await fetch(api("/chat/stream"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "[fake scenario=06-partial delay=0]", sessionId: id, options: { includePartialMessages: true } }),
    });
    const events = ios.decodeAppStream((await readSse(res)).text);
    const deltas = events.filter((e) => e.type === "streamEvent" && (e.delta as { type?: string } | undefined)?.type === "textDelta");
    expect(deltas.length).toBeGreaterThan(0);
    // What the chat view shows: deltas and assistant text blocks, appended.
    let shown = "";
    for (const e of events) {
      if (e.type === "streamEvent" && (e.delta as { type?: string } | undefined)?.type === "textDelta")
        shown += (e.delta as { text: string }).text;
      if (e.type === "assistant") for (const b of e.content as { type: string; text?: string }[]) if (b.type === "text") shown += b.text;
    }
    const result = events.find((e) => e.type === "result") as { result?: string } | undefined;
    expect(shown).toBe("Let me check.The current directory is project-partial.");
    expect(result?.result).toBe("The current directory is project-partial.");
  });

  it("an unknown session id in /chat/stream is created on the fly (as the app's deep links expect)", async () => {
    const fresh = "0F0E0D0C-0B0A-4908-8706-050403020100";
    const res = await fetch(api("/chat/stream"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: "hi [fake scenario=01-simple delay=0]", sessionId: fresh }),
    });
    expect(res.status).toBe(200);
    const events = ios.decodeAppStream((await readSse(res)).text);
    // The app sends no project directory: the run happens in ILS_DEFAULT_PROJECT_DIR.
    expect(events.find((e) => e.type === "system")).toMatchObject({ type: "system", subtype: "init", data: { cwd: project } });
    expect(events.at(-1)).toMatchObject({ type: "result", isError: false });
    const session = await fetch(api(`/sessions/${fresh}`));
    expect(session.status).toBe(200);
  });
});
