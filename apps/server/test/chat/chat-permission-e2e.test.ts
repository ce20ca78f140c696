import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { ChatEvent } from "@ils/contracts";
import { bundledClaude } from "../../src/chat/claude-cli.ts";
import type { AppRouter } from "../../src/trpc/app-router.ts";
import { startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { FIXTURES, tempDir } from "../support/temp.ts";

// A real server process running the real Claude Code CLI (the Agent SDK's bundled binary) against the mock API.
const dir = tempDir("ils-perm-e2e-");
const project = join(dir.path, "project");
const home = join(dir.path, "home");
let mock: ChildProcess;
let server: ServerProcess;

beforeAll(async () => {
  mkdirSync(project);
  mkdirSync(join(home, ".claude"), { recursive: true });
  const write = (name: string) => ({ tool_use: { name: "Write", input: { file_path: join(project, name), content: `# ${name}\n` } } });
  const script = {
    steps: [
      { match: "sse-allow", ...write("SSE.md") },
      { match: "sse-allow", text: "Wrote it." },
      { match: "ws-deny", ...write("WS.md") },
      { match: "ws-deny", text: "Could not write it." },
    ],
    fallback: { text: "ok" },
  };
  writeFileSync(join(dir.path, "mock.json"), JSON.stringify(script));
  const portFile = join(dir.path, "port.txt");
  mock = spawn(
    process.execPath,
    [
      join(FIXTURES, "generated", "tools", "mock-anthropic.mjs"),
      "--scenario",
      join(dir.path, "mock.json"),
      "--log",
      join(dir.path, "requests.jsonl"),
      "--port-file",
      portFile,
    ],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 100 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 50));
  server = await startServerProcess({
    // The database in a folder of its own: the server refuses a project inside its data folder.
    ILS_DB: join(dir.path, "data", "ils.db"),
    ILS_DEFAULT_PROJECT_DIR: project,
    ILS_CLAUDE_BIN: bundledClaude()!,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    ANTHROPIC_BASE_URL: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`,
    ANTHROPIC_API_KEY: "dummy",
  });
});
afterAll(async () => {
  await server?.stop();
  mock?.kill();
  dir.cleanup();
});

/** The fields of an iOS SSE payload the tests read. */
interface SsePayload {
  type: string;
  requestId: string;
  [key: string]: unknown;
}

/** The app's SSE parsing (ios-contract §5.3): `id:` and `data:` lines, each data line one JSON payload. */
async function* sseLines(res: Response): AsyncGenerator<{ id: string | null; data: SsePayload }> {
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | null = null;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, end).trim();
      buffer = buffer.slice(end + 1);
      if (line.startsWith("id:")) id = line.slice(3).trim();
      else if (line.startsWith("data:")) {
        yield { id, data: JSON.parse(line.slice(5).trim()) };
        id = null;
      }
    }
  }
}

const SESSION = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F";

describe("permission prompts end to end (real CLI, real server)", () => {
  it("health names the CLI that runs, with its version", async () => {
    const health = (await (await fetch(`${server.url}/trpc/health.check`)).json()) as { result: { data: { claude: { version: string } } } };
    const claude = health.result.data.claude;
    expect(claude).toMatchObject({ found: true, source: "ILS_CLAUDE_BIN", path: bundledClaude() });
    expect(claude.version).toMatch(/Claude Code/);
  });

  it("iOS: POST /chat/stream gets a permission event; a client that drops and resumes with events?after= still sees it, allows, the file is written, the stream ends with result", async () => {
    const first = new AbortController();
    const res = await fetch(`${server.url}/api/v1/chat/stream`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ prompt: "sse-allow", sessionId: SESSION }),
      signal: first.signal,
    });
    expect(res.status).toBe(200);
    let lastId = "0";
    let permission: SsePayload | undefined;
    for await (const e of sseLines(res)) {
      if (e.data.type === "permission") {
        permission = e.data;
        break;
      }
      if (e.id) lastId = e.id;
    }
    first.abort();
    expect(permission).toMatchObject({ type: "permission", toolName: "Write", toolInput: { file_path: join(project, "SSE.md") } });

    const resumed = await fetch(`${server.url}/api/v1/sessions/${SESSION}/events?after=${lastId}&until=run-ends`, {
      headers: { accept: "text/event-stream" },
    });
    const events: SsePayload[] = [];
    for await (const e of sseLines(resumed)) {
      events.push(e.data);
      if (e.data.type === "permission") {
        expect(e.data.requestId).toBe(permission!.requestId);
        const answer = await fetch(`${server.url}/api/v1/chat/permission/${SESSION}/${permission!.requestId}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ decision: "allow" }),
        });
        expect(answer.status).toBe(200);
        expect(((await answer.json()) as { data: unknown }).data).toEqual({ acknowledged: true });
      }
    }
    expect(events.at(-1)).toMatchObject({ type: "result", isError: false });
    expect(readFileSync(join(project, "SSE.md"), "utf8")).toBe("# SSE.md\n");
    const again = await fetch(`${server.url}/api/v1/chat/permission/${SESSION}/${permission!.requestId}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ decision: "deny" }),
    });
    expect(again.status).toBe(404);
  }, 120_000);

  it("typed client over WebSocket: a permission event, chat.respond deny, no file, the result lists the denial; both decisions are in the history", async () => {
    const client = createWSClient({
      url: server.url.replace("http", "ws"),
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    });
    const trpc = createTRPCClient<AppRouter>({ links: [wsLink({ client })] });
    try {
      const session = await trpc.sessions.create.mutate({ projectPath: project });
      const events: ChatEvent[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = trpc.chat.events.subscribe(
          { sessionId: session.id },
          {
            onData: (tracked: unknown) => {
              const event = ((tracked as { data?: ChatEvent }).data ?? tracked) as ChatEvent;
              events.push(event);
              if (event.kind === "permission" && event.request.status === "pending") {
                void trpc.chat.respond
                  .mutate({ sessionId: session.id, requestId: event.request.requestId, decision: "deny", reason: "not now" })
                  .catch(reject);
              }
              if (event.kind === "run" && event.state !== "started") {
                sub.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
        void trpc.chat.send.mutate({ sessionId: session.id, prompt: "ws-deny" }).catch(reject);
      });
      expect(existsSync(join(project, "WS.md"))).toBe(false);
      const decided = events.find((e) => e.kind === "permission" && e.request.status === "denied") as
        Extract<ChatEvent, { kind: "permission" }> | undefined;
      expect(decided!.request.decision).toMatchObject({ decision: "deny", reason: "not now", decidedBy: "trpc" });
      const history = await trpc.messages.list.query({ sessionId: session.id, limit: 500 });
      const result = history.items.at(-1)!;
      expect(result.type).toBe("result");
      expect((result.content as { permission_denials: { tool_name: string }[] }).permission_denials.map((d) => d.tool_name)).toEqual([
        "Write",
      ]);
      expect(history.items.filter((m) => m.type === "control_response")).toHaveLength(1);
      const sse = await trpc.messages.list.query({ sessionId: SESSION, limit: 500 });
      expect(
        (sse.items.find((m) => m.type === "control_response")!.content as { response: { response: { behavior: string } } }).response
          .response.behavior,
      ).toBe("allow");
    } finally {
      client.close();
    }
  }, 120_000);

  it("an app option the CLI cannot honour is a 400 naming it, and nothing runs", async () => {
    const cases = [
      { forkSession: true },
      { noSessionPersistence: true },
      { resume: "11111111-2222-3333-4444-555555555555" },
      { inputFormat: "text" },
    ];
    for (const [i, options] of cases.entries()) {
      const id = `A0000000-0000-4000-8000-00000000000${i}`;
      const res = await fetch(`${server.url}/api/v1/chat/stream`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ prompt: "hi", sessionId: id, options }),
      });
      const text = await res.text();
      expect(res.status === 400 || text.includes('"type":"error"')).toBe(true);
      expect(text).toContain(`options.${Object.keys(options)[0]}`);
      // No session was created on the fly, so nothing ran.
      expect((await fetch(`${server.url}/api/v1/sessions/${id}`)).status).toBe(404);
    }
  });
});
