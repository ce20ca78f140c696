import { ScanReport } from "@ils/contracts";
import { z } from "zod";
import { defineRoute, type RouteDef } from "../route.ts";

export const syncRoutes: RouteDef[] = [
  defineRoute({
    method: "POST",
    path: "/sessions/scan",
    operationId: "scanClaudeSessions",
    tag: "sessions",
    summary: "Import what is new in Claude Code's own sessions (~/.claude/projects) now, and report what was read",
    description:
      "One incremental pass: unchanged transcripts are only stat'ed, grown ones are read from where the last pass stopped. The server also scans at start and follows the folder (ILS_SYNC).",
    // Declared (empty) so the docs page's "Try it out" sends it as JSON: every POST must be application/json.
    body: z.object({}).loose(),
    example: {},
    response: ScanReport,
    handle: async ({ services }) => services.sync.scan(),
  }),
];
