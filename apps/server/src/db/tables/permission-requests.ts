/**
 * Raw SQL on `PermissionRequest`: a tool permission request (`can_use_tool`) as it is asked and as it is answered.
 *
 * Concurrency rule: one synchronous connection (`services.db`); every write goes through db/write-retry.ts
 * `retryBusy`, so a second writer (`ils sync --direct`) makes it wait, not fail.
 *
 * Why raw: a request is stored before its message is published (PermissionBroker.open runs synchronously in
 * the control line's handling, so a client that sees the message finds the request), and its answer is stored
 * before the answer is sent to Claude; an awaited Prisma write would let the line, the event and the row cross.
 */
import type { Database } from "../database.ts";
import type { PermissionRequestModel } from "../generated/models.ts";
import { retryBusy } from "../write-retry.ts";
import { perConnection } from "./per-connection.ts";

/** Every column a statement below names (checked against prisma/schema.prisma by test/storage/column-drift.test.ts). */
export const PERMISSION_REQUEST_COLUMNS = [
  "sessionId",
  "requestId",
  "runId",
  "toolName",
  "toolInput",
  "toolUseId",
  "createdAt",
  "decision",
  "reason",
  "updatedInput",
  "decidedBy",
  "decidedAt",
] as const satisfies readonly (keyof PermissionRequestModel)[];

export type NewPermissionRequestRow = Pick<
  PermissionRequestModel,
  "sessionId" | "requestId" | "runId" | "toolName" | "toolInput" | "toolUseId" | "createdAt"
>;
export type PermissionDecisionRow = Pick<PermissionRequestModel, "sessionId" | "requestId" | "reason" | "updatedInput" | "decidedAt"> & {
  decision: string;
  decidedBy: string;
};

export const PERMISSION_REQUEST_SQL = {
  insert: `INSERT OR REPLACE INTO PermissionRequest (sessionId, requestId, runId, toolName, toolInput, toolUseId, createdAt)
       VALUES (@sessionId, @requestId, @runId, @toolName, @toolInput, @toolUseId, @createdAt)`,
  // Only an unanswered request takes an answer: the first answer stands.
  decide: `UPDATE PermissionRequest SET decision = @decision, reason = @reason, updatedInput = @updatedInput, decidedBy = @decidedBy, decidedAt = @decidedAt
       WHERE sessionId = @sessionId AND requestId = @requestId AND decision IS NULL`,
} as const;

export const permissionRequestTable = perConnection((db: Database) => {
  const insert = db.prepare<[NewPermissionRequestRow]>(PERMISSION_REQUEST_SQL.insert);
  const decide = db.prepare<[PermissionDecisionRow]>(PERMISSION_REQUEST_SQL.decide);
  return {
    insert: (row: NewPermissionRequestRow): void => void retryBusy(db, () => insert.run(row)),
    decide: (row: PermissionDecisionRow): void => void retryBusy(db, () => decide.run(row)),
  };
});
