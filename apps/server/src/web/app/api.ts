import { createTRPCClient, createWSClient, httpBatchLink, splitLink, TRPCClientError, wsLink } from "@trpc/client";
import type { AppRouter } from "../../trpc/app-router.ts";

/**
 * Where the page was opened: `/`, or `/t/<token>/` when the server has a token. Every URL below is relative
 * to it, so the token prefix authenticates each request, the WebSocket included (a browser cannot put an
 * Authorization header on a WebSocket).
 */
export const pageBase = new URL(".", location.href);

const httpUrl = new URL("trpc", pageBase).href;
const wsUrl = httpUrl.replace(/^http/, "ws");

/** Subscriptions (a live run) over one WebSocket, opened on first use; queries and mutations over HTTP. */
const wsClient = createWSClient({
  url: wsUrl,
  lazy: { enabled: true, closeMs: 30_000 },
  retryDelayMs: (attempt) => Math.min(500 * 2 ** attempt, 10_000),
});

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: wsLink({ client: wsClient }),
      false: httpBatchLink({ url: httpUrl }),
    }),
  ],
});

/** The file a session exports to (the REST route: tRPC has no file download). */
export function exportUrl(sessionId: string, format: "markdown" | "jsonl"): string {
  return new URL(`api/v1/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`, pageBase).href;
}

const UNAUTHORIZED_TEXT = "This server needs its token: open the page at /t/<token>/ (the URL the server printed at start).";

/** A message a person can act on, for any failed call. */
export function describeError(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string } | undefined;
    if (data?.code === "UNAUTHORIZED" || error.message.includes("UNAUTHORIZED")) return UNAUTHORIZED_TEXT;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
