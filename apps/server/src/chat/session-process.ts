import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.ts";
import { ClaudeProcess } from "./claude-process.ts";
import { initializeLine } from "./control-protocol.ts";
import type { RunLedger } from "./run-ledger.ts";

export interface ProcessFacts {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  spawnError: NodeJS.ErrnoException | null;
  stderrTail: string;
}

/** What a process forwards its output to: the run it is serving now. */
export interface ProcessListener {
  lines(lines: string[]): void;
  tooLong(bytes: number): void;
  closed(facts: ProcessFacts): void;
}

/**
 * A session's Claude Code process, which may serve several runs (warm between them). It records itself and the
 * descendants it starts in the ledger, and routes what it prints to the run it currently serves.
 */
export class SessionProcess {
  readonly ledgerId = randomUUID();
  readonly process: ClaudeProcess;
  listener: ProcessListener | null = null;
  facts: ProcessFacts | null = null;
  /** Set while parked in the warm pool. */
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly sessionId: string,
    /** Runs whose argv (without resume) and cwd give this key can reuse the process. */
    readonly key: string,
    bin: string,
    args: string[],
    cwd: string,
    maxLineBytes: number,
    private readonly ledger: RunLedger,
    private readonly logger: Logger,
  ) {
    this.process = new ClaudeProcess(bin, args, cwd, maxLineBytes, {
      lines: (lines) => this.listener?.lines(lines),
      tooLong: (bytes) => this.listener?.tooLong(bytes),
      descendants: (all) => this.record(() => this.ledger.processDescendants(this.ledgerId, all)),
      closed: (facts) => {
        this.facts = facts;
        if (this.process.id) this.record(() => this.ledger.processEnded(this.ledgerId));
        this.listener?.closed(facts);
      },
    });
    const id = this.process.id;
    if (id) {
      this.record(() => this.ledger.processStarted(this.ledgerId, sessionId, id, this.process.pgid ?? id.pid));
      this.process.write(initializeLine());
    }
  }

  get alive(): boolean {
    return !this.process.closed;
  }

  /** Ends the process: stdin closed (a clean exit), and the whole tree killed if it is still there after `graceMs`. */
  retire(graceMs: number): void {
    this.listener = null;
    clearTimeout(this.idleTimer);
    if (!this.alive) return;
    this.process.endInput();
    const timer = setTimeout(() => this.process.killTree(), graceMs);
    timer.unref();
    void this.process.closedPromise.then(() => clearTimeout(timer));
  }

  /** Bookkeeping must not break a run: a failed write is logged (the reaper then knows less). */
  private record(write: () => void): void {
    try {
      write();
    } catch (error) {
      this.logger.warn({ err: error, sessionId: this.sessionId }, "could not record claude process");
    }
  }
}
