import { randomUUID } from "node:crypto";
import { messageUuid, toStreamMessage, type Message } from "@ils/contracts";
import { typedPrompt } from "@ils/sync";
import { asRecord } from "./json.ts";
import { ViewIndexer } from "../presentation/view-index.ts";
import type { Database } from "../db/database.ts";
import { agentLinkTable } from "../db/tables/agent-links.ts";
import { messageTable } from "../db/tables/messages.ts";
import { sessionCounters } from "../db/tables/session-counters.ts";
import { retryBusy } from "../db/write-retry.ts";
import { notFound } from "../errors/app-error.ts";
import type { MessageBus } from "./message-bus.ts";
import { toMessage, type MessageRow } from "./message-row.ts";

/** One line to store: the text exactly as Claude printed or wrote it. */
export interface IngestEntry {
  raw: string;
  /** The parsed JSON, when the caller already parsed `raw` (saves a second parse). */
  value?: unknown;
  /** Dedupe key for entries without a uuid of their own (sync: file + byte offset). */
  key?: string;
  /** The date of a line without a `timestamp` (sync derives it from the file); else the time of storing. */
  date?: string;
}

interface Classified {
  type: string;
  subtype: string | null;
  role: string | null;
  uuid: string | null;
  content: string;
  timestamp: string | null;
  value: unknown;
}

const NOT_PARSED = Symbol("not parsed");

/**
 * The single write path for messages (streaming and sync): assigns seq, dedupes by (session, uuid),
 * updates the session's counters and stats in the same transaction, then publishes what was stored.
 */
export class IngestService {
  private readonly messages;
  private readonly counters;
  private readonly agentLinks;
  private readonly view;
  private readonly appendTx;

  /** `onStored`: called after each commit that stored messages (the search indexer queues work there). */
  constructor(
    private readonly db: Database,
    private readonly bus: MessageBus,
    private readonly onStored: () => void = () => {},
  ) {
    this.messages = messageTable(db);
    this.counters = sessionCounters(db);
    // A parent line naming the sub-agent its Task/Agent call started (2.1.x): links the sub-agent to that call.
    this.agentLinks = agentLinkTable(db);
    // The app's view (docs/presentation.md): each line it shows gets the next view number (ViewIndexer), at
    // ingest, so a page of the app's history is a range read.
    this.view = new ViewIndexer(db);
    this.appendTx = db.transaction((sessionId: string, entries: IngestEntry[]) => this.appendInTransaction(sessionId, entries));
  }

  /**
   * Stores the entries in order; returns the messages actually inserted (duplicates are skipped).
   * IMMEDIATE: the write lock is taken at BEGIN, where a wait is safe to retry. A deferred transaction that
   * read first fails at its first write with SQLITE_BUSY_SNAPSHOT the moment another process (`ils sync`)
   * committed in between, without waiting at all: that failed live runs. `retryBusy` waits (bounded) instead.
   */
  appendMessages(sessionId: string, entries: IngestEntry[]): Message[] {
    if (entries.length === 0) return [];
    const inserted = retryBusy(this.db, () => this.appendTx.immediate(sessionId, entries));
    if (inserted.length > 0) this.onStored();
    const messages = inserted.map(({ row, value }) => toMessage(row, value));
    this.bus.publish(sessionId, messages);
    return messages;
  }

  private appendInTransaction(sessionId: string, entries: IngestEntry[]): { row: MessageRow; value: unknown }[] {
    const session = this.counters.ingestHead(sessionId);
    if (!session) throw notFound("session", sessionId);
    const now = new Date().toISOString();
    let seq = session.lastSeq;
    let lastActiveAt = session.lastActiveAt;
    let viewCount = session.viewCount;
    let conversation = 0;
    const inserted: { row: MessageRow; value: unknown }[] = [];
    for (const entry of entries) {
      const c = classify(entry);
      const dated = c.timestamp ?? (entry.date !== undefined ? isoTimestamp(entry.date) : null) ?? now;
      const row: MessageRow = {
        id: randomUUID(),
        sessionId,
        seq: seq + 1,
        type: c.type,
        subtype: c.subtype,
        role: c.role,
        uuid: c.uuid,
        content: c.content,
        timestamp: c.timestamp,
        // A line without a timestamp of its own takes the date sync derived for it, never the import time.
        createdAt: c.timestamp === null ? dated : now,
      };
      if (c.uuid !== null && this.adoptOwnPrompt(sessionId, c)) continue;
      if (!this.messages.insert(row)) continue;
      seq += 1;
      inserted.push({ row, value: c.value });
      if (dated > lastActiveAt) lastActiveAt = dated;
      const shown = this.view.index(sessionId, row.seq, c.value, viewCount);
      viewCount = shown.viewCount;
      if (shown.conversational) conversation = 1;
      this.applyStats(sessionId, c);
    }
    if (inserted.length > 0) {
      this.counters.addCounters({ id: sessionId, lastSeq: seq, added: inserted.length, lastActiveAt });
      if (viewCount !== session.viewCount || conversation) this.counters.setViewCount({ id: sessionId, viewCount, conversation });
    }
    return inserted;
  }

