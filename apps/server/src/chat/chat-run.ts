import { randomUUID } from "node:crypto";
import { toWireDate } from "@ils/contracts";
import type { Logger } from "../logger.ts";
import type { IngestEntry, IngestService } from "../messages/ingest-service.ts";
import type { LiveEvent, MessageBus } from "../messages/message-bus.ts";
import type { SessionService } from "../sessions/session-service.ts";
import { classify, interruptLine, permissionAnswerLine, userTurnLine, type PermissionAnswer } from "./control-protocol.ts";
import type { PermissionBroker } from "./permission-broker.ts";
import type { RunLedger } from "./run-ledger.ts";
import { runOutcome, type RunFacts, type RunOutcome, type StopReason } from "./run-outcome.ts";
import type { ProcessFacts, SessionProcess } from "./session-process.ts";

export interface RunDeps {
  logger: Logger;
  bus: MessageBus;
  sessions: SessionService;
  ingest: IngestService;
  ledger: RunLedger;
  permissions: PermissionBroker;
  idleTimeoutMs: number;
  killGraceMs: number;
  maxLineBytes: number;
  bin: string;
}

/**
 * One run (a user turn) on a session's Claude process: writes the prompt to stdin, stores every line the CLI
 * prints before publishing it (through ingest), relays its permission requests, and ends at the turn's
 * `result` (the process may then stay warm) or when the process goes away. Cancel sends the protocol's
 * interrupt first, so Claude's own "interrupted" lines are stored, and kills the whole tree after the grace.
 */
