import type { Message } from "@ils/contracts";
import { formatDate, h, type Child } from "./dom.ts";

/* Claude Code's lines are loosely typed JSON; these are the few fields the page reads. */
interface Block {
  type?: string;
  text?: string;
  thinking?: string;
  name?: string;
  input?: unknown;
  content?: unknown;
  is_error?: boolean;
}
interface Line {
  type?: string;
  subtype?: string;
  isMeta?: boolean;
  isCompactSummary?: boolean;
  message?: { content?: unknown; model?: string };
  summary?: string;
  model?: string;
  cwd?: string;
  num_turns?: number;
  total_cost_usd?: number;
  duration_ms?: number;
  is_error?: boolean;
  result?: string;
}

/**
 * One stored message as a list item, or null for lines a reader has nothing to see in (file snapshots,
 * queue bookkeeping, meta prompts). Mirrors the Markdown export: text as text, tools and thinking folded.
 */
export function renderMessage(message: Message): HTMLLIElement | null {
  const line = (typeof message.content === "object" && message.content !== null ? message.content : {}) as Line;
  const body = renderBody(message, line);
  if (!body) return null;
  const item = h("li", { class: `msg ${body.kind}`, id: `m-${message.id}`, "data-seq": message.seq, "data-id": message.id, tabindex: -1 });
  item.append(
    h(
      "div",
      { class: "who" },
      body.label,
      h("time", { datetime: message.timestamp ?? message.createdAt }, formatDate(message.timestamp ?? message.createdAt)),
    ),
  );
  item.append(...body.parts);
  return item;
}

interface Body {
  kind: string;
  label: string;
  parts: HTMLElement[];
}

function renderBody(message: Message, line: Line): Body | null {
  if (typeof message.content === "string") return say("user", "You", [text(message.content)]);
  switch (line.type) {
    case "user": {
      if (line.isMeta) return null;
      const content = line.message?.content;
      if (line.isCompactSummary && typeof content === "string")
        return say("note", "Summary", [folded("Summary of the earlier conversation", content)]);
      const parts = typeof content === "string" ? [text(content)] : blocks(content);
      // A user line holding only tool results is the tool talking, not the person.
      const onlyTools = Array.isArray(content) && content.every((b: Block) => b?.type === "tool_result");
      return parts.length ? say(onlyTools ? "tool" : "user", onlyTools ? "Tool" : "You", parts) : null;
    }
    case "assistant": {
      const parts = blocks(line.message?.content);
      return parts.length ? say("assistant", "Claude", parts) : null;
    }
    case "system":
      if (line.subtype === "init")
        return say("note", "Session", [
          text(["Claude Code started", line.model && `model ${line.model}`, line.cwd && `in ${line.cwd}`].filter(Boolean).join(" · ")),
        ]);
      if (line.subtype === "compact_boundary") return say("note", "Session", [text("Conversation compacted")]);
      return null;
    case "result": {
      const facts = [line.subtype ?? (line.is_error ? "error" : "done")];
      if (typeof line.num_turns === "number") facts.push(`${line.num_turns} turns`);
      if (typeof line.total_cost_usd === "number") facts.push(`$${line.total_cost_usd.toFixed(4)}`);
      if (typeof line.duration_ms === "number") facts.push(`${(line.duration_ms / 1000).toFixed(1)} s`);
      return say("note result", "Result", [text(facts.join(" · "))]);
    }
    case "summary":
      return typeof line.summary === "string" ? say("note", "Summary", [text(line.summary)]) : null;
    default:
      return null;
  }
}

function say(kind: string, label: string, parts: HTMLElement[]): Body {
  return { kind, label, parts };
}

function blocks(content: unknown): HTMLElement[] {
  if (!Array.isArray(content)) return [];
  const parts: HTMLElement[] = [];
  for (const block of content as Block[]) {
    if (block?.type === "text" && typeof block.text === "string") parts.push(text(block.text));
    else if (block?.type === "thinking" && typeof block.thinking === "string") parts.push(folded("Thinking", block.thinking));
    else if (block?.type === "tool_use") parts.push(folded(`Tool call: ${block.name ?? "?"}`, JSON.stringify(block.input ?? {}, null, 2)));
    else if (block?.type === "tool_result")
      parts.push(folded(block.is_error ? "Tool error" : "Tool result", toolResultText(block.content)));
    else if (block?.type === "image") parts.push(text("(image)"));
  }
  return parts;
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return (content as Block[])
    .map((b) => (b?.type === "text" && typeof b.text === "string" ? b.text : b?.type ? `(${b.type})` : ""))
    .filter(Boolean)
    .join("\n");
}

function text(value: string): HTMLElement {
  return h("div", { class: "text" }, value.trim());
}

function folded(summary: string, body: string): HTMLElement {
  return h("details", {}, h("summary", {}, summary), h("pre", {}, body));
}

/** A search snippet with its matches in <mark>, built from text nodes (the ranges are UTF-16 indices). */
export function highlighted(snippet: string, ranges: { start: number; length: number }[]): Child[] {
  const out: Child[] = [];
  let at = 0;
  for (const { start, length } of [...ranges].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    out.push(snippet.slice(at, start), h("mark", {}, snippet.slice(start, start + length)));
    at = start + length;
  }
  out.push(snippet.slice(at));
  return out;
}
