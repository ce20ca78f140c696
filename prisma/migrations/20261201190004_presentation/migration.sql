-- The app's view of stored lines (docs/presentation.md). Storage stays exact: `Message` rows are not changed,
-- except `createdAt` of lines that carry no timestamp of their own (below).

-- Which stored lines the app shows by default, numbered 1..n per session (`viewSeq`), so a page by offset is a
-- range read however long the session is. Filled at ingest; rows stored before this migration are filled once
-- by the data fix `presentation-v1` that the server runs at start (apps/server/src/presentation/data-fix.ts).
CREATE TABLE "MessageView" (
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "viewSeq" INTEGER NOT NULL,
    PRIMARY KEY ("sessionId", "seq"),
    CONSTRAINT "MessageView_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE UNIQUE INDEX "MessageView_sessionId_viewSeq_key" ON "MessageView"("sessionId", "viewSeq");

-- Tool calls by id, and the tool-result lines shown as part of the assistant line that made the call (the
-- results of that turn, not a bubble of their own).
CREATE TABLE "ToolCallIndex" (
    "sessionId" TEXT NOT NULL,
    "toolUseId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    PRIMARY KEY ("sessionId", "toolUseId"),
    CONSTRAINT "ToolCallIndex_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
CREATE TABLE "ToolResultAttach" (
    "sessionId" TEXT NOT NULL,
    "callSeq" INTEGER NOT NULL,
    "resultSeq" INTEGER NOT NULL,
    PRIMARY KEY ("sessionId", "callSeq", "resultSeq"),
    CONSTRAINT "ToolResultAttach_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- A parent line that names the sub-agent a tool call started (`toolUseResult.agentId`, `agent_progress`).
CREATE TABLE "AgentLink" (
    "sessionId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "toolUseId" TEXT NOT NULL,
    PRIMARY KEY ("sessionId", "agentId"),
    CONSTRAINT "AgentLink_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

-- One-time data fixes written in code (not expressible in SQL); a row means "done", `pending` 1 means "to run".
CREATE TABLE "DataFix" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "pending" INTEGER NOT NULL DEFAULT 1,
    "appliedAt" TEXT
);

ALTER TABLE "Session" ADD COLUMN "viewCount" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Session" ADD COLUMN "hasConversation" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Session" ADD COLUMN "agentId" TEXT;
ALTER TABLE "Session" ADD COLUMN "parentToolUseId" TEXT;
ALTER TABLE "Session" ADD COLUMN "customTitle" TEXT;
ALTER TABLE "Session" ADD COLUMN "aiTitle" TEXT;
ALTER TABLE "Session" ADD COLUMN "summaryTitle" TEXT;
ALTER TABLE "Session" ADD COLUMN "firstCommand" TEXT;
ALTER TABLE "Session" ADD COLUMN "costEstimated" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Session" ADD COLUMN "unpricedModels" TEXT;
CREATE INDEX "Session_agentId_idx" ON "Session"("agentId");

-- Sub-agent sessions sync made before this migration: `<parent>/agent-<id>`.
UPDATE "Session" SET "agentId" = substr("claudeSessionId", instr("claudeSessionId", '/agent-') + 7)
 WHERE "claudeSessionId" LIKE '%/agent-%';

-- Dates of imported lines without a timestamp (summary, file-history-snapshot, queue-operation, ...): they were
-- dated "now" at import. Rule (same as at import): the snapshot's own timestamp, else the nearest dated line
-- before it in the session, else the nearest after it, else the transcript file's mtime. A snapshot counts as
-- dated by its `snapshot.timestamp`.
UPDATE "Message" SET "createdAt" = coalesce(
    CASE WHEN "type" = 'file-history-snapshot' AND json_valid("content") THEN strftime('%Y-%m-%dT%H:%M:%fZ', json_extract("content", '$.snapshot.timestamp')) END,
    (SELECT coalesce(b."timestamp", CASE WHEN b."type" = 'file-history-snapshot' AND json_valid(b."content") THEN strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(b."content", '$.snapshot.timestamp')) END) AS d
       FROM "Message" b WHERE b."sessionId" = "Message"."sessionId" AND b."seq" < "Message"."seq" AND d IS NOT NULL ORDER BY b."seq" DESC LIMIT 1),
    (SELECT coalesce(a."timestamp", CASE WHEN a."type" = 'file-history-snapshot' AND json_valid(a."content") THEN strftime('%Y-%m-%dT%H:%M:%fZ', json_extract(a."content", '$.snapshot.timestamp')) END) AS d
       FROM "Message" a WHERE a."sessionId" = "Message"."sessionId" AND a."seq" > "Message"."seq" AND d IS NOT NULL ORDER BY a."seq" ASC LIMIT 1),
    (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', max(f."mtimeMs") / 1000.0, 'unixepoch') FROM "SyncFile" f WHERE f."sessionId" = "Message"."sessionId"),
    "createdAt")
 WHERE "timestamp" IS NULL
   AND "sessionId" IN (SELECT "id" FROM "Session" WHERE "source" = 'external');

-- An imported session's dates are those of its lines (first and newest), never the import time.
UPDATE "Session" SET
    "createdAt" = coalesce((SELECT min(coalesce(m."timestamp", m."createdAt")) FROM "Message" m WHERE m."sessionId" = "Session"."id"), "createdAt"),
    "lastActiveAt" = coalesce((SELECT max(coalesce(m."timestamp", m."createdAt")) FROM "Message" m WHERE m."sessionId" = "Session"."id"), "lastActiveAt")
 WHERE "source" = 'external';

-- The rest (which lines are shown, titles, cost, links to the tool call that started a sub-agent) needs the
-- presentation rules written in code: queued for the server's next start, only when there is something to fix.
INSERT INTO "DataFix" ("name", "pending") SELECT 'presentation-v1', 1 WHERE EXISTS (SELECT 1 FROM "Message");
