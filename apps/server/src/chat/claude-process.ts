import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";

/** Keeps the last `limit` bytes of stderr: enough to explain a failure, bounded for a chatty CLI. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit = 8 * 1024) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("utf8").trim();
  }
}

export type ClaudeChild = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Starts the CLI in its own process group (`detached`), so signalling the group also reaches the tools it
 * started (a Bash tool's `sleep`), and Ctrl-C on the server's terminal does not reach it directly.
 */
export function spawnClaude(bin: string, args: string[], cwd: string): ClaudeChild {
  return spawn(bin, args, { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"], env: claudeEnv(process.env) });
}

/** The server's own settings (ILS_TOKEN above all) stay out of Claude's environment and the tools it runs. */
export function claudeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("ILS_")));
}

/** Signals the whole process group; a group that is already gone is not an error. */
export function signalGroup(child: ClaudeChild, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: everyone in the group has exited.
  }
}
