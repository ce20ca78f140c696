import { router } from "./init.ts";
import { chatRouter } from "./routers/chat.ts";
import { healthRouter } from "./routers/health.ts";
import { messagesRouter } from "./routers/messages.ts";
import { projectsRouter } from "./routers/projects.ts";
import { sessionsRouter } from "./routers/sessions.ts";
import { searchRouter } from "./routers/search.ts";

export const appRouter = router({
  health: healthRouter,
  sessions: sessionsRouter,
  messages: messagesRouter,
  projects: projectsRouter,
  chat: chatRouter,
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