  /** True when the entry is a typed prompt this server already stored for a run (now given Claude's uuid). */
  private adoptOwnPrompt(sessionId: string, c: Classified): boolean {
    if (c.type !== "user") return false;
    const prompt = (c.value as { message?: { content?: unknown } }).message?.content;
    if (typeof prompt !== "string") return false;
    if (c.uuid === null || this.messages.hasUuid(sessionId, c.uuid)) return false;
    const id = this.messages.findOwnPrompt(sessionId, prompt);
    if (id === undefined) return false;
    this.messages.adoptUuid(c.uuid, id);
    return true;
  }

  private applyStats(sessionId: string, c: Classified): void {
    const v = c.value as Record<string, unknown>;
    if (c.type === "system" && c.subtype === "init") {
      this.counters.linkInit({
        id: sessionId,
        claudeSessionId: str(v.session_id),
        model: str(v.model),
        cwd: str(v.cwd),
        version: str(v.claude_code_version),
      });
    } else if (c.type === "result") {
      const usage = (v.usage ?? {}) as Record<string, unknown>;
      this.counters.addResultStats({
        id: sessionId,
        cost: num(v.total_cost_usd),
        turns: num(v.num_turns),
        duration: num(v.duration_ms),
        input: num(usage.input_tokens),
        output: num(usage.output_tokens),
        cacheRead: num(usage.cache_read_input_tokens),
        cacheCreation: num(usage.cache_creation_input_tokens),
      });
    } else if (c.type === "user") {
      const prompt = promptText(v);
      if (prompt) this.counters.setFirstPrompt(sessionId, prompt.slice(0, 2000));
      const agentId = asRecord(v.toolUseResult)?.agentId;
      const content = asRecord(v.message)?.content;
      const toolUseId = Array.isArray(content)
        ? asRecord((content as unknown[]).find((b) => asRecord(b)?.type === "tool_result"))?.tool_use_id
        : undefined;
      if (typeof agentId === "string" && typeof toolUseId === "string") this.agentLinks.insert(sessionId, agentId, toolUseId);
    } else if (c.type === "progress" && asRecord(v.data)?.type === "agent_progress") {
      const data = v.data as Record<string, unknown>;
      if (typeof data.agentId === "string" && typeof v.parentToolUseID === "string")
        this.agentLinks.insert(sessionId, data.agentId, v.parentToolUseID);
    }
  }
}

function classify(entry: IngestEntry): Classified {
  let value: unknown = entry.value === undefined ? NOT_PARSED : entry.value;
  const content = entry.raw;
  if (value === NOT_PARSED) {
    try {
      value = JSON.parse(entry.raw);
    } catch {
      // Not JSON: kept as an `unknown` message whose content is the text itself.
      return {
        type: "unknown",
        subtype: null,
        role: null,
        uuid: entry.key ?? null,
        content: JSON.stringify(entry.raw),
        timestamp: null,
        value: entry.raw,
      };
    }
  }
  const message = toStreamMessage(value);
  const object = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  // Transcript-only types (progress, summary, ...) keep their own name; only shapeless lines become "unknown".
  const rawType = typeof object?.type === "string" ? object.type : undefined;
  const type = message.type !== "unknown" ? message.type : rawType && !message.reason.startsWith("unexpected shape") ? rawType : "unknown";
  const nested = object?.message as Record<string, unknown> | undefined;
  return {
    type,
    subtype: str(object?.subtype) ?? null,
    role: str(nested?.role) ?? (type === "user" || type === "assistant" || type === "system" ? type : null),
    uuid: messageUuid(value) ?? entry.key ?? null,
    content,
    timestamp: isoTimestamp(object?.timestamp),
    value,
  };
}

/**
 * The text of a prompt the user typed (for `firstPrompt`), with IDE context and wrappers stripped as the titles
 * and bubbles strip them: not tool results, not injected meta text, not command output or slash commands.
 */
export function promptText(v: Record<string, unknown>): string | undefined {
  const prompt = typedPrompt(v);
  return prompt?.kind === "prompt" ? prompt.text : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

function isoTimestamp(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