export class ChatRun {
  readonly runId = randomUUID();
  readonly startedAt = toWireDate(new Date());
  readonly facts: RunFacts;
  readonly done: Promise<RunOutcome>;
  private resolveDone!: (outcome: RunOutcome) => void;
  private finished = false;
  private idle: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly sessionId: string,
    readonly proc: SessionProcess,
    private readonly deps: RunDeps,
  ) {
    this.facts = {
      bin: deps.bin,
      idleTimeoutMs: deps.idleTimeoutMs,
      maxLineBytes: deps.maxLineBytes,
      stopReason: null,
      storageError: null,
      spawnError: null,
      exited: false,
      exitCode: null,
      signal: null,
      result: null,
      stderrTail: "",
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** The prompt is stored first (the run's first message), then sent to the CLI as a stream-json user turn. */
  start(prompt: string): void {
    this.deps.ledger.runStarted(this.runId, this.sessionId);
    this.publish({ kind: "run", sessionId: this.sessionId, runId: this.runId, state: "started", at: this.startedAt });
    const promptLine = { type: "user", message: { role: "user", content: prompt }, timestamp: new Date().toISOString(), origin: "ils" };
    this.deps.ingest.appendMessages(this.sessionId, [{ raw: JSON.stringify(promptLine), value: promptLine }]);
    this.deps.sessions.setStatus(this.sessionId, "active");
    this.proc.listener = {
      lines: (lines) => this.onLines(lines),
      tooLong: () => this.stop("line-too-long"),
      closed: (facts) => this.onClosed(facts),
    };
    if (this.proc.facts) return this.onClosed(this.proc.facts); // the spawn failed already
    // A run waiting for a permission answer is silent by design: ILS_PERMISSION_TIMEOUT bounds that wait instead.
    this.idle = setTimeout(
      () => (this.deps.permissions.hasPendingFor(this.runId) ? this.idle?.refresh() : this.stop("timeout")),
      this.deps.idleTimeoutMs,
    );
    this.proc.process.write(userTurnLine(prompt));
  }

  /**
   * Stops the run. A cancel or timeout asks the CLI to interrupt the turn (it answers with its own lines and a
   * result) and kills the whole tree when the turn has not ended after the grace period; a run that cannot go
   * on (storage failed, a line over the cap) is killed at once.
   */
  stop(reason: StopReason): void {
    if (this.finished || this.facts.stopReason) return;
    this.facts.stopReason = reason;
    this.deps.permissions.denyAll(
      this.runId,
      reason === "cancel" ? "the run was cancelled" : `the run was stopped (${reason})`,
      reason === "shutdown" ? "shutdown" : "cancel",
    );
    if (reason === "storage" || reason === "line-too-long") {
      this.proc.process.killTree();
      return;
    }
    this.proc.process.write(interruptLine());
    this.killTimer = setTimeout(() => this.proc.process.killTree(), this.deps.killGraceMs);
  }

  /** Sends a permission answer to the CLI; the line sent is stored too, so the history shows the decision. */
  answer(requestId: string, answer: PermissionAnswer): void {
    const line = permissionAnswerLine(requestId, answer);
    this.proc.process.write(line);
    this.store([{ raw: line }]);
  }

  /**
   * The lines of one read are stored in one transaction (ingest publishes after commit); a line that is published
   * live or ends the turn first flushes what came before it, so the order holds.
   */
  private onLines(lines: string[]): void {
    if (this.finished) return;
    this.idle?.refresh();
    let batch: IngestEntry[] = [];
    const flush = () => {
      if (batch.length > 0) this.store(batch);
      batch = [];
    };
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        batch.push({ raw: line }); // stored as an `unknown` message
        continue;
      }
      const c = classify(value);
      if (c.kind === "control-response" || c.kind === "keep-alive") continue; // answers to our own requests: not conversation
      if (c.kind === "permission-cancel") {
        flush();
        this.deps.permissions.withdrawn(this.sessionId, c.requestId);
        continue;
      }
      if (c.kind === "permission") {
        flush();
        if (this.facts.stopReason) {
          this.answer(c.request.requestId, { behavior: "deny", message: "the run is being stopped" });
          continue;
        }
        // Registered before it is stored: a client that sees the message can answer at once.
        try {
          this.deps.permissions.open({ sessionId: this.sessionId, runId: this.runId, answer: (id, a) => this.answer(id, a) }, c.request);
        } catch (error) {
          this.facts.storageError = error instanceof Error ? error.message : String(error);
          this.stop("storage");
          return;
        }
        this.store([{ raw: line, value }]);
        continue;
      }
      if (c.type === "stream_event") {
        flush();
        this.publish({ kind: "partial", sessionId: this.sessionId, runId: this.runId, event: value });
        continue;
      }
      batch.push({ raw: line, value });
      if (c.type === "result") {
        flush();
        const o = value as Record<string, unknown>;
        const text = typeof o.result === "string" ? o.result : typeof o.subtype === "string" ? o.subtype : null;
        this.facts.result = { isError: o.is_error === true, text };
        return this.finish(); // later lines of this read belong to no run (nothing is asked between turns)
      }
    }
    flush();
  }

  private onClosed(facts: ProcessFacts): void {
    this.facts.exited = true;
    this.facts.exitCode = facts.exitCode;
    this.facts.signal = facts.signal;
    this.facts.spawnError = facts.spawnError;
    this.facts.stderrTail = facts.stderrTail;
    this.finish();
  }

  private store(entries: IngestEntry[]): void {
    if (this.facts.storageError) return;
    try {
      this.deps.ingest.appendMessages(this.sessionId, entries);
    } catch (error) {
      this.facts.storageError = error instanceof Error ? error.message : String(error);
      this.deps.logger.error({ err: error, sessionId: this.sessionId, runId: this.runId }, "could not store claude output");
      this.stop("storage");
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.idle);
    clearTimeout(this.killTimer);
    this.proc.listener = null;
    this.deps.permissions.denyAll(this.runId, "the run ended", "cancel");
    const outcome = runOutcome(this.facts);
    try {
      this.deps.sessions.setStatus(this.sessionId, outcome.status, outcome.error?.message ?? null);
      this.deps.ledger.runEnded(this.runId, outcome.state === "started" ? "failed" : outcome.state, outcome.error?.message ?? null);
    } catch (error) {
      this.deps.logger.error({ err: error, sessionId: this.sessionId }, "could not store run status");
    }
    const log = {
      sessionId: this.sessionId,
      runId: this.runId,
      state: outcome.state,
      exitCode: this.facts.exitCode,
      signal: this.facts.signal,
    };
    if (outcome.error) this.deps.logger.warn({ ...log, error: outcome.error.message }, "claude run ended");
    else this.deps.logger.info(log, "claude run ended");
    this.publish({
      kind: "run",
      sessionId: this.sessionId,
      runId: this.runId,
      state: outcome.state,
      at: toWireDate(new Date()),
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    this.resolveDone(outcome);
  }

  private publish(event: LiveEvent): void {
    this.deps.bus.publishLive(this.sessionId, event);
  }
}
