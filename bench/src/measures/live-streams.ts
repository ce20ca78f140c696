import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { REPO_ROOT } from "../support/paths.ts";
import { createSession, lastSeq, wsRun } from "../support/stream-clients.ts";

/** The stamping stand-in for `claude` (bench/src/stand-in/stamping-claude.mjs). */
export const STAND_IN = fileURLToPath(new URL("../stand-in/stamping-claude.mjs", import.meta.url));

/** Chat streaming is built when the server has its streaming service and chat router. */
export function streamingBuilt(): boolean {
  const chat = join(REPO_ROOT, "apps", "server", "src", "chat", "streaming-service.ts");
  const router = join(REPO_ROOT, "apps", "server", "src", "trpc", "routers", "chat.ts");
  return existsSync(chat) && existsSync(router);
}

export interface LiveStreams {
  stop(): Promise<{ messages: number; errors: number; firstError?: string }>;
}

/** Server environment that makes chat runs use the stand-in. */
export function liveStreamEnv(): Record<string, string> {
  return streamingBuilt() ? { ILS_CLAUDE_BIN: STAND_IN } : {};
}

/** Keeps `count` chat sessions streaming (run after run, WS) until stop(). */
export async function startLiveStreams(url: string, count: number, projectPath: string, lines = 600): Promise<LiveStreams> {
  if (!streamingBuilt()) throw new Error("live streaming is not built");
  let stopping = false;
  let messages = 0;
  let errors = 0;
  let firstError: string | undefined;
  // A busy Claude run prints a few lines a second; 20 lines/s per stream (200/s for 10) is a generous
  // live load, and long runs (600 lines, 30 s) keep process spawns (each a new node) from dominating it.
  // All streams start together, but their first runs have different lengths, so later runs start (a new
  // process each) spread over time, as independent users' runs do, instead of ten at the same instant.
  const loop = async (sessionId: string, index: number) => {
    let runLines = Math.max(1, Math.round((lines * (index + 1)) / count));
    while (!stopping) {
      try {
        // Each run resumes after what the client already has, as a chat view does (no history replay).
        const r = await wsRun(
          url,
          sessionId,
          `bench load [bench lines=${runLines} delay=50]`,
          runLines,
          120_000,
          await lastSeq(url, sessionId),
        );
        runLines = lines;
        messages += r.latencies.length;
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  const sessions = await Promise.all(Array.from({ length: count }, () => createSession(url, projectPath)));
  const loops = sessions.map((id, i) => loop(id, i));
  return {
    async stop() {
      stopping = true;
      await Promise.all(loops);
      return { messages, errors, ...(firstError ? { firstError } : {}) };
    },
  };
}
