import { protectedProcedure, router } from "../init.ts";

export const healthRouter = router({
  check: protectedProcedure.query(({ ctx }) => ctx.services.health.check()),
});
