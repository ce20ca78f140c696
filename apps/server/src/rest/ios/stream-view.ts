import type { IosContentBlock, IosStreamMessage } from "@ils/contracts/ios";
import { toAppBlocks } from "./content-blocks.ts";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? Math.round(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map((x) => (typeof x === "string" ? x : isObject(x) && typeof x.name === "string" ? x.name : String(x))) : undefined;

/** Drops `undefined` keys so optional fields are omitted rather than sent as null. */
function compact<T extends Json>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Converts raw Claude `stream-json` lines to the app's `StreamMessage` shapes, one stream at a time.
 * Stateful for one reason: when text arrived as `textDelta`s, the complete `assistant` text that follows
 * is left out, because the app appends both and would show the text twice.
 */
export class StreamView {
  private streamedText = false;

  /** `isPending(requestId)`: whether a stored permission request still waits for an answer (answered ones are history). */
  constructor(private readonly isPending: (requestId: string) => boolean = () => false) {}

  /** The app event for one raw line, or undefined for lines the app has no type for (progress, ...). */
  map(raw: unknown): IosStreamMessage | undefined {
    if (!isObject(raw)) return undefined;
    switch (raw.type) {
      case "system":
        return this.system(raw);
      case "assistant":
        return this.assistant(raw);
      case "user":
        return this.user(raw);
      case "result":
        return this.result(raw);
      case "stream_event":
        return this.streamEvent(raw);
      case "control_request":
        return this.permission(raw);
      default:
        return undefined;
    }
  }

  private system(raw: Json): IosStreamMessage {
    return compact({
      type: "system" as const,
      subtype: str(raw.subtype) ?? "unknown",
      data: compact({
        sessionId: str(raw.session_id) ?? str(raw.sessionId) ?? "",
        plugins: strings(raw.plugins),
        slashCommands: strings(raw.slash_commands),
        tools: strings(raw.tools),
        model: str(raw.model),
        cwd: str(raw.cwd),
      }),
      uuid: str(raw.uuid),
    });
  }

  private assistant(raw: Json): IosStreamMessage {
    const message = isObject(raw.message) ? raw.message : {};
    let content: IosContentBlock[] = toAppBlocks(message.content);
    if (this.streamedText) {
      content = content.filter((b) => b.type !== "text");
      this.streamedText = false;
    }
    return compact({ type: "assistant" as const, content, uuid: str(raw.uuid), sessionId: str(raw.session_id) });
  }

  private user(raw: Json): IosStreamMessage {
    const message = isObject(raw.message) ? raw.message : {};
    // The CLI spells it `tool_use_result` in stream-json and `toolUseResult` in transcripts; a string (error text) is dropped.
    const result = isObject(raw.tool_use_result) ? raw.tool_use_result : isObject(raw.toolUseResult) ? raw.toolUseResult : undefined;
    const toolUseResult = result
      ? compact({
          filenames:
            Array.isArray(result.filenames) && result.filenames.every((f) => typeof f === "string")
              ? (result.filenames as string[])
              : undefined,
          durationMs: int(result.durationMs),
          numFiles: int(result.numFiles),
          truncated: typeof result.truncated === "boolean" ? result.truncated : undefined,
        })
      : undefined;
    return compact({
      type: "user" as const,
      content: toAppBlocks(message.content),
      uuid: str(raw.uuid),
      sessionId: str(raw.session_id),
      toolUseResult,
    });
  }

  private result(raw: Json): IosStreamMessage {
    const usage = isObject(raw.usage) ? raw.usage : undefined;
    const modelUsage = isObject(raw.modelUsage)
      ? Object.fromEntries(
          Object.entries(raw.modelUsage).map(([model, u]) => {
            const m = isObject(u) ? u : {};
            return [
              model,
              compact({
                inputTokens: int(m.inputTokens),
                outputTokens: int(m.outputTokens),
                costUSD: num(m.costUSD),
                contextWindow: int(m.contextWindow),
              }),
            ];
          }),
        )
      : undefined;
    return compact({
      type: "result" as const,
      subtype: str(raw.subtype) ?? "unknown",
      sessionId: str(raw.session_id) ?? "",
      isError: raw.is_error === true,
      durationMs: int(raw.duration_ms),
      durationApiMs: int(raw.duration_api_ms),
      numTurns: int(raw.num_turns),
      totalCostUSD: num(raw.total_cost_usd),
      result: str(raw.result),
      usage: usage
        ? compact({
            inputTokens: int(usage.input_tokens) ?? 0,
            outputTokens: int(usage.output_tokens) ?? 0,
            cacheReadInputTokens: int(usage.cache_read_input_tokens),
            cacheCreationInputTokens: int(usage.cache_creation_input_tokens),
          })
        : undefined,
      modelUsage,
    });
  }

  /** A stored `can_use_tool` request still waiting: the app's permission modal. */
  private permission(raw: Json): IosStreamMessage | undefined {
    const request = isObject(raw.request) ? raw.request : undefined;
    const requestId = str(raw.request_id);
    if (!request || request.subtype !== "can_use_tool" || requestId === undefined || !this.isPending(requestId)) return undefined;
    return { type: "permission", requestId, toolName: str(request.tool_name) ?? "unknown", toolInput: request.input ?? {} };
  }

  private streamEvent(raw: Json): IosStreamMessage | undefined {
    const event = isObject(raw.event) ? raw.event : undefined;
    if (!event) return undefined;
    const delta = isObject(event.delta) ? event.delta : undefined;
    let appDelta: Extract<IosStreamMessage, { type: "streamEvent" }>["delta"];
    if (delta) {
      if (delta.type === "text_delta") {
        appDelta = { type: "textDelta", text: str(delta.text) ?? "" };
        this.streamedText = true;
      } else if (delta.type === "input_json_delta") appDelta = { type: "inputJsonDelta", partialJson: str(delta.partial_json) ?? "" };
      else if (delta.type === "thinking_delta") appDelta = { type: "thinkingDelta", thinking: str(delta.thinking) ?? "" };
      else appDelta = { type: str(delta.type) ?? "unknown" };
    }
    return compact({ type: "streamEvent" as const, eventType: str(event.type) ?? "unknown", index: int(event.index), delta: appDelta });
  }
}
