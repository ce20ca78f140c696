import { randomUUID } from "node:crypto";
import { messageUuid, toStreamMessage, type Message } from "@ils/contracts";
import type { Database } from "../db/database.ts";
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
  private readonly insertMessage;
  private readonly selectSession;
  private readonly updateCounters;
  private readonly updateResultStats;
  private readonly linkInit;
  private readonly setFirstPrompt;
  private readonly hasUuid;
  private readonly findOwnPrompt;
  private readonly adoptUuid;
  private readonly appendTx;

  /** `onStored`: called after each commit that stored messages (the search indexer queues work there). */
  constructor(
    private readonly db: Database,
    private readonly bus: MessageBus,
    private readonly onStored: () => void = () => {},
  ) {
    this.insertMessage = db.prepare(
      `INSERT INTO Message (id, sessionId, seq, type, subtype, role, uuid, content, timestamp, createdAt)
       VALUES (@id, @sessionId, @seq, @type, @subtype, @role, @uuid, @content, @timestamp, @createdAt)
       ON CONFLICT (sessionId, uuid) DO NOTHING`,
    );
    this.selectSession = db.prepare(`SELECT lastSeq, lastActiveAt FROM Session WHERE id = ?`);
    this.updateCounters = db.prepare(
      `UPDATE Session SET lastSeq = @lastSeq, messageCount = messageCount + @added, lastActiveAt = @lastActiveAt WHERE id = @id`,
    );
    this.updateResultStats = db.prepare(
      `UPDATE Session SET totalCostUsd = totalCostUsd + @cost, numTurns = numTurns + @turns, durationMs = durationMs + @duration,
         inputTokens = inputTokens + @input, outputTokens = outputTokens + @output,
         cacheReadInputTokens = cacheReadInputTokens + @cacheRead, cacheCreationInputTokens = cacheCreationInputTokens + @cacheCreation
       WHERE id = @id`,
    );
    // A Claude session id belongs to one session: a fork gets its own id from its first init.
    this.linkInit = db.prepare(
      `UPDATE Session SET
         claudeSessionId = CASE WHEN @claudeSessionId IS NOT NULL AND NOT EXISTS (SELECT 1 FROM Session s WHERE s.claudeSessionId = @claudeSessionId AND s.id <> @id)
                                THEN @claudeSessionId ELSE claudeSessionId END,
         model = coalesce(@model, model),
         projectPath = coalesce(projectPath, @cwd),
         claudeVersion = coalesce(@version, claudeVersion)
       WHERE id = @id`,
    );
    this.setFirstPrompt = db.prepare(`UPDATE Session SET firstPrompt = @prompt WHERE id = @id AND firstPrompt IS NULL`);
    this.hasUuid = db.prepare(`SELECT 1 FROM Message WHERE sessionId = ? AND uuid = ?`).pluck();
    // The prompt a run stored itself (origin "ils", no uuid) and the same prompt in Claude's transcript are one message.
    this.findOwnPrompt = db
      .prepare(
        `SELECT id FROM Message WHERE sessionId = ? AND uuid IS NULL AND type = 'user'
           AND json_extract(content, '$.origin') = 'ils' AND json_extract(content, '$.message.content') = ?
         ORDER BY seq LIMIT 1`,
      )
      .pluck();
    this.adoptUuid = db.prepare(`UPDATE Message SET uuid = ? WHERE id = ?`);
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
    const session = this.selectSession.get(sessionId) as { lastSeq: number; lastActiveAt: string } | undefined;
    if (!session) throw notFound("session", sessionId);
    const now = new Date().toISOString();
    let seq = session.lastSeq;
    let lastActiveAt = session.lastActiveAt;
    const inserted: { row: MessageRow; value: unknown }[] = [];
    for (const entry of entries) {
      const c = classify(entry);
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
        createdAt: now,
      };
      if (c.uuid !== null && this.adoptOwnPrompt(sessionId, c)) continue;
      if (this.insertMessage.run(row).changes === 0) continue;
      seq += 1;
      inserted.push({ row, value: c.value });
      const activity = c.timestamp ?? now;
      if (activity > lastActiveAt) lastActiveAt = activity;
      this.applyStats(sessionId, c);
    }
    if (inserted.length > 0) {
      this.updateCounters.run({ id: sessionId, lastSeq: seq, added: inserted.length, lastActiveAt });
    }
    return inserted;
  }

  /** True when the entry is a typed prompt this server already stored for a run (now given Claude's uuid). */
  private adoptOwnPrompt(sessionId: string, c: Classified): boolean {
    if (c.type !== "user") return false;
    const prompt = (c.value as { message?: { content?: unknown } }).message?.content;
    if (typeof prompt !== "string") return false;
    if (this.hasUuid.get(sessionId, c.uuid)) return false;
    const id = this.findOwnPrompt.get(sessionId, prompt) as string | undefined;
    if (id === undefined) return false;
    this.adoptUuid.run(c.uuid, id);
    return true;
  }

  private applyStats(sessionId: string, c: Classified): void {
    const v = c.value as Record<string, any>;
    if (c.type === "system" && c.subtype === "init") {
      this.linkInit.run({
        id: sessionId,
        claudeSessionId: str(v.session_id),
        model: str(v.model),
        cwd: str(v.cwd),
        version: str(v.claude_code_version),
      });
    } else if (c.type === "result") {
      const usage = (v.usage ?? {}) as Record<string, unknown>;
      this.updateResultStats.run({
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
      if (prompt) this.setFirstPrompt.run({ id: sessionId, prompt: prompt.slice(0, 2000) });
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
      return { type: "unknown", subtype: null, role: null, uuid: entry.key ?? null, content: JSON.stringify(entry.raw), timestamp: null, value: entry.raw };
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

/** The text of a prompt the user typed: not tool results, not injected meta text or command wrappers. */
export function promptText(v: Record<string, any>): string | undefined {
  if (v.isMeta === true || v.isCompactSummary === true) return undefined;
  const content = v.message?.content;
  let text: string | undefined;
  if (typeof content === "string") text = content.trim();
  else if (Array.isArray(content) && !content.some((b) => b?.type === "tool_result")) {
    text = content.filter((b) => b?.type === "text" && typeof b.text === "string").map((b) => b.text).join("\n").trim();
  }
  if (!text || /^<(command-|local-command-)/.test(text) || text.startsWith("Caveat:")) return undefined;
  return text;
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
