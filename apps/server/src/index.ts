export type { AppRouter } from "./trpc/app-router.ts";
/** The Claude Code CLI the Agent SDK installs (the bench runs it against the mock API). */
export { bundledClaude } from "./chat/claude-cli.ts";
