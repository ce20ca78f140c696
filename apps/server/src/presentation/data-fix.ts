import { nameFromText, typedPrompt, usageOf, type TokenUsage } from "@ils/sync";
import type { Database } from "../db/database.ts";
import { agentLinkTable } from "../db/tables/agent-links.ts";
import { dataFixTable } from "../db/tables/data-fixes.ts";
import { messageViewTable } from "../db/tables/message-views.ts";
import { messageTable } from "../db/tables/messages.ts";
import { sessionMetaTable } from "../db/tables/sessions.ts";
import { toolCallIndexTable } from "../db/tables/tool-call-index.ts";
import { toolResultAttachTable } from "../db/tables/tool-result-attach.ts";
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
  const fixes = dataFixTable(db);
  if (!fixes.isPending(FIX)) return false;
  const started = Date.now();
  const sessions = sessionMetaTable(db).allOrigins();
  const fixer = new SessionFixer(db);
  for (const session of sessions) fixer.fix(session.id, session.source === "external");
  fixes.applied(FIX, new Date().toISOString());
  logger?.info({ fix: FIX, sessions: sessions.length, ms: Date.now() - started }, "applied data fix");
  return true;
}

class SessionFixer {
  private readonly messages;
  /** What ingest derives from a session's lines, deleted and recomputed. */
  private readonly derived;
  private readonly view;
  private readonly links;
  private readonly sessions;

  constructor(private readonly db: Database) {
    this.messages = messageTable(db);
    this.derived = [messageViewTable(db), toolCallIndexTable(db), toolResultAttachTable(db)];
    this.view = new ViewIndexer(db);
    this.links = agentLinkTable(db);
    this.sessions = sessionMetaTable(db);
  }

  fix(sessionId: string, external: boolean): void {
    this.db.transaction(() => {
      for (const table of this.derived) table.clearSession(sessionId);
      let viewCount = 0;
      let conversation = 0;
      let firstPrompt: string | null = null;
      let firstCommand: string | null = null;
      let customTitle: string | null = null;
      let aiTitle: string | null = null;
      const summaries: { text: string; leaf: string }[] = [];
      const uuids = new Set<string>();
      const usageById = new Map<string, { model: string; usage: TokenUsage }>();
      for (let after = 0; ;) {
        const rows = this.messages.fixPage(sessionId, after, PAGE);
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
            const toolUseId = Array.isArray(content)
              ? asRecord((content as unknown[]).find((b) => asRecord(b)?.type === "tool_result"))?.tool_use_id
              : undefined;
            const agentId = asRecord(v.toolUseResult)?.agentId;
            if (typeof agentId === "string" && typeof toolUseId === "string") this.links.insert(sessionId, agentId, toolUseId);
          } else if (v.type === "progress" && asRecord(v.data)?.type === "agent_progress") {
            const data = v.data as Record<string, unknown>;
            if (typeof data.agentId === "string" && typeof v.parentToolUseID === "string")
              this.links.insert(sessionId, data.agentId, v.parentToolUseID);
          } else if (v.type === "custom-title") {
            const title = typeof v.customTitle === "string" ? v.customTitle : v.title;
            if (typeof title === "string" && title.trim()) customTitle = nameFromText(title, 200);
          } else if (v.type === "ai-title") {
            if (typeof v.aiTitle === "string" && v.aiTitle.trim()) aiTitle = nameFromText(v.aiTitle, 200);
          } else if (v.type === "summary") {
            if (typeof v.summary === "string" && v.summary.trim() && typeof v.leafUuid === "string")
              summaries.push({ text: v.summary, leaf: v.leafUuid });
          } else if (v.type === "assistant" && external && message !== undefined && isRecord(message.usage)) {
            const key = typeof message.id === "string" ? message.id : `seq:${row.seq}`;
            usageById.set(key, { model: typeof message.model === "string" ? message.model : "", usage: usageOf(message.usage) });
          }
        }
      }
      const own = summaries.findLast((s) => uuids.has(s.leaf));
      this.sessions.setPresentation({
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
        this.sessions.setEstimatedCost({ id: sessionId, usd: cost.usd, unpriced: cost.unpriced.length ? cost.unpriced.join(",") : null });
      }
    })();
  }
}
