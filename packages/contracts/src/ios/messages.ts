import { z } from "zod";
import { Message, PageInfo } from "../api.ts";
import { int, IosWireDate } from "./wire.ts";

/** A stored message as the app's chat bubble: text content, tool calls and results as JSON strings. */
export const IosMessage = Message.pick({ id: true, sessionId: true }).extend({
  role: z.enum(["user", "assistant", "system"]),
  content: z.string(),
  createdAt: IosWireDate,
  updatedAt: IosWireDate,
  /** A string holding a JSON array of `toolUse` blocks (the app parses it). */
  toolCalls: z.string().optional(),
  /** A string holding a JSON array of `toolResult` blocks. */
  toolResults: z.string().optional(),
  seq: int.optional(),
  type: z.string().optional(),
  raw: z.unknown().optional(),
});
export type IosMessage = z.infer<typeof IosMessage>;

/** The whole history has only `items` and `total`; a page adds the core page fields. */
export const IosMessageList = PageInfo.partial()
  .required({ total: true })
  .extend({ items: z.array(IosMessage) });
export type IosMessageList = z.infer<typeof IosMessageList>;
