import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { SendInput, toWireDate, type ChatEvent, type SendResult } from "@ils/contracts";
import type { Config } from "../config/config.ts";
import { AppError, badRequest, conflict, validationError } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import type { HistoryService } from "../messages/history-service.ts";
import type { IngestEntry, IngestService } from "../messages/ingest-service.ts";
import type { LiveEvent, MessageBus } from "../messages/message-bus.ts";
import type { SessionService } from "../sessions/session-service.ts";
import { chatEvents } from "./chat-events.ts";
import { buildClaudeArgs } from "./claude-args.ts";
import { signalGroup, spawnClaude, TailBuffer, type ClaudeChild } from "./claude-process.ts";
import { LineSplitter } from "./line-splitter.ts";
import { runOutcome, type RunFacts, type StopReason } from "./run-outcome.ts";

export interface StreamingDeps {
  config: Config;
  logger: Logger;
  bus: MessageBus;
  sessions: SessionService;
  ingest: IngestService;
  history: HistoryService;
}

interface ActiveRun {
  runId: string;
  startedAt: string;
  sessionId: string;
  child: ClaudeChild;
  facts: RunFacts;
  done: Promise<void>;
  killTimer?: NodeJS.Timeout;
}

/** A run that exited while a grandchild still holds its stdout open is finished after this long. */
const CLOSE_AFTER_EXIT_MS = 2_000;

/**
 * Runs Claude Code (one run per session at a time), stores every line it prints through ingest (which
 * publishes after commit), and reports each run's lifecycle as `run` events on the bus.
 */
export class StreamingService {
  private readonly runs = new Map<string, ActiveRun>();
  private shuttingDown = false;
  private readonly bin: string;

  constructor(private readonly deps: StreamingDeps) {
    // A relative path like `tools/fake-claude/fake-claude.mjs` means the server's cwd, not the project's.
    const bin = deps.config.claudeBin;
    this.bin = bin.includes("/") ? resolve(bin) : bin;
  }

  isRunning(sessionId: string): boolean {
    return this.runs.has(sessionId.toLowerCase());
  }

  /** Resolves when the session's current run (if any) has finished and its status is stored. */
  async whenIdle(sessionId: string): Promise<void> {
    await this.runs.get(sessionId.toLowerCase())?.done;
  }

  /** Starts a run and returns once the process started (or failed to: then the run event says why). */
  async send(input: SendInput): Promise<SendResult> {
    const parsed = SendInput.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const { sessionId, prompt, options } = parsed.data;
    const session = this.deps.sessions.getRow(sessionId);
    if (this.runs.has(sessionId)) throw conflict(`session ${sessionId} already has a run in progress: wait for it or cancel it`);
    if (this.shuttingDown) throw conflict("the server is shutting down");
    const cwd = this.deps.sessions.runDirectory(session);

    // A fork's first run continues the parent's Claude session into a new one; later runs use its own id.
    const forkFirstRun = !session.claudeSessionId && !!session.forkSourceClaudeId;
    const args = buildClaudeArgs({
      prompt,
      options,
      resume: session.claudeSessionId ?? session.forkSourceClaudeId,
      forkSession: forkFirstRun,
      model: session.model,
      permissionMode: session.permissionMode,
    });

    if (args.some((arg) => arg.includes("\0"))) throw badRequest("prompt", "must not contain NUL characters");

    const runId = randomUUID();
    const facts: RunFacts = {
      bin: this.bin,
      idleTimeoutMs: this.deps.config.runIdleTimeoutMs,
      stopReason: null,
      storageError: null,
      spawnError: null,
      exitCode: null,
      signal: null,
      result: null,
      stderrTail: "",
    };
    // Registered before the first await, so a second send for this session is refused (409).
    const run = { runId, sessionId, facts, startedAt: toWireDate(new Date()) } as ActiveRun;
    this.runs.set(sessionId, run);
    try {
      this.publish(sessionId, { kind: "run", sessionId, runId, state: "started", at: run.startedAt });
      const promptLine = { type: "user", message: { role: "user", content: prompt }, timestamp: new Date().toISOString(), origin: "ils" };
      this.deps.ingest.appendMessages(sessionId, [{ raw: JSON.stringify(promptLine), value: promptLine }]);
      this.deps.sessions.setStatus(sessionId, "active");
      run.child = spawnClaude(this.bin, args, cwd);
    } catch (error) {
      // Nothing is running: leave the session in a final state and tell subscribers the run is over.
      this.runs.delete(sessionId);
      const message = `could not start Claude Code: ${error instanceof Error ? error.message : String(error)}`;
      this.deps.sessions.setStatus(sessionId, "error", message);
      this.publish(sessionId, { kind: "run", sessionId, runId, state: "failed", at: toWireDate(new Date()), error: { code: "CLAUDE_FAILED", message } });
      throw error instanceof AppError ? error : new AppError("CLAUDE_FAILED", message);
    }
    this.deps.logger.info({ sessionId, runId, resume: args.includes("--resume"), fork: forkFirstRun }, "claude run started");
    run.done = this.supervise(run);
    await new Promise<void>((started) => {
      run.child.once("spawn", started);
      run.child.once("error", () => started());
    });
    return { sessionId, runId };
  }

