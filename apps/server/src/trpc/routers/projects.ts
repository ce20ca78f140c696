import { CreateProjectInput } from "@ils/contracts";
import { protectedProcedure, router } from "../init.ts";

export const projectsRouter = router({
  /** Registered projects and the sessions' directories, one per path, newest activity first. */
  list: protectedProcedure.query(({ ctx }) => ctx.services.projects.list()),
  /** Registers a directory under ILS_PROJECT_ROOTS (400 naming `path` otherwise); its id works as sessions.create's projectId. */
  create: protectedProcedure.input(CreateProjectInput).mutation(({ ctx, input }) => ctx.services.projects.create(input)),
});
