import { typedPrompt } from "./prompt-text.ts";

/** Token counts of one API message (the last transcript line of a message id carries the final usage). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Of `cacheCreationInputTokens`, those written to the 1-hour cache (priced higher than the 5-minute one). */
  cacheCreation1hInputTokens?: number;
}

export interface SummaryLine {
  text: string;
  leafUuid: string | undefined;
}

/** What the lines of one read of a transcript say about their session. */
export interface SessionMeta {
  /** `custom-title` lines (set with /rename in Claude Code): the last one wins. */
  customTitle: string | undefined;
  /** `ai-title` lines (a title Claude Code generated): the last one wins. */
  aiTitle: string | undefined;
  summaries: SummaryLine[];
  /** The first typed prompt, else the first meaningful slash command (`/init`). */
  firstPrompt: string | undefined;
  /** The first meaningful slash command (`/init`). */
  firstCommand: string | undefined;
  cwd: string | undefined;
  gitBranch: string | undefined;
  model: string | undefined;
  claudeVersion: string | undefined;
  firstTimestamp: string | undefined;
  lastTimestamp: string | undefined;
  /** Sum over message ids of each id's last usage (only meaningful for a read from byte 0). */
  usage: TokenUsage;
  /** The same usage per model (`message.model`), for the cost estimate. */
  usageByModel: Map<string, TokenUsage>;
  /** True when this read saw assistant usage (an incremental read must then recount). */
  sawUsage: boolean;
  /** The first `sessionId` seen (a flat 2.0.x `agent-*.jsonl` names its parent this way). */
  sessionIdInLines: string | undefined;
}

const MAX_SUMMARIES = 20;

/** Accumulates metadata line by line; cheap property reads only (this runs for every line). */
export class SessionMetaCollector {
  private customTitle: string | undefined;
  private aiTitle: string | undefined;
  private readonly summaries: SummaryLine[] = [];
  private firstPrompt: string | undefined;
  private firstCommand: string | undefined;
  private cwd: string | undefined;
  private gitBranch: string | undefined;
  private model: string | undefined;
  private claudeVersion: string | undefined;
  private firstTimestamp: string | undefined;
  private lastTimestamp: string | undefined;
  private sessionIdInLines: string | undefined;
  private readonly usageById = new Map<string, { model: string; usage: TokenUsage }>();
  private anonymousUsage: TokenUsage = zeroUsage();
  private readonly anonymousByModel = new Map<string, TokenUsage>();
  private sawUsage = false;

  /** `mainFile`: sidechain lines inside a 1.0.x main file must not name the session. */
  constructor(private readonly mainFile: boolean) {}

  observe(v: Record<string, unknown>): void {
    const type = v.type;
    if (typeof v.cwd === "string" && v.cwd && this.cwd === undefined) this.cwd = v.cwd;
    if (typeof v.gitBranch === "string" && v.gitBranch) this.gitBranch = v.gitBranch;
    if (typeof v.version === "string" && v.version) this.claudeVersion = v.version;
    if (this.sessionIdInLines === undefined && typeof v.sessionId === "string" && v.sessionId) this.sessionIdInLines = v.sessionId;
    const ts = v.timestamp;
    if (typeof ts === "string" && ts.length >= 19) {
      if (this.firstTimestamp === undefined || ts < this.firstTimestamp) this.firstTimestamp = ts;
      if (this.lastTimestamp === undefined || ts > this.lastTimestamp) this.lastTimestamp = ts;
    }
    if (type === "assistant") this.observeAssistant(v);
    else if (type === "user") {
      if (this.firstPrompt === undefined && !(this.mainFile && v.isSidechain === true)) {
        const prompt = typedPrompt(v);
        if (prompt?.kind === "prompt") this.firstPrompt = prompt.text;
        else if (prompt && this.firstCommand === undefined) this.firstCommand = prompt.text;
      }
    } else if (type === "custom-title") {
      const title = typeof v.customTitle === "string" ? v.customTitle : typeof v.title === "string" ? v.title : undefined;
      if (title?.trim()) this.customTitle = title.trim();
    } else if (type === "ai-title") {
      if (typeof v.aiTitle === "string" && v.aiTitle.trim()) this.aiTitle = v.aiTitle.trim();
    } else if (type === "summary") {
      if (typeof v.summary === "string" && v.summary.trim() && this.summaries.length < MAX_SUMMARIES) {
        this.summaries.push({ text: v.summary.trim(), leafUuid: typeof v.leafUuid === "string" ? v.leafUuid : undefined });
      }
    }
  }

  private observeAssistant(v: Record<string, unknown>): void {
    const message = v.message as Record<string, unknown> | undefined;
    if (typeof message !== "object" || message === null) return;
    if (typeof message.model === "string" && message.model && message.model !== "<synthetic>") this.model = message.model;
    const usage = message.usage as Record<string, unknown> | undefined;
    if (typeof usage !== "object" || usage === null) return;
    const counted = usageOf(usage);
    this.sawUsage = true;
    const model = typeof message.model === "string" ? message.model : "";
    // One API response is split over several lines that repeat (and update) usage: keep the last per id.
    if (typeof message.id === "string") this.usageById.set(message.id, { model, usage: counted });
    else {
      this.anonymousUsage = addUsage(this.anonymousUsage, counted);
      this.anonymousByModel.set(model, addUsage(this.anonymousByModel.get(model) ?? zeroUsage(), counted));
    }
  }

  result(): SessionMeta {
    let usage = this.anonymousUsage;
    const usageByModel = new Map(this.anonymousByModel);
    for (const { model, usage: u } of this.usageById.values()) {
      usage = addUsage(usage, u);
      usageByModel.set(model, addUsage(usageByModel.get(model) ?? zeroUsage(), u));
    }
    return {
      customTitle: this.customTitle,
      aiTitle: this.aiTitle,
      usageByModel,
      summaries: this.summaries,
      firstPrompt: this.firstPrompt ?? this.firstCommand,
      firstCommand: this.firstCommand,
      cwd: this.cwd,
      gitBranch: this.gitBranch,
      model: this.model,
      claudeVersion: this.claudeVersion,
      firstTimestamp: this.firstTimestamp,
      lastTimestamp: this.lastTimestamp,
      usage,
      sawUsage: this.sawUsage,
      sessionIdInLines: this.sessionIdInLines,
    };
  }
}

function zeroUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, cacheCreation1hInputTokens: 0 };
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheCreation1hInputTokens: (a.cacheCreation1hInputTokens ?? 0) + (b.cacheCreation1hInputTokens ?? 0),
  };
}

/** An API `usage` object as counted tokens (`cache_creation.ephemeral_1h_input_tokens` split out when present). */
export function usageOf(usage: Record<string, unknown>): TokenUsage {
  const creation = usage.cache_creation as Record<string, unknown> | undefined;
  return {
    inputTokens: count(usage.input_tokens),
    outputTokens: count(usage.output_tokens),
    cacheReadInputTokens: count(usage.cache_read_input_tokens),
    cacheCreationInputTokens: count(usage.cache_creation_input_tokens),
    cacheCreation1hInputTokens: typeof creation === "object" && creation !== null ? count(creation.ephemeral_1h_input_tokens) : 0,
  };
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** A one-line session name from a longer text. */
export function nameFromText(text: string, max = 120): string {
  const firstLine = text.trim().split("\n", 1)[0]?.trim() ?? "";
  return firstLine.length > max ? `${firstLine.slice(0, max - 1)}…` : firstLine;
}
