import type { IosContentBlock } from "@ils/contracts/ios";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Claude's `tool_result.content` is a string or a list of blocks; the app wants one string. */
export function flattenToolResult(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((b) => (isObject(b) && typeof b.text === "string" ? b.text : isObject(b) ? `[${String(b.type ?? "block")}]` : String(b)))
      .join("\n");
  }
  if (content === undefined || content === null) return "";
  return JSON.stringify(content);
}

/** One Claude content block in the app's camelCase spelling; unknown block types keep only their `type`. */
export function toAppBlock(block: unknown): IosContentBlock {
  if (!isObject(block)) return { type: "text", text: typeof block === "string" ? block : "" };
  switch (block.type) {
    case "text":
      return { type: "text", text: typeof block.text === "string" ? block.text : "" };
    case "tool_use":
      return { type: "toolUse", id: String(block.id ?? ""), name: String(block.name ?? ""), input: block.input ?? {} };
    case "tool_result":
      return {
        type: "toolResult",
        toolUseId: String(block.tool_use_id ?? ""),
        content: flattenToolResult(block.content),
        isError: block.is_error === true,
      };
    case "thinking":
      return { type: "thinking", thinking: typeof block.thinking === "string" ? block.thinking : "" };
    default:
      return { type: typeof block.type === "string" ? block.type : "unknown" };
  }
}

/** `message.content` is a string (typed prompts) or a block list. */
export function toAppBlocks(content: unknown): IosContentBlock[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (Array.isArray(content)) return content.map(toAppBlock);
  return [];
}
