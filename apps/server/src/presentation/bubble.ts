import { readUserText, stripAnsi } from "@ils/sync";

/**
 * What a person sees of one stored line (docs/presentation.md has the rule for each entry type). `undefined`:
 * nothing (bookkeeping); such lines are left out of the app's history by default and kept with `?include=all`.
 */
export interface Bubble {
  role: "user" | "assistant" | "system";
  /** Plain text (never empty unless the bubble carries tool calls or results). */
  text: string;
  toolCalls: ToolCall[];
  toolResults: ToolResult[];
  /** A user or assistant turn of the conversation (a session with none is not a conversation). */
  conversational: boolean;
}

export interface ToolCall {
  type: "toolUse";
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResult {
  type: "toolResult";
  toolUseId: string;
  content: string;
  isError: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);

/** `system` subtypes that are bookkeeping (hooks, timings, run lifecycle). */
const HIDDEN_SYSTEM = new Set([
  "init",
  "stop_hook_summary",
  "turn_duration",
  "hook_started",
  "hook_response",
  "hook_progress",
  "status",
  "thinking_tokens",
  "task_started",
  "task_progress",
  "task_updated",
  "task_notification",
  "api_retry",
  "microcompact_boundary",
]);

export function presentLine(value: unknown): Bubble | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case "user":
      return user(value);
    case "assistant":
      return assistant(value);
    case "system":
      return system(value);
    case "result":
      return result(value);
    default:
      // progress, file-history-snapshot, queue-operation, summary, last-prompt, attachment, custom-title,
      // ai-title, agent-name, mode, permission-mode, pr-link, stream_event, unknown types: bookkeeping.
      return undefined;
  }
}

function bubble(
  role: Bubble["role"],
  text: string,
  conversational: boolean,
  toolCalls: ToolCall[] = [],
  toolResults: ToolResult[] = [],
): Bubble | undefined {
  const trimmed = text.trim();
  if (!trimmed && toolCalls.length === 0 && toolResults.length === 0) return undefined;
  return { role, text: trimmed, toolCalls, toolResults, conversational };
}

function user(v: Json): Bubble | undefined {
  // Injected text (command caveats, hook context, skill bodies): not something the user typed.
  if (v.isMeta === true) return undefined;
  const message = isObject(v.message) ? v.message : undefined;
  const content = message?.content;
  if (v.isCompactSummary === true) {
    const summary = typeof content === "string" ? content : blockTexts(content);
    return bubble("system", summary ? `Summary of the earlier conversation (compaction):\n\n${stripAnsi(summary)}` : "", false);
  }
  if (typeof content === "string") return userText(content);
  if (!Array.isArray(content)) return undefined;
  const texts: string[] = [];
  const results: ToolResult[] = [];
  let images = 0;
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    else if (block.type === "tool_result") results.push(toolResult(block));
    else if (block.type === "image") images += 1;
    else if (block.type === "document") texts.push("[document]");
  }
  const attachments = Array.from({ length: images }, () => "[image]").join(" ");
  if (results.length > 0) {
    // A line that only answers tool calls belongs to the assistant's turn: its results, on the assistant's side.
    const extra = [texts.join("\n").trim(), attachments].filter(Boolean).join("\n");
    return bubble(texts.length ? "user" : "assistant", stripAnsi(extra), true, [], results);
  }
  const read = texts.length ? readUserText(texts.join("\n")) : { kind: "hidden" as const, text: "" };
  if (read.kind === "hidden" && !attachments) return undefined;
  const text = [read.kind === "hidden" ? "" : read.text, attachments].filter(Boolean).join("\n");
  const shownAsUser = read.kind === "prompt" || read.kind === "command" || read.kind === "hidden";
  return bubble(shownAsUser ? "user" : "system", text, shownAsUser);
}

function userText(content: string): Bubble | undefined {
  const read = readUserText(content);
  switch (read.kind) {
    case "hidden":
      return undefined;
    case "prompt":
    case "command":
      return bubble("user", read.text, true);
    default:
      return bubble("system", read.text, false);
  }
}

