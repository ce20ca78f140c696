import { randomUUID } from "node:crypto";

/**
 * Claude Code's stream-json control protocol (`--input-format stream-json --output-format stream-json
 * --permission-prompt-tool stdio`), the one its TypeScript SDK speaks: user turns and our control requests go
 * in on stdin, one JSON object per line; the CLI's own control requests (can_use_tool) come out on stdout
 * between the messages.
 */

/** One user turn. The prompt is data here: it never reaches the CLI's argument parser. */
export function userTurnLine(prompt: string): string {
  return JSON.stringify({ type: "user", message: { role: "user", content: prompt }, parent_tool_use_id: null, session_id: "" });
}

export function controlRequestLine(request: Record<string, unknown>, requestId: string = randomUUID()): string {
  return JSON.stringify({ type: "control_request", request_id: requestId, request });
}

export const initializeLine = () => controlRequestLine({ subtype: "initialize" });
export const interruptLine = () => controlRequestLine({ subtype: "interrupt" });

export type PermissionAnswer = { behavior: "allow"; updatedInput: unknown } | { behavior: "deny"; message: string; interrupt?: boolean };

/** The answer to a can_use_tool request. An allow always carries `updatedInput` (2.1.197 rejects one without). */
export function permissionAnswerLine(requestId: string, answer: PermissionAnswer): string {
  return JSON.stringify({ type: "control_response", response: { subtype: "success", request_id: requestId, response: answer } });
}

export interface ToolPermissionRequest {
  requestId: string;
  toolName: string;
  input: unknown;
  toolUseId: string | null;
  suggestions: unknown;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** What a stdout line is, for the runner: a conversation message, a control line, or neither. */
export type ClassifiedLine =
  | { kind: "message"; type: string | undefined }
  | { kind: "permission"; request: ToolPermissionRequest }
  /** The CLI withdrew one of its requests (the turn was interrupted meanwhile). */
  | { kind: "permission-cancel"; requestId: string }
  /** An answer to one of our requests (initialize, interrupt): not part of the conversation. */
  | { kind: "control-response" }
  | { kind: "keep-alive" };

export function classify(value: unknown): ClassifiedLine {
  if (!isObject(value)) return { kind: "message", type: undefined };
  switch (value.type) {
    case "control_request": {
      const request = isObject(value.request) ? value.request : {};
      if (request.subtype === "can_use_tool" && typeof value.request_id === "string") {
        return {
          kind: "permission",
          request: {
            requestId: value.request_id,
            toolName: typeof request.tool_name === "string" ? request.tool_name : "unknown",
            input: request.input ?? {},
            toolUseId: typeof request.tool_use_id === "string" ? request.tool_use_id : null,
            suggestions: request.permission_suggestions ?? null,
          },
        };
      }
      return { kind: "control-response" };
    }
    case "control_cancel_request":
      return { kind: "permission-cancel", requestId: typeof value.request_id === "string" ? value.request_id : "" };
    case "control_response":
      return { kind: "control-response" };
    case "keep_alive":
      return { kind: "keep-alive" };
    default:
      return { kind: "message", type: typeof value.type === "string" ? value.type : undefined };
  }
}
