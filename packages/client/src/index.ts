// Filled by the live-chat issue: the typed TypeScript client.
export type { AppRouter } from "@ils/server";
