/**
 * Raw SQL on `AgentLink`: a parent line naming the sub-agent its Task/Agent call started (2.1.x).
 *
 * Concurrency rule: one synchronous connection (`services.db`); `insert` runs inside the ingest transaction
 * (IngestService.appendMessages: BEGIN IMMEDIATE through db/write-retry.ts `retryBusy`, short, never
 * yielding), which Prisma's connection refuses.
 *
 * Why raw (BENCHMARKS.md rows): 4 ingest of a streamed line and 1 bulk import.
 */
import type { Database } from "../database.ts";
import type { AgentLinkModel } from "../generated/models.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const AGENT_LINK_COLUMNS = ["sessionId", "agentId", "toolUseId"] as const satisfies readonly (keyof AgentLinkModel)[];

export const AGENT_LINK_SQL = {
  insert: `INSERT OR IGNORE INTO AgentLink (sessionId, agentId, toolUseId) VALUES (?, ?, ?)`,
} as const;

export const agentLinkTable = perConnection((db: Database) => {
  const insert = db.prepare<[string, string, string]>(AGENT_LINK_SQL.insert);
  return {
    /** The first link of a sub-agent keeps it. */
    insert: (sessionId: string, agentId: string, toolUseId: string): void => void insert.run(sessionId, agentId, toolUseId),
  };
});
