import { RespondInput, SendInput, type ChatEvent, type PermissionDecidedBy, type RespondResult, type SendResult } from "@ils/contracts";
import type { Config } from "../config/config.ts";
import type { Database } from "../db/database.ts";
import { AppError, badRequest, conflict, fromStorageError, validationError } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import type { HistoryService } from "../messages/history-service.ts";
import type { IngestService } from "../messages/ingest-service.ts";
import type { LiveEvent, MessageBus } from "../messages/message-bus.ts";
import type { SessionService } from "../sessions/session-service.ts";
import { chatEvents, type ChatEventsOptions } from "./chat-events.ts";
import { ChatRun, type RunDeps } from "./chat-run.ts";
import { buildClaudeArgs } from "./claude-args.ts";
import type { ClaudeCli } from "./claude-cli.ts";
import { PermissionBroker } from "./permission-broker.ts";
import { RunLedger } from "./run-ledger.ts";
import { SessionProcess } from "./session-process.ts";
import { WarmPool } from "./warm-pool.ts";

export interface StreamingDeps {
  config: Config;
  db: Database;
  logger: Logger;
  bus: MessageBus;
  sessions: SessionService;
  ingest: IngestService;
  history: HistoryService;
  cli: ClaudeCli;
}

/**
 * The registry of live chat: one run per session at a time (each a `ChatRun`), the warm processes kept
 * between runs, and the permission requests waiting for an answer.
 */
export class StreamingService {
  private readonly runs = new Map<string, ChatRun>();
  private shuttingDown = false;
  private readonly ledger: RunLedger;
  private readonly permissions: PermissionBroker;
  private readonly warm: WarmPool;
  private readonly runDeps: RunDeps;

  constructor(private readonly deps: StreamingDeps) {
    const c = deps.config;
    this.ledger = new RunLedger(deps.db);
    this.permissions = new PermissionBroker(deps.db, deps.bus, c.permissionTimeoutMs, deps.logger);
    this.warm = new WarmPool(c.warmSeconds * 1000, c.warmMax, (proc) => proc.retire(c.killGraceMs));
    this.runDeps = {
      logger: deps.logger,
      bus: deps.bus,
      sessions: deps.sessions,
      ingest: deps.ingest,
      ledger: this.ledger,
      permissions: this.permissions,
      idleTimeoutMs: c.runIdleTimeoutMs,
      killGraceMs: c.killGraceMs,
      maxLineBytes: c.maxLineBytes,
      bin: deps.cli.bin,
    };
  }

  /** At start: kills what a crashed server left running and marks its runs interrupted. */
  reapOrphans(): { killed: number; runs: number } {
    return this.ledger.reapOrphans();
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
    if (prompt.includes("\0")) throw badRequest("prompt", "must not contain NUL characters");
    const cwd = this.deps.sessions.runDirectory(session);

    const settings = {
      model: session.runModel,
      permissionMode: session.permissionMode,
      systemPrompt: session.systemPrompt,
      maxTurns: session.maxTurns,
      maxBudgetUsd: session.maxBudgetUsd,
    };
    const key = JSON.stringify([this.deps.cli.bin, cwd, buildClaudeArgs({ options, session: settings })]);
    let proc = this.warm.take(sessionId, key);
    const warm = proc !== undefined;
    if (!proc) {
      // A fork's first run continues the parent's Claude session into a new one (up to the fork point); later runs use its own id.
      const forkFirstRun = !session.claudeSessionId && !!session.forkSourceClaudeId;
      const args = buildClaudeArgs({
        options,
        session: settings,
        resume: session.claudeSessionId ?? session.forkSourceClaudeId,
        forkSession: forkFirstRun,
        resumeSessionAt: forkFirstRun ? session.forkAtUuid : null,
      });
      if (args.some((arg) => arg.includes("\0"))) throw badRequest("options", "must not contain NUL characters");
      proc = new SessionProcess(sessionId, key, this.deps.cli.bin, args, cwd, this.deps.config.maxLineBytes, this.ledger, this.deps.logger);
    }
    const run = new ChatRun(sessionId, proc, this.runDeps);
    // Registered before the first await, so a second send for this session is refused (409).
    this.runs.set(sessionId, run);
    try {
      run.start(prompt);
    } catch (thrown) {
      // Nothing is running: leave the session in a final state and tell subscribers the run is over.
      this.runs.delete(sessionId);
      proc.retire(0);
      // A full disk while storing the prompt is STORAGE_FULL (507), not a Claude failure.
      const error = fromStorageError(thrown);
      const failure =
        error instanceof AppError
          ? error
          : new AppError("CLAUDE_FAILED", `could not start Claude Code: ${error instanceof Error ? error.message : String(error)}`);
      try {
        this.deps.sessions.setStatus(sessionId, "error", failure.message);
      } catch (statusError) {
        this.deps.logger.error({ err: statusError, sessionId }, "could not store run status");
      }
      this.publish(sessionId, { kind: "run", sessionId, runId: run.runId, state: "failed", at: run.startedAt, error: failure.toBody() });
      throw failure;
    }
    this.deps.logger.info({ sessionId, runId: run.runId, warm, pid: proc.process.id?.pid }, "claude run started");
    void run.done.then(() => this.afterRun(run));
    await proc.process.started();
    return { sessionId, runId: run.runId };
  }

