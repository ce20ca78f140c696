import { EventsInput, RespondInput, SendInput, SessionIdInput } from "@ils/contracts";
import { tracked } from "@trpc/server";
import { protectedProcedure, router } from "../init.ts";

export const chatRouter = router({
  /** Starts a Claude Code run in the session; its output arrives on `chat.events`. 409 while a run is active. */
  send: protectedProcedure.input(SendInput).mutation(({ ctx, input }) => ctx.services.streaming.send(input)),
  /** Answers a pending permission request (a `permission` event); NOT_FOUND when unknown or already answered. */
  respond: protectedProcedure.input(RespondInput).mutation(({ ctx, input }) => ctx.services.streaming.respond(input, "trpc")),
  cancel: protectedProcedure.input(SessionIdInput).mutation(({ ctx, input }) => ctx.services.streaming.cancel(input.sessionId)),
  /**
   * Stored messages after `lastEventId` (a seq), then live ones. Message events are `tracked` by seq, so a
   * reconnecting client (wsLink, httpSubscriptionLink, SSE `Last-Event-ID`) resumes without gap or duplicate.
   * `until: "run-ends"` completes the subscription when the current run ends; unset, it follows the session.
   */
  events: protectedProcedure.input(EventsInput).subscription(async function* ({ ctx, input, signal }) {
    const afterSeq = input.lastEventId ? Number(input.lastEventId) : 0;
    const opts = { afterSeq, ...(signal ? { signal } : {}), ...(input.until ? { until: input.until } : {}) };
    for await (const event of ctx.services.streaming.events(input.sessionId, opts)) {
      if (event.kind === "message") yield tracked(String(event.message.seq), event);
      else yield event;
    }
  }),
});
