import { z } from "zod";
import { CreateSessionInput, Direction, Id, RenameSessionInput, SessionSource } from "../api.ts";
import { EventsInput, ForkInput, RespondInput, RunOptions, SendInput, SeqCursor } from "../chat.ts";
import { IosPermissionModeInput } from "./sessions.ts";

// What the app sends: the core inputs, with the app's own permission modes, its option names and query strings.

export const IosCreateSessionRequest = CreateSessionInput.pick({
  projectId: true,
  name: true,
  model: true,
  systemPrompt: true,
  maxBudgetUSD: true,
  maxTurns: true,
}).extend({ permissionMode: IosPermissionModeInput.optional() });
export type IosCreateSessionRequest = z.infer<typeof IosCreateSessionRequest>;

export const IosRenameSessionRequest = RenameSessionInput.pick({ name: true });
export const IosForkRequest = ForkInput.pick({ atMessageId: true });

/**
 * The core run options plus the app's flags the server answers itself (`resume`, `forkSession`, ...). Loose: the
 * server names an unknown option in its 400 instead of dropping it.
 */
export const IosChatOptions = RunOptions.omit({ permissionMode: true })
  .extend({
    permissionMode: IosPermissionModeInput.optional(),
    resume: z.string().optional(),
    forkSession: z.boolean().optional(),
    continueConversation: z.boolean().optional(),
    noSessionPersistence: z.boolean().optional(),
    inputFormat: z.string().optional(),
  })
  .loose();
export type IosChatOptions = z.infer<typeof IosChatOptions>;

export const IosChatStreamRequest = SendInput.pick({ prompt: true }).extend({
  sessionId: Id.optional(),
  projectId: Id.optional(),
  options: IosChatOptions.optional(),
});
export type IosChatStreamRequest = z.infer<typeof IosChatStreamRequest>;

export const IosPermissionRequest = RespondInput.pick({ decision: true, reason: true, updatedInput: true });

const queryInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const IosListSessionsQuery = z.object({
  page: queryInt(1, 1_000_000).optional(),
  limit: queryInt(1, 200).default(50),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  projectName: z.string().min(1).optional(),
  source: SessionSource.optional(),
  /** ILS extension: `all` also lists sessions without a conversation and sub-agent sessions. */
  include: z.enum(["all"]).optional(),
  refresh: z.enum(["true", "false"]).optional(),
  sort: z.string().optional(),
  order: z.enum(["asc", "desc"]).optional(),
});

/** No limit, offset or cursor: the whole history, oldest first. */
export const IosListMessagesQuery = z.object({
  /** ILS extension: `all` serves every stored line (bookkeeping too), not only what a person reads. */
  include: z.enum(["all"]).optional(),
  limit: queryInt(1, 500).optional(),
  offset: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  cursor: z.string().min(1).max(200).optional(),
  direction: Direction.optional(),
});

/** `after` is the core `lastEventId` as a query parameter; `until` as in `chat.events`. */
export const IosEventsQuery = z.object({ after: SeqCursor.optional(), until: EventsInput.shape.until });

export const IosSessionIdParams = z.object({ id: Id });
