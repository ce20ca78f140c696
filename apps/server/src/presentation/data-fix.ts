import { nameFromText, typedPrompt, usageOf, type TokenUsage } from "@ils/sync";
import type { Database } from "../db/database.ts";
import type { Logger } from "../logger.ts";
import { asRecord, isRecord } from "../messages/json.ts";
import { estimateCost } from "../pricing/price-table.ts";
import { ViewIndexer } from "./view-index.ts";

const FIX = "presentation-v1";
const PAGE = 1000;

/**
 * One-time data fix `presentation-v1`, queued by the migration `20261201190004_presentation` only when the
 * database already held messages: what ingest and sync now compute for new lines, computed once for the rows
 * stored before (which lines the app shows, whether a session is a conversation, title sources, `firstPrompt`
 * with wrappers stripped, the cost estimate of imported sessions, links from parent lines to sub-agents).
 * Stored lines are only read. Runs at start, before the server answers; `DataFix` records that it ran.
 */
export function applyDataFixes(db: Database, logger?: Logger): boolean {
  const pending = db.prepare(`SELECT pending FROM DataFix WHERE name = ?`).pluck().get(FIX);
  if (pending !== 1) return false;
  const started = Date.now();
  const sessions = db.prepare(`SELECT id, source FROM Session ORDER BY id`).all() as { id: string; source: string }[];
  const fixer = new SessionFixer(db);
  for (const session of sessions) fixer.fix(session.id, session.source === "external");
  db.prepare(`UPDATE DataFix SET pending = 0, appliedAt = ? WHERE name = ?`).run(new Date().toISOString(), FIX);
  logger?.info({ fix: FIX, sessions: sessions.length, ms: Date.now() - started }, "applied data fix");
  return true;
}

class SessionFixer {
  private readonly page;
  private readonly clear;
  private readonly view;
  private readonly link;
  private readonly update;
  private readonly setCost;

  constructor(private readonly db: Database) {
    this.page = db.prepare(`SELECT seq, uuid, content FROM Message WHERE sessionId = ? AND seq > ? ORDER BY seq LIMIT ?`);
    this.clear = ["MessageView", "ToolCallIndex", "ToolResultAttach"].map((table) => db.prepare(`DELETE FROM ${table} WHERE sessionId = ?`));
    this.view = new ViewIndexer(db);
    this.link = db.prepare(`INSERT OR IGNORE INTO AgentLink (sessionId, agentId, toolUseId) VALUES (?, ?, ?)`);
    // An imported session's `name` was written by the old sync (summary or prompt): the title rule replaces it.
    this.update = db.prepare(
      `UPDATE Session SET viewCount = @viewCount, hasConversation = @conversation, firstPrompt = @firstPrompt,
         customTitle = @customTitle, aiTitle = @aiTitle, summaryTitle = @summaryTitle, firstCommand = @firstCommand,
         name = CASE WHEN source = 'external' THEN NULL ELSE name END
       WHERE id = @id`,
    );
    this.setCost = db.prepare(`UPDATE Session SET totalCostUsd = @usd, costEstimated = 1, unpricedModels = @unpriced WHERE id = @id`);
  }

  fix(sessionId: string, external: boolean): void {
    this.db.transaction(() => {
      for (const clear of this.clear) clear.run(sessionId);
      let viewCount = 0;
      let conversation = 0;
      let firstPrompt: string | null = null;
      let firstCommand: string | null = null;
      let customTitle: string | null = null;
      let aiTitle: string | null = null;
      const summaries: { text: string; leaf: string }[] = [];
      const uuids = new Set<string>();
      const usageById = new Map<string, { model: string; usage: TokenUsage }>();
      for (let after = 0; ; ) {
        const rows = this.page.all(sessionId, after, PAGE) as { seq: number; uuid: string | null; content: string }[];
        if (rows.length === 0) break;
        after = rows.at(-1)!.seq;
        for (const row of rows) {
          if (row.uuid) uuids.add(row.uuid);
          let parsed: unknown;
          try {
            parsed = JSON.parse(row.content);
          } catch {
            continue;
          }
          const shown = this.view.index(sessionId, row.seq, parsed, viewCount);
          viewCount = shown.viewCount;
          if (shown.conversational) conversation = 1;
          if (!isRecord(parsed)) continue;
          const v = parsed;
          const message = asRecord(v.message);
          if (v.type === "user") {
            const prompt: { text: string; kind: string } | undefined = firstPrompt === null ? typedPrompt(v) : undefined;
            if (prompt?.kind === "prompt") firstPrompt = prompt.text.slice(0, 2000);
            else if (prompt && firstCommand === null) firstCommand = nameFromText(prompt.text);
            const content = message?.content;
            const toolUseId = Array.isArray(content) ? asRecord((content as unknown[]).find((b) => asRecord(b)?.type === "tool_result"))?.tool_use_id : undefined;
            const agentId = asRecord(v.toolUseResult)?.agentId;
            if (typeof agentId === "string" && typeof toolUseId === "string") this.link.run(sessionId, agentId, toolUseId);
          } else if (v.type === "progress" && asRecord(v.data)?.type === "agent_progress") {
            const data = v.data as Record<string, unknown>;
            if (typeof data.agentId === "string" && typeof v.parentToolUseID === "string") this.link.run(sessionId, data.agentId, v.parentToolUseID);
          } else if (v.type === "custom-title") {
            const title = typeof v.customTitle === "string" ? v.customTitle : v.title;
            if (typeof title === "string" && title.trim()) customTitle = nameFromText(title, 200);
          } else if (v.type === "ai-title") {
            if (typeof v.aiTitle === "string" && v.aiTitle.trim()) aiTitle = nameFromText(v.aiTitle, 200);
          } else if (v.type === "summary") {
            if (typeof v.summary === "string" && v.summary.trim() && typeof v.leafUuid === "string") summaries.push({ text: v.summary, leaf: v.leafUuid });
          } else if (v.type === "assistant" && external && message !== undefined && isRecord(message.usage)) {
            const key = typeof message.id === "string" ? message.id : `seq:${row.seq}`;
            usageById.set(key, { model: typeof message.model === "string" ? message.model : "", usage: usageOf(message.usage) });
          }
        }
      }
      const own = summaries.findLast((s) => uuids.has(s.leaf));
      this.update.run({
        id: sessionId,
        viewCount,
        conversation,
        firstPrompt,
        firstCommand,
        customTitle,
        aiTitle,
        summaryTitle: own ? nameFromText(own.text, 200) : null,
      });
      if (external) {
        const byModel = new Map<string, TokenUsage>();
        for (const { model, usage } of usageById.values()) {
          const sum = byModel.get(model);
          byModel.set(
            model,
            sum
              ? {
                  inputTokens: sum.inputTokens + usage.inputTokens,
                  outputTokens: sum.outputTokens + usage.outputTokens,
                  cacheReadInputTokens: sum.cacheReadInputTokens + usage.cacheReadInputTokens,
                  cacheCreationInputTokens: sum.cacheCreationInputTokens + usage.cacheCreationInputTokens,
                  cacheCreation1hInputTokens: (sum.cacheCreation1hInputTokens ?? 0) + (usage.cacheCreation1hInputTokens ?? 0),
                }
              : usage,
          );
        }
        const cost = estimateCost(byModel);
        this.setCost.run({ id: sessionId, usd: cost.usd, unpriced: cost.unpriced.length ? cost.unpriced.join(",") : null });
      }
    })();
  }
}
