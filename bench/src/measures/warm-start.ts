import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundledClaude } from "@ils/server";
import { failed, type Row } from "../support/row.ts";
import { FIXTURES } from "../support/paths.ts";
import { startServer } from "../support/server.ts";
import { createSession } from "../support/stream-clients.ts";
import { fmt, median, nowMs } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";

const MEASURE = "10. prompt -> first event, real Claude Code CLI against the mock API (cold start vs warm process)";
const TARGET = "warm < 1/2 cold";

/**
 * Measure 9: how long a prompt waits for its first event (`system/init` on the iOS stream) when the session's
 * Claude process must start (cold: its first prompt) and when the warm process of its last run serves it.
 * The real CLI (the Agent SDK's bundled binary) runs against fixtures' mock Anthropic API, offline.
 */
export async function measureWarmStart(ctx: BenchContext): Promise<Row[]> {
  const bin = bundledClaude();
  if (!bin) return [failed(MEASURE, TARGET, new Error("the Agent SDK's bundled CLI is not installed"))];
  const dir = join(ctx.workDir, "warm-start");
  const home = join(dir, "home");
  const project = join(dir, "project");
  mkdirSync(join(home, ".claude"), { recursive: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(dir, "mock.json"), JSON.stringify({ fallback: { text: "ok" } }));
  const portFile = join(dir, "port.txt");
  const mock = spawn(
    process.execPath,
    [
      join(FIXTURES, "generated", "tools", "mock-anthropic.mjs"),
      "--scenario",
      join(dir, "mock.json"),
      "--log",
      join(dir, "requests.jsonl"),
      "--port-file",
      portFile,
    ],
    { stdio: "ignore" },
  );
  try {
    for (let i = 0; i < 200 && !existsSync(portFile); i++) await new Promise((r) => setTimeout(r, 25));
    const server = await startServer({
      // A data folder of its own: Claude Code never runs in the server's data folder.
      ILS_DB: join(dir, "data", "ils.db"),
      ILS_CLAUDE_BIN: bin,
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, ".claude"),
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${readFileSync(portFile, "utf8").trim()}`,
      ANTHROPIC_API_KEY: "dummy",
    });
    try {
      const cold: number[] = [];
      const warm: number[] = [];
      const rounds = ctx.mode === "quick" ? 2 : 5;
      for (let i = 0; i < rounds; i++) {
        const id = await createSession(server.url, project);
        cold.push(await firstEventMs(server.url, id, "hello"));
        warm.push(await firstEventMs(server.url, id, "again"));
      }
      const c = median(cold);
      const w = median(warm);
      return [
        {
          measure: MEASURE,
          result: `warm ${fmt(w)} ms (median of ${rounds})`,
          baseline: `cold ${fmt(c)} ms`,
          ratio: `${fmt(w / c)}x`,
          target: TARGET,
          pass: w < c / 2,
        },
      ];
    } finally {
      await server.stop();
    }
  } catch (error) {
    return [failed(MEASURE, TARGET, error)];
  } finally {
    mock.kill();
  }
}

/** ms from sending the prompt to Claude's first event (`system`, after the stored prompt); then reads the stream to its end. */
async function firstEventMs(base: string, sessionId: string, prompt: string): Promise<number> {
  const start = nowMs();
  const res = await fetch(`${base}/api/v1/chat/stream`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ sessionId, prompt }),
  });
  if (!res.ok || !res.body) throw new Error(`chat/stream failed: ${res.status}`);
  let first: number | undefined;
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    if (first !== undefined) continue;
    text += decoder.decode(chunk, { stream: true });
    if (text.includes('data: {"type":"system"')) first = nowMs() - start;
  }
  if (first === undefined) throw new Error("the stream ended without an event");
  return first;
}
