import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent, Message } from "@ils/contracts";
import { freePort, startServerProcess, type ServerProcess } from "../../../apps/server/test/support/server-process.ts";
import { tcpProxy } from "../../../apps/server/test/support/tcp-proxy.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../../../apps/server/test/support/temp.ts";
import { createIlsClient, type IlsClient } from "../src/index.ts";

const FAKE_CLAUDE = join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs");
const LONG = readFileSync(join(FIXTURES, "generated", "09-long", "stdout.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const dir = tempDir("ils-client-");
const project = join(dir.path, "project");
let server: ServerProcess;
let client: IlsClient;
let proxyPort: number;

beforeAll(async () => {
  mkdirSync(project);
  // The reconnect test goes through a TCP proxy on another port: a Host the server must be told to serve.
  proxyPort = await freePort();
  server = await startServerProcess({
    ILS_ALLOWED_HOSTS: `127.0.0.1:${proxyPort}`,
    // The database in a folder of its own: the server never runs Claude Code in its data folder.
    ILS_DB: join(dir.path, "data", "ils.db"),
    ILS_CLAUDE_BIN: FAKE_CLAUDE,
    FAKE_CLAUDE_SCENARIO: "09-long",
    FAKE_CLAUDE_DELAY_MS: "3",
  });
  client = createIlsClient({ url: server.url });
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  dir.cleanup();
});

const runEnded = (e: ChatEvent) => e.kind === "run" && e.state !== "started";

describe("@ils/client against a real server", () => {
  it("send + events over WebSocket: every replayed message in order, then history pages the same messages", async () => {
    const session = await client.trpc.sessions.create.mutate({ projectPath: project });
    const controller = new AbortController();
    const received: ChatEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events(session.id, { signal: controller.signal })) {
        received.push(event);
        if (runEnded(event)) controller.abort();
      }
    })();
    const { runId } = await client.send(session.id, "a long run");
    await reading;

    const messages = received.flatMap((e) => (e.kind === "message" ? [e.message] : []));
    expect(messages.map((m) => m.type)).toEqual(["user", ...LONG.map((l) => l.type)]);
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(received.at(-1)).toMatchObject({ kind: "run", state: "finished", runId });

    const history: Message[] = [];
    for await (const m of client.history(session.id, { pageSize: 7 })) history.push(m);
    expect(history).toEqual(messages);
    expect((await client.trpc.sessions.get.query({ sessionId: session.id })).status).toBe("completed");
  });

  it("a dropped WebSocket reconnects and resumes after the last tracked seq: no gap, no duplicate", async () => {
    const proxy = await tcpProxy(proxyPort, server.port);
    const viaProxy = createIlsClient({ url: `http://127.0.0.1:${proxy.port}`, retryDelayMs: () => 100 });
    try {
      const session = await viaProxy.trpc.sessions.create.mutate({ projectPath: project });
      const seqs: number[] = [];
      let dropped = false;
      await new Promise<void>((resolve, reject) => {
        // The raw subscription (not client.events, which also dedupes) so a server-side duplicate would show.
        const sub = viaProxy.trpc.chat.events.subscribe(
          { sessionId: session.id },
          {
            onData(item: unknown) {
              const wrapped = item as { data?: unknown; id?: unknown };
              const event = ("data" in wrapped && "id" in wrapped ? wrapped.data : item) as ChatEvent;
              if (event.kind === "message") seqs.push(event.message.seq);
              if (seqs.length === 15 && !dropped) {
                dropped = true;
                proxy.dropAll();
              }
              // The run may end while the socket is down: run events are live only, so count messages instead.
              if (seqs.length >= LONG.length + 1 || runEnded(event)) {
                sub.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
        void viaProxy.send(session.id, "long run over a flaky network").catch(reject);
      });
      expect(dropped).toBe(true);
      expect(proxy.connections()).toBeGreaterThan(1);
      expect(seqs).toEqual(Array.from({ length: LONG.length + 1 }, (_, i) => i + 1));
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it("errors keep their code: 409 for a second prompt during a run, 404 for an unknown session; cancel and fork work", async () => {
    const session = await client.trpc.sessions.create.mutate({ projectPath: project });
    await client.send(session.id, "first");
    const conflict = await client.send(session.id, "second").catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(TRPCClientError);
    expect((conflict as { data: unknown }).data).toMatchObject({ code: "CONFLICT", httpStatus: 409 });
    expect(await client.cancel(session.id)).toEqual({ cancelled: true });
    expect((await client.trpc.sessions.get.query({ sessionId: session.id })).status).toBe("cancelled");

    const missing = await client.send("00000000-0000-4000-8000-000000000000", "x").catch((e: unknown) => e);
    expect((missing as { data: unknown }).data).toMatchObject({ code: "NOT_FOUND", httpStatus: 404 });

    const fork = await client.fork(session.id);
    expect(fork).toMatchObject({ forkedFromId: session.id, projectPath: project });
  });
});