  /**
   * The directory Claude runs in. One call, so the project-roots guard can take it over.
   */

  /** Stops the session's run (interrupt, then the whole tree killed after the grace period); what was stored stays. */
  async cancel(sessionId: string): Promise<{ cancelled: boolean }> {
    const id = this.deps.sessions.getRow(sessionId).id;
    const run = this.runs.get(id);
    if (!run) return { cancelled: false };
    run.stop("cancel");
    await run.done;
    return { cancelled: true };
  }

  /** Answers a pending permission request; NOT_FOUND when it is unknown or already answered. */
  respond(input: RespondInput, by: PermissionDecidedBy): RespondResult {
    const parsed = RespondInput.safeParse(input);
    if (!parsed.success) throw validationError(parsed.error);
    const id = this.deps.sessions.getRow(parsed.data.sessionId).id;
    this.permissions.respond({ ...parsed.data, sessionId: id }, by);
    return { acknowledged: true };
  }

  isPermissionPending(sessionId: string, requestId: string): boolean {
    return this.permissions.isPending(sessionId, requestId);
  }

  /**
   * The session's stream (the one stream API both transports use): stored messages after `afterSeq`, then live
   * events, followed until `signal` or, with `until: "run-ends"`, until the current run ends. Subscribed when
   * called. Run events are live only: a client connecting during a run gets that run's `started` and its pending
   * permission requests after the backlog.
   */
  events(sessionId: string, opts: ChatEventsOptions = {}): AsyncGenerator<ChatEvent> {
    const id = this.deps.sessions.getRow(sessionId).id; // 404 before the stream starts
    return chatEvents(this.deps.bus, this.deps.history, id, opts, () => {
      const run = this.runs.get(id);
      const state: LiveEvent[] = [];
      if (run) state.push({ kind: "run", sessionId: id, runId: run.runId, state: "started", at: run.startedAt });
      for (const request of this.permissions.pendingFor(id)) state.push({ kind: "permission", request });
      return state;
    });
  }

  /** Stops every run (their sessions are marked interrupted), ends the warm processes and waits for all to exit. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    const runs = [...this.runs.values()];
    const procs = [...runs.map((r) => r.proc), ...this.warm.all()];
    for (const run of runs) run.stop("shutdown");
    await Promise.all(runs.map((r) => r.done));
    this.warm.clear();
    for (const proc of procs) proc.retire(this.deps.config.killGraceMs);
    await Promise.all(procs.map((p) => p.process.closedPromise));
  }

  /** A run that ended cleanly leaves its process warm for the next prompt; any other is retired with its tools. */
  private afterRun(run: ChatRun): void {
    this.runs.delete(run.sessionId);
    const proc = run.proc;
    if (!proc.alive) return;
    if (run.facts.stopReason || this.shuttingDown) {
      proc.process.killTree();
      return;
    }
    proc.listener = {
      lines: () => undefined, // nothing is asked between turns
      tooLong: () => undefined,
      closed: () => this.warm.forget(proc),
    };
    this.warm.park(proc);
  }

  private publish(sessionId: string, event: LiveEvent): void {
    this.deps.bus.publishLive(sessionId, event);
  }
}