  /** Stops the session's run (SIGINT, SIGKILL after the grace period); what was stored stays. */
  async cancel(sessionId: string): Promise<{ cancelled: boolean }> {
    const id = this.deps.sessions.getRow(sessionId).id;
    const run = this.runs.get(id);
    if (!run) return { cancelled: false };
    this.stop(run, "cancel");
    await run.done;
    return { cancelled: true };
  }

  /**
   * Stored messages after `afterSeq`, then live events. Run events are live only: a client connecting during a
   * run gets that run's `started` after the backlog; one connecting after it learns the outcome from the stored
   * `result` message and the session's status.
   */
  events(sessionId: string, opts: { afterSeq?: number; signal?: AbortSignal } = {}): AsyncIterable<ChatEvent> {
    const id = this.deps.sessions.getRow(sessionId).id; // 404 before the stream starts
    return chatEvents(this.deps.bus, this.deps.history, id, opts, () => {
      const run = this.runs.get(id);
      return run && { kind: "run", sessionId: id, runId: run.runId, state: "started", at: run.startedAt };
    });
  }

  /** Stops every run (their sessions are marked interrupted) and waits for the processes to exit. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const runs = [...this.runs.values()];
    for (const run of runs) this.stop(run, "shutdown");
    await Promise.all(runs.map((r) => r.done));
  }

  private stop(run: ActiveRun, reason: StopReason): void {
    if (run.facts.stopReason) return;
    run.facts.stopReason = reason;
    signalGroup(run.child, "SIGINT");
    run.killTimer = setTimeout(() => signalGroup(run.child, "SIGKILL"), this.deps.config.killGraceMs);
  }

  private supervise(run: ActiveRun): Promise<void> {
    const { child, facts } = run;
    const splitter = new LineSplitter();
    const stderr = new TailBuffer();
    return new Promise<void>((resolveDone) => {
      let finished = false;
      let exitTimer: NodeJS.Timeout | undefined;
      const idle = setTimeout(() => this.stop(run, "timeout"), facts.idleTimeoutMs);
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(idle);
        clearTimeout(exitTimer);
        clearTimeout(run.killTimer);
        this.store(run, splitter.flush());
        facts.stderrTail = stderr.text();
        // A stopped run's tools (a Bash `sleep`) must not outlive it.
        if (facts.stopReason) signalGroup(child, "SIGKILL");
        this.complete(run);
        resolveDone();
      };
      child.stdout.on("data", (chunk: Buffer) => {
        idle.refresh();
        this.store(run, splitter.push(chunk));
      });
      child.stderr.on("data", (chunk: Buffer) => {
        idle.refresh();
        stderr.push(chunk);
      });
      child.on("error", (error: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return; // a failed kill of a running child, not a failed start
        facts.spawnError = error;
        finish();
      });
      child.on("exit", (code, signal) => {
        facts.exitCode = code;
        facts.signal = signal;
        exitTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, CLOSE_AFTER_EXIT_MS);
      });
      child.on("close", (code, signal) => {
        if (facts.exitCode === null && facts.signal === null) {
          facts.exitCode = code;
          facts.signal = signal;
        }
        finish();
      });
    });
  }

  /** Lines of one chunk go in one transaction; `stream_event` deltas are published live and never stored. */
  private store(run: ActiveRun, lines: string[]): void {
    if (lines.length === 0 || run.facts.storageError) return;
    let batch: IngestEntry[] = [];
    const flush = () => {
      if (batch.length === 0) return;
      const entries = batch;
      batch = [];
      try {
        this.deps.ingest.appendMessages(run.sessionId, entries);
      } catch (error) {
        run.facts.storageError = error instanceof Error ? error.message : String(error);
        this.deps.logger.error({ err: error, sessionId: run.sessionId, runId: run.runId }, "could not store claude output");
        this.stop(run, "storage");
      }
    };
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        batch.push({ raw: line }); // stored as an `unknown` message
        continue;
      }
      const object = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
      if (object.type === "stream_event") {
        flush();
        this.publish(run.sessionId, { kind: "partial", sessionId: run.sessionId, runId: run.runId, event: value });
        continue;
      }
      if (object.type === "result") {
        const text = typeof object.result === "string" ? object.result : typeof object.subtype === "string" ? object.subtype : null;
        run.facts.result = { isError: object.is_error === true, text };
      }
      batch.push({ raw: line, value });
    }
    flush();
  }

  private complete(run: ActiveRun): void {
    const outcome = runOutcome(run.facts);
    this.runs.delete(run.sessionId);
    try {
      this.deps.sessions.setStatus(run.sessionId, outcome.status, outcome.error?.message ?? null);
    } catch (error) {
      this.deps.logger.error({ err: error, sessionId: run.sessionId }, "could not store run status");
    }
    const log = { sessionId: run.sessionId, runId: run.runId, state: outcome.state, exitCode: run.facts.exitCode, signal: run.facts.signal };
    if (outcome.error) this.deps.logger.warn({ ...log, error: outcome.error.message }, "claude run ended");
    else this.deps.logger.info(log, "claude run ended");
    this.publish(run.sessionId, {
      kind: "run",
      sessionId: run.sessionId,
      runId: run.runId,
      state: outcome.state,
      at: toWireDate(new Date()),
      ...(outcome.error ? { error: outcome.error } : {}),
    });
  }

  private publish(sessionId: string, event: LiveEvent): void {
    this.deps.bus.publishLive(sessionId, event);
  }
}
