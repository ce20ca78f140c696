import { router } from "./init.ts";
import { healthRouter } from "./routers/health.ts";
import { messagesRouter } from "./routers/messages.ts";
import { sessionsRouter } from "./routers/sessions.ts";

export const appRouter = router({
  health: healthRouter,
  sessions: sessionsRouter,
  messages: messagesRouter,
});

export type AppRouter = typeof appRouter;
