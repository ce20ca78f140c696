import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { LineSplitter } from "./line-splitter.ts";
import { descendantsOf, killTree, readStat, type ProcessId } from "./process-tree.ts";

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
    return all
      .subarray(Math.max(0, all.length - this.limit))
      .toString("utf8")
      .trim();
  }
}

/**
 * The server's own settings (ILS_TOKEN above all) stay out of Claude's environment and the tools it runs; the
 * three switches keep the CLI from downloading or phoning home at run time.
 */
export function claudeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("ILS_"))),
    DISABLE_AUTOUPDATER: "1",
    DISABLE_TELEMETRY: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
  };
}

export interface ClaudeProcessEvents {
  /** The complete stdout lines of one read (JSON messages, control lines, or anything else the CLI printed). */
  lines(lines: string[]): void;
  /** A stdout line went over the cap; its bytes were dropped. */
  tooLong(bytes: number): void;
  /** New descendants seen (tools the CLI started): recorded so a crash of the server does not orphan them. */
  descendants(all: ProcessId[]): void;
  /** The process is gone and its stdout closed (or the spawn failed: `spawnError`). */
  closed(facts: {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    spawnError: NodeJS.ErrnoException | null;
    stderrTail: string;
  }): void;
}

/** How often the process tree is scanned while the process lives. */
const TRACK_MS = 250;
/** A process that exited while a grandchild still holds its stdout open counts as closed after this long. */
const CLOSE_AFTER_EXIT_MS = 2_000;

/**
 * One Claude Code process: spawned in its own process group (`detached`: Ctrl-C on the server's terminal does
 * not reach it), fed on stdin, its stdout split into lines (linear, capped), its descendants tracked through
 * /proc so that a kill takes the whole tree, including the Bash tools Claude starts in process groups of their own.
 */
export class ClaudeProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** pid + start time, read right after spawn (undefined when the spawn failed). */
  id: ProcessId | undefined;
  pgid: number | undefined;
  private known = new Map<number, ProcessId>();
  private tracker: NodeJS.Timeout | undefined;
  private exited = false;
  private isClosed = false;
  readonly closedPromise: Promise<void>;

  constructor(bin: string, args: string[], cwd: string, maxLineBytes: number, events: ClaudeProcessEvents) {
    this.child = spawn(bin, args, { cwd, detached: true, stdio: ["pipe", "pipe", "pipe"], env: claudeEnv(process.env) });
    const splitter = new LineSplitter(maxLineBytes, (bytes) => events.tooLong(bytes));
    const stderr = new TailBuffer();
    let exitCode: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let spawnError: NodeJS.ErrnoException | null = null;
    let exitTimer: NodeJS.Timeout | undefined;
    let resolveClosed!: () => void;
    this.closedPromise = new Promise((r) => (resolveClosed = r));
    const close = () => {
      if (this.isClosed) return;
      this.isClosed = true;
      clearInterval(this.tracker);
      clearTimeout(exitTimer);
      const rest = splitter.flush();
      if (rest.length > 0) events.lines(rest);
      events.closed({ exitCode, signal, spawnError, stderrTail: stderr.text() });
      resolveClosed();
    };
    if (this.child.pid !== undefined) {
      const stat = readStat(this.child.pid);
      this.id = { pid: this.child.pid, startTime: stat?.startTime ?? "" };
      this.pgid = stat?.pgid ?? this.child.pid;
      this.tracker = setInterval(() => this.track(events), TRACK_MS);
      this.tracker.unref();
    }
    this.child.stdin.on("error", () => undefined); // EPIPE after the CLI exited: the exit handler reports it
    this.child.stdout.on("data", (chunk: Buffer) => {
      const lines = splitter.push(chunk);
      if (lines.length > 0) events.lines(lines);
    });
    this.child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    this.child.on("error", (error: NodeJS.ErrnoException) => {
      if (this.child.pid !== undefined) return; // a failed kill of a running child, not a failed start
      spawnError = error;
      close();
    });
    this.child.on("exit", (code, sig) => {
      this.exited = true;
      exitCode = code;
      signal = sig;
      exitTimer = setTimeout(() => {
        this.child.stdout.destroy();
        this.child.stderr.destroy();
        close();
      }, CLOSE_AFTER_EXIT_MS);
    });
    this.child.on("close", (code, sig) => {
      if (!this.exited) {
        exitCode = code;
        signal = sig;
      }
      close();
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Resolves once the process has started (or failed to). */
  started(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.child.pid !== undefined || this.isClosed) return resolve();
      this.child.once("spawn", () => resolve());
      this.child.once("error", () => resolve());
    });
  }

  write(line: string): void {
    if (this.exited || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${line}\n`);
  }

  /** Signals the CLI's own process group (the polite stop; the CLI ends its tools itself). */
  signalGroup(signal: NodeJS.Signals): void {
    if (this.pgid === undefined || this.exited) return;
    try {
      process.kill(-this.pgid, signal);
    } catch {
      // ESRCH: the group is gone.
    }
  }

  /** SIGKILL for the CLI and every descendant it has or had (start times checked, no reused pid is hit). */
  killTree(): void {
    if (!this.id) return;
    killTree(this.exited ? undefined : this.id, [...this.known.values()]);
  }

  /** Closes stdin: the CLI ends after the current turn. */
  endInput(): void {
    this.child.stdin.end();
  }

  private track(events: ClaudeProcessEvents): void {
    if (!this.id || this.exited) return;
    let added = false;
    for (const d of descendantsOf(this.id.pid)) {
      if (this.known.has(d.pid) && this.known.get(d.pid)!.startTime === d.startTime) continue;
      this.known.set(d.pid, d);
      added = true;
    }
    if (added) events.descendants([...this.known.values()]);
  }
}