function assistant(v: Json): Bubble | undefined {
  const message = isObject(v.message) ? v.message : undefined;
  const content = message?.content;
  const parts: string[] = [];
  const calls: ToolCall[] = [];
  if (typeof content === "string") parts.push(stripAnsi(content));
  else if (Array.isArray(content)) {
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === "text" && typeof block.text === "string") parts.push(stripAnsi(block.text));
      else if (block.type === "thinking" && typeof block.thinking === "string" && block.thinking.trim())
        parts.push(`Thinking: ${block.thinking.trim()}`);
      else if (block.type === "redacted_thinking") parts.push("Thinking: [redacted]");
      else if (block.type === "tool_use")
        calls.push({ type: "toolUse", id: String(block.id ?? ""), name: String(block.name ?? ""), input: block.input ?? {} });
      else if (block.type === "image") parts.push("[image]");
    }
  }
  let text = parts.filter((p) => p.trim()).join("\n\n");
  // A synthetic error line without text still says what went wrong.
  if (!text && (v.isApiErrorMessage === true || str(v.error)))
    text = `Error: ${str(v.error) ?? "API error"}${typeof v.apiErrorStatus === "number" ? ` (HTTP ${v.apiErrorStatus})` : ""}`;
  return bubble("assistant", text, true, calls);
}

function system(v: Json): Bubble | undefined {
  const subtype = str(v.subtype) ?? "";
  if (HIDDEN_SYSTEM.has(subtype)) return undefined;
  if (subtype === "compact_boundary") return bubble("system", "Conversation compacted", false);
  if (subtype === "api_error")
    return bubble("system", `API error: ${errorMessage(v.error) ?? str(v.content) ?? "unknown"}${retryNote(v)}`, false);
  const content = str(v.content);
  if (!content) return undefined;
  const read = readUserText(content);
  return read.kind === "hidden" ? undefined : bubble("system", read.text, false);
}

function result(v: Json): Bubble | undefined {
  // A successful run's result repeats the last assistant text: only failures are shown.
  if (v.is_error !== true && !/^error/.test(str(v.subtype) ?? "")) return undefined;
  const errors = Array.isArray(v.errors) ? v.errors.filter((e): e is string => typeof e === "string") : [];
  const detail = str(v.result) ?? (errors.length ? errors.join("\n") : (str(v.subtype) ?? "the run failed"));
  return bubble("system", `Error: ${stripAnsi(detail)}`, false);
}

function toolResult(block: Json): ToolResult {
  return {
    type: "toolResult",
    toolUseId: String(block.tool_use_id ?? ""),
    content: stripAnsi(flatten(block.content)),
    isError: block.is_error === true,
  };
}

/** `tool_result.content` is a string or a block list; images and other blocks show as `[image]`, `[type]`. */
function flatten(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((b) => (isObject(b) ? (typeof b.text === "string" ? b.text : `[${String(b.type ?? "block")}]`) : String(b)))
      .join("\n");
  }
  if (content === undefined || content === null) return "";
  return JSON.stringify(content);
}

function blockTexts(content: unknown): string {
  return Array.isArray(content)
    ? content
        .filter((b) => isObject(b) && typeof b.text === "string")
        .map((b) => (b as Json).text as string)
        .join("\n")
    : "";
}

/** The message of an API error object (`{error: {message}}`, `{message}`, or a string). */
function errorMessage(error: unknown): string | undefined {
  if (typeof error === "string") return error || undefined;
  if (!isObject(error)) return undefined;
  if (isObject(error.error)) return errorMessage(error.error);
  return str(error.message) ?? str(error.type);
}

function retryNote(v: Json): string {
  return typeof v.retryAttempt === "number"
    ? ` (attempt ${v.retryAttempt}${typeof v.maxRetries === "number" ? ` of ${v.maxRetries}` : ""})`
    : "";
}
