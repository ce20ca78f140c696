import { toWireDate, type PermissionDecidedBy, type PermissionRequest, type RespondInput } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { permissionRequestTable } from "../db/tables/permission-requests.ts";
import { notFound } from "../errors/app-error.ts";
import type { Logger } from "../logger.ts";
import type { MessageBus } from "../messages/message-bus.ts";
import type { PermissionAnswer, ToolPermissionRequest } from "./control-protocol.ts";

/** What the broker needs from the run that asked: a way to send the answer to its Claude process. */
export interface PermissionAsker {
  sessionId: string;
  runId: string;
  /** Sends the answer to the CLI and stores the line sent. */
  answer(requestId: string, answer: PermissionAnswer): void;
}

interface Pending {
  asker: PermissionAsker;
  request: PermissionRequest;
  timer: NodeJS.Timeout;
}

/**
 * Permission requests (`can_use_tool`) waiting for a person: each is stored with its answer (who, what, when),
 * published as a `permission` event when asked and when answered, and denied with a message when nobody
 * answers within ILS_PERMISSION_TIMEOUT or the run is cancelled.
 */
export class PermissionBroker {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly db: Database,
    private readonly bus: MessageBus,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /** Registers a request (before its message is stored, so a client that sees the message can answer it). */
  open(asker: PermissionAsker, tool: ToolPermissionRequest): void {
    const now = new Date();
    const request: PermissionRequest = {
      sessionId: asker.sessionId,
      runId: asker.runId,
      requestId: tool.requestId,
      toolName: tool.toolName,
      toolInput: tool.input,
      toolUseId: tool.toolUseId,
      createdAt: toWireDate(now),
      status: "pending",
      decision: null,
    };
    const row = {
      sessionId: asker.sessionId,
      requestId: tool.requestId,
      runId: asker.runId,
      toolName: tool.toolName,
      toolInput: JSON.stringify(tool.input ?? null),
      toolUseId: tool.toolUseId,
      createdAt: now.toISOString(),
    };
    permissionRequestTable(this.db).insert(row);
    const minutes = Math.round(this.timeoutMs / 6_000) / 10;
    const timer = setTimeout(
      () =>
        this.settle(
          asker.sessionId,
          tool.requestId,
          { decision: "deny", reason: `no answer within ${minutes} min (ILS_PERMISSION_TIMEOUT): denied` },
          "timeout",
        ),
      this.timeoutMs,
    );
    timer.unref();
    this.pending.set(key(asker.sessionId, tool.requestId), { asker, request, timer });
    this.bus.publishLive(asker.sessionId, { kind: "permission", request });
  }

  isPending(sessionId: string, requestId: string): boolean {
    return this.pending.has(key(sessionId, requestId));
  }

  /** Whether the run waits for a person (then its silence is not a stall). */
  hasPendingFor(runId: string): boolean {
    for (const p of this.pending.values()) if (p.request.runId === runId) return true;
    return false;
  }

  /** The session's unanswered requests, oldest first. */
  pendingFor(sessionId: string): PermissionRequest[] {
    return [...this.pending.values()].filter((p) => p.request.sessionId === sessionId).map((p) => p.request);
  }

  /** A client's answer. NOT_FOUND for a request that is unknown or already answered. */
  respond(input: RespondInput, by: PermissionDecidedBy): void {
    const done = this.settle(input.sessionId, input.requestId, input, by);
    if (!done) throw notFound(`pending permission request in session ${input.sessionId}:`, input.requestId);
  }

  /** Denies every pending request of a run (cancel, shutdown, the run ended). */
  denyAll(runId: string, reason: string, by: PermissionDecidedBy): void {
    for (const p of [...this.pending.values()]) {
      if (p.request.runId === runId) this.settle(p.request.sessionId, p.request.requestId, { decision: "deny", reason }, by);
    }
  }

  /** The CLI withdrew a request (its turn was interrupted): recorded as denied, nothing is sent back. */
  withdrawn(sessionId: string, requestId: string): void {
    this.settle(sessionId, requestId, { decision: "deny", reason: "withdrawn by Claude Code" }, "claude", false);
  }

  private settle(
    sessionId: string,
    requestId: string,
    answer: { decision: "allow" | "deny"; reason?: string | undefined; updatedInput?: Record<string, unknown> | undefined },
    by: PermissionDecidedBy,
    send = true,
  ): boolean {
    const k = key(sessionId, requestId);
    const p = this.pending.get(k);
    if (!p) return false;
    this.pending.delete(k);
    clearTimeout(p.timer);
    const now = new Date();
    const updatedInput = answer.decision === "allow" ? (answer.updatedInput ?? p.request.toolInput) : undefined;
    try {
      const row = {
        sessionId,
        requestId,
        decision: answer.decision,
        reason: answer.reason ?? null,
        updatedInput: updatedInput === undefined ? null : JSON.stringify(updatedInput),
        decidedBy: by,
        decidedAt: now.toISOString(),
      };
      permissionRequestTable(this.db).decide(row);
    } catch (error) {
      // The answer still goes to Claude (a run must not hang on a full disk); the message stored with it may fail too.
      this.logger.error({ err: error, sessionId, requestId }, "could not store a permission decision");
    }
    if (send) {
      p.asker.answer(
        requestId,
        answer.decision === "allow"
          ? { behavior: "allow", updatedInput: updatedInput ?? {} }
          : { behavior: "deny", message: answer.reason ?? "The user denied this tool call." },
      );
    }
    const request: PermissionRequest = {
      ...p.request,
      status: answer.decision === "allow" ? "allowed" : "denied",
      decision: {
        decision: answer.decision,
        reason: answer.reason ?? null,
        ...(updatedInput !== undefined ? { updatedInput } : {}),
        decidedBy: by,
        decidedAt: toWireDate(now),
      },
    };
    this.bus.publishLive(sessionId, { kind: "permission", request });
    return true;
  }
}

const key = (sessionId: string, requestId: string) => `${sessionId}\n${requestId}`;
