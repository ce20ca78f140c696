import { AppendMessagesInput, ListMessagesInput } from "@ils/contracts";
import { protectedProcedure, router } from "../init.ts";

export const messagesRouter = router({
  list: protectedProcedure.input(ListMessagesInput).query(({ ctx, input }) => ctx.services.history.list(input)),
  /** Stores messages produced elsewhere (an SDK run, a pasted transcript); duplicates by uuid are skipped. */
  append: protectedProcedure.input(AppendMessagesInput).mutation(({ ctx, input }) => {
    const entries = input.messages.map((m) => (typeof m === "string" ? { raw: m } : { raw: JSON.stringify(m), value: m }));
    const inserted = ctx.services.ingest.appendMessages(input.sessionId, entries);
    const session = ctx.services.sessions.getRow(input.sessionId);
    return { inserted: inserted.length, skipped: entries.length - inserted.length, lastSeq: session.lastSeq };
  }),
});
