import { toWireDate } from "@ils/contracts";
import { asRecord, isRecord } from "../messages/json.ts";

/**
 * Renders stored messages as a readable Markdown transcript: prompts and answers as text, tool calls,
 * tool results and thinking folded in <details>. Stateful only to avoid repeating a speaker heading
 * across the one-block-per-line assistant messages Claude writes.
 */
export class MarkdownRenderer {
  private speaker: "User" | "Assistant" | undefined;

  header(session: { id: string; name: string | null; projectPath: string | null; createdAt: string }): string {
    const lines = [`# ${oneLine(session.name ?? "") || `Session ${session.id}`}`, ""];
    lines.push(`- Session: \`${session.id}\``);
    if (session.projectPath) lines.push(`- Project: \`${oneLine(session.projectPath)}\``);
    lines.push(`- Started: ${toWireDate(session.createdAt)}`, "");
    return lines.join("\n") + "\n";
  }

  /** The Markdown for one stored message (its raw JSON line); "" for lines with nothing to show. */
  message(content: string): string {
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      return "";
    }
    if (typeof value === "string") return this.say("User", value);
    if (!isRecord(value)) return "";
    switch (value.type) {
      case "user":
        return value.isMeta === true ? "" : this.user(value);
      case "assistant":
        return this.blocks("Assistant", asRecord(value.message)?.content);
      case "system":
        return this.system(value);
      case "result":
        return this.result(value);
      case "summary":
        return typeof value.summary === "string" ? this.aside(`> **Summary:** ${oneLine(value.summary)}\n`) : "";
      case "custom-title":
        return typeof value.customTitle === "string" ? this.aside(`> **Title:** ${oneLine(value.customTitle)}\n`) : "";
      default:
        return "";
    }
  }

  private user(value: Record<string, unknown>): string {
    const content = asRecord(value.message)?.content;
    if (value.isCompactSummary === true && typeof content === "string") {
      return this.aside(details("Summary of the earlier conversation", content));
    }
    return typeof content === "string" ? this.say("User", content) : this.blocks("User", content);
  }

  private blocks(speaker: "User" | "Assistant", content: unknown): string {
    if (!Array.isArray(content)) return "";
    let out = "";
    for (const item of content as unknown[]) {
      const block = asRecord(item);
      if (block?.type === "text" && typeof block.text === "string") out += this.say(speaker, block.text);
      else if (block?.type === "thinking" && typeof block.thinking === "string")
        out += this.folded(speaker, details("Thinking", block.thinking));
      else if (block?.type === "tool_use") {
        out += this.folded(speaker, details(`Tool call: ${block.name ?? "?"}`, JSON.stringify(block.input ?? {}, null, 2), "json"));
      } else if (block?.type === "tool_result") {
        const label = block.is_error === true ? "Tool error" : "Tool result";
        out += this.folded(speaker, details(label, toolResultText(block.content)));
      } else if (block?.type === "image") out += this.folded(speaker, "_(image)_\n");
    }
    return out;
  }

  private system(value: Record<string, unknown>): string {
    if (value.subtype === "init") {
      const parts = [value.model && `model ${String(value.model)}`, value.cwd && `in \`${oneLine(value.cwd as string)}\``].filter(Boolean);
      return this.aside(`_Claude Code session started${parts.length ? `: ${parts.join(" ")}` : ""}_\n`);
    }
    if (value.subtype === "compact_boundary") return this.aside("---\n\n_Conversation compacted_\n");
    return "";
  }

  private result(value: Record<string, unknown>): string {
    const parts = [value.subtype ?? (value.is_error ? "error" : "done")];
    if (typeof value.num_turns === "number") parts.push(`${value.num_turns} turns`);
    if (typeof value.total_cost_usd === "number") parts.push(`$${value.total_cost_usd.toFixed(4)}`);
    if (typeof value.duration_ms === "number") parts.push(`${(value.duration_ms / 1000).toFixed(1)} s`);
    return this.aside(`_Result: ${parts.join(" · ")}_\n`);
  }

  private say(speaker: "User" | "Assistant", text: string): string {
    return this.heading(speaker) + text.trim() + "\n\n";
  }

  private folded(speaker: "User" | "Assistant", block: string): string {
    // Tool results travel in user messages but are not something the user said.
    return (speaker === "User" ? "" : this.heading(speaker)) + block + "\n";
  }

  private aside(text: string): string {
    this.speaker = undefined;
    return text + "\n";
  }

  private heading(speaker: "User" | "Assistant"): string {
    if (this.speaker === speaker) return "";
    this.speaker = speaker;
    return `## ${speaker}\n\n`;
  }
}

function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((item: unknown) => {
      const b = asRecord(item);
      return b?.type === "text" && typeof b.text === "string" ? b.text : b?.type ? `(${String(b.type)})` : "";
    })
    .filter(Boolean)
    .join("\n");
}

/** A folded block; the body sits in a fence longer than any backtick run inside it. */
function details(summary: string, body: string, language = ""): string {
  const longestRun = Math.max(2, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `<details><summary>${escapeHtml(summary)}</summary>\n\n${fence}${language}\n${body}\n${fence}\n\n</details>\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
