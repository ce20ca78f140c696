import { SearchInput } from "@ils/contracts";
import { protectedProcedure, router } from "../init.ts";

export const searchRouter = router({
  /** Ranked full-text hits across all stored messages; open one with messages.list({ around: messageId }). */
  query: protectedProcedure.input(SearchInput).query(({ ctx, input }) => ctx.services.search.query(input)),
});
