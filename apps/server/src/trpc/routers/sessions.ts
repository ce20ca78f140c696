import { CreateSessionInput, ForkInput, ListSessionsInput, RenameSessionInput, SessionIdInput } from "@ils/contracts";
import { protectedProcedure, router } from "../init.ts";

export const sessionsRouter = router({
  create: protectedProcedure.input(CreateSessionInput).mutation(({ ctx, input }) => ctx.services.sessions.create(input)),
  get: protectedProcedure.input(SessionIdInput).query(({ ctx, input }) => ctx.services.sessions.get(input.sessionId)),
  list: protectedProcedure.input(ListSessionsInput).query(({ ctx, input }) => ctx.services.sessions.list(input)),
  /** The sub-agent sessions a session started (not listed at top level). */
  subagents: protectedProcedure.input(SessionIdInput).query(({ ctx, input }) => ctx.services.sessions.subagents(input.sessionId)),
  rename: protectedProcedure
    .input(RenameSessionInput)
    .mutation(({ ctx, input }) => ctx.services.sessions.rename(input.sessionId, input.name)),
  /** A new session with the parent's history (up to `atMessageId`); its first run forks the Claude session. */
  fork: protectedProcedure.input(ForkInput).mutation(({ ctx, input }) => ctx.services.forks.fork(input)),
  /** Imports what is new in Claude Code's own transcripts now; returns what the scan did. */
  scan: protectedProcedure.mutation(({ ctx }) => ctx.services.sync.scan()),
  delete: protectedProcedure.input(SessionIdInput).mutation(async ({ ctx, input }) => {
    await ctx.services.sessions.delete(input.sessionId);
    return { deleted: true as const };
  }),
});
