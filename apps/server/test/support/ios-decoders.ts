/**
 * Validators that mirror the iOS app's Swift `Decodable` types as the wire contract describes them
 * (/work/shared/ios-contract.md §1.1, §2, §3, §5). Written independently of the server's zod schemas on
 * purpose: a shape the server gets wrong in both places would otherwise pass.
 *
 * Each decoder throws `DecodeError` with the JSON path of the first problem, like Swift's DecodingError.
 */

export class DecodeError extends Error {}

type Decoder<T = unknown> = (value: unknown, path: string) => T;
type Obj = Record<string, unknown>;

const fail = (path: string, message: string): never => {
  throw new DecodeError(`${path}: ${message}`);
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** Foundation `.iso8601` on iOS 17/18: no fractional seconds; `Z` or `±HH:MM`. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

export const string: Decoder<string> = (v, p) => (typeof v === "string" ? v : fail(p, `expected String, got ${JSON.stringify(v)}`));
export const int: Decoder<number> = (v, p) =>
  typeof v === "number" && Number.isInteger(v) ? v : fail(p, `expected Int, got ${JSON.stringify(v)}`);
export const double: Decoder<number> = (v, p) =>
  typeof v === "number" && Number.isFinite(v) ? v : fail(p, `expected Double, got ${JSON.stringify(v)}`);
export const bool: Decoder<boolean> = (v, p) => (typeof v === "boolean" ? v : fail(p, `expected Bool, got ${JSON.stringify(v)}`));
export const uuid: Decoder<string> = (v, p) =>
  typeof v === "string" && UUID.test(v) ? v : fail(p, `expected UUID, got ${JSON.stringify(v)}`);
export const date: Decoder<string> = (v, p) =>
  typeof v === "string" && ISO_DATE.test(v) ? v : fail(p, `expected iso8601 date, got ${JSON.stringify(v)}`);
export const anyJson: Decoder = (v, p) => (v === undefined ? fail(p, "key required") : v);
export const oneOf =
  (...allowed: string[]): Decoder<string> =>
  (v, p) =>
    typeof v === "string" && allowed.includes(v) ? v : fail(p, `expected one of ${allowed.join("|")}, got ${JSON.stringify(v)}`);
export const array =
  <T>(item: Decoder<T>): Decoder<T[]> =>
  (v, p) =>
    Array.isArray(v) ? v.map((x, i) => item(x, `${p}[${i}]`)) : fail(p, "expected Array");

/** REQ keys must be present and non-null; opt keys may be absent or null but must have the right type if present. */
export function object(required: Record<string, Decoder>, optional: Record<string, Decoder> = {}): Decoder<Obj> {
  return (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(p, "expected object");
    const o = v as Obj;
    for (const [key, decode] of Object.entries(required)) {
      if (!(key in o)) fail(`${p}.${key}`, "keyNotFound");
      if (o[key] === null) fail(`${p}.${key}`, "valueNotFound (null)");
      decode(o[key], `${p}.${key}`);
    }
    for (const [key, decode] of Object.entries(optional)) {
      if (o[key] !== undefined && o[key] !== null) decode(o[key], `${p}.${key}`);
    }
    return o;
  };
}

// ---- envelope and payloads (§2, §3) ----------------------------------------------------------------

export const envelope =
  <T>(data: Decoder<T>): Decoder<Obj> =>
  (v, p) =>
    object({ success: bool }, { data, error: object({ code: string, message: string }) })(v, p);

const PERMISSION_MODES = ["default", "acceptEdits", "plan", "bypassPermissions", "delegate", "dontAsk"];

export const chatSession = object(
  {
    id: uuid,
    model: string,
    permissionMode: oneOf(...PERMISSION_MODES),
    status: oneOf("active", "completed", "cancelled", "error"),
    messageCount: int,
    source: oneOf("ils", "external"),
    createdAt: date,
    lastActiveAt: date,
  },
  {
    claudeSessionId: string,
    name: string,
    projectId: uuid,
    projectName: string,
    totalCostUSD: double,
    forkedFrom: uuid,
    encodedProjectPath: string,
    firstPrompt: string,
  },
);

const toolUseBlockArray = array(object({ type: string, id: string, name: string, input: anyJson }));
const toolResultBlockArray = array(object({ type: string, toolUseId: string, content: string, isError: bool }));

/** `toolCalls`/`toolResults` are strings holding JSON; the app parses them (a failed parse only hides chips). */
const jsonStringOf =
  (inner: Decoder): Decoder<string> =>
  (v, p) => {
    const text = string(v, p);
    inner(JSON.parse(text), `${p}<json>`);
    return text;
  };

export const message = object(
  { id: uuid, sessionId: uuid, role: oneOf("user", "assistant", "system"), content: string, createdAt: date, updatedAt: date },
  { toolCalls: jsonStringOf(toolUseBlockArray), toolResults: jsonStringOf(toolResultBlockArray) },
);

export const sessionPage = object({ items: array(chatSession), total: int, hasMore: bool });
export const sessionList = object({ items: array(chatSession), total: int });
export const messageList = object({ items: array(message), total: int });
export const projectGroups = array(object({ name: string, sessionCount: int, latestDate: date }));
export const project = object(
  { id: uuid, name: string, path: string, defaultModel: string, createdAt: date, lastAccessedAt: date },
  { description: string, sessionCount: int, encodedPath: string },
);
export const projectList = object({ items: array(project), total: int });
/** StatsResponse (§9): all outer keys REQ. */
export const stats = object({
  projects: object({ total: int }, { active: int }),
  sessions: object({ total: int, active: int }),
  skills: object({ total: int }, { active: int }),
  mcpServers: object({ total: int, healthy: int }),
  plugins: object({ total: int, enabled: int }),
});
export const deleted = object({ deleted: bool });
export const acknowledged = object({ acknowledged: bool });
export const health = object({ status: string }, { version: string, claudeAvailable: bool, claudeVersion: string, port: int });

// ---- stream messages (§5.5, §5.6) ----------------------------------------------------------------

const contentBlock: Decoder = (v, p) => {
  const o = object({ type: string })(v, p);
  switch (o.type) {
    case "text":
      return object({ text: string })(v, p);
    case "toolUse":
    case "tool_use":
      return object({ id: string, name: string, input: anyJson })(v, p);
    case "toolResult":
    case "tool_result":
      return object({ toolUseId: string, content: string, isError: bool })(v, p);
    case "thinking":
      return object({ thinking: string })(v, p);
    default:
      return o; // accepted as empty text
  }
};

const streamDelta: Decoder = (v, p) => {
  const o = object({ type: string })(v, p);
  if (o.type === "text_delta" || o.type === "textDelta") return object({ text: string })(v, p);
  if (o.type === "input_json_delta" || o.type === "inputJsonDelta") return object({ partialJson: string })(v, p);
  if (o.type === "thinking_delta" || o.type === "thinkingDelta") return object({ thinking: string })(v, p);
  return o;
};

const STREAM_TYPES: Record<string, Decoder> = {
  system: object(
    {
      subtype: string,
      data: object(
        { sessionId: string },
        { plugins: array(string), slashCommands: array(string), tools: array(string), model: string, cwd: string },
      ),
    },
    { uuid: string },
  ),
  assistant: object({ content: array(contentBlock) }, { uuid: string, sessionId: string }),
  user: object(
    { content: array(contentBlock) },
    {
      uuid: string,
      sessionId: string,
      toolUseResult: object({}, { filenames: array(string), durationMs: int, numFiles: int, truncated: bool }),
    },
  ),
  result: object(
    { subtype: string, sessionId: string, isError: bool },
    {
      durationMs: int,
      durationApiMs: int,
      numTurns: int,
      totalCostUSD: double,
      result: string,
      usage: object({ inputTokens: int, outputTokens: int }, { cacheReadInputTokens: int, cacheCreationInputTokens: int }),
      modelUsage: (v, p) => {
        const o = object({})(v, p);
        for (const [model, usage] of Object.entries(o)) {
          object({}, { inputTokens: int, outputTokens: int, costUSD: double, contextWindow: int })(usage, `${p}.${model}`);
        }
        return o;
      },
    },
  ),
  streamEvent: object({ eventType: string }, { index: int, delta: streamDelta }),
  permission: object({ requestId: string, toolName: string, toolInput: anyJson }),
  error: object({ code: string, message: string }),
};

export const streamMessage: Decoder<Obj> = (v, p) => {
  const o = object({ type: string })(v, p);
  const decode = STREAM_TYPES[o.type as string];
  if (!decode) return fail(`${p}.type`, `unknown StreamMessage type ${JSON.stringify(o.type)}`);
  return decode(v, p) as Obj;
};

// ---- the SSE byte parser (§5.3) ------------------------------------------------------------------

export interface AppSseEvent {
  event?: string;
  id?: string;
  data: string;
}

/**
 * Splits like Foundation's `AsyncLineSequence` (LF, CR, CRLF, VT, FF, U+0085, U+2028, U+2029; empty lines
 * skipped) and dispatches each `data:` line on its own, as SSEClient does.
 */
export function parseAppSse(text: string): { events: AppSseEvent[]; lastEventId?: string } {
  const events: AppSseEvent[] = [];
  let eventName: string | undefined;
  let lastEventId: string | undefined;
  for (const line of text.split(/\r\n|[\n\r\v\f\u0085\u2028\u2029]/)) {
    if (line === "") continue;
    if (line.startsWith("event:")) eventName = line.slice(6).trim();
    else if (line.startsWith("id:")) lastEventId = line.slice(3).trim();
    else if (line.startsWith("data:")) {
      const data = line.slice(5).trim();
      if (data !== "") {
        events.push({
          ...(eventName !== undefined ? { event: eventName } : {}),
          ...(lastEventId !== undefined ? { id: lastEventId } : {}),
          data,
        });
        eventName = undefined;
      }
    }
  }
  return { events, ...(lastEventId !== undefined ? { lastEventId } : {}) };
}

/** Decodes every dispatched event as the app would; a decode failure (the app would drop it) throws here. */
export function decodeAppStream(text: string): Obj[] {
  return parseAppSse(text)
    .events.filter((e) => e.event !== "done" && e.event !== "messageId")
    .map((e, i) => streamMessage(JSON.parse(e.data), `event[${i}]`));
}
