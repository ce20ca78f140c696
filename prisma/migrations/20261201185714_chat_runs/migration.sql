-- Session-level run settings given at creation, used on every run; the Claude message a fork resumes at.
-- runModel is the model runs are started with (null: Claude Code's default); "model" shows what init reported.
ALTER TABLE "Session" ADD COLUMN "runModel" TEXT;
ALTER TABLE "Session" ADD COLUMN "systemPrompt" TEXT;
ALTER TABLE "Session" ADD COLUMN "maxTurns" INTEGER;
ALTER TABLE "Session" ADD COLUMN "maxBudgetUsd" REAL;
ALTER TABLE "Session" ADD COLUMN "forkAtUuid" TEXT;

-- CreateTable
CREATE TABLE "ChatRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "error" TEXT,
    "startedAt" TEXT NOT NULL,
    "endedAt" TEXT,
    CONSTRAINT "ChatRun_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ClaudeProcess" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "pgid" INTEGER NOT NULL,
    "startTime" TEXT NOT NULL,
    "bootId" TEXT NOT NULL,
    "descendants" TEXT NOT NULL DEFAULT '[]',
    "startedAt" TEXT NOT NULL,
    "endedAt" TEXT
);

-- CreateTable
CREATE TABLE "PermissionRequest" (
    "sessionId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "toolName" TEXT NOT NULL,
    "toolInput" TEXT NOT NULL,
    "toolUseId" TEXT,
    "createdAt" TEXT NOT NULL,
    "decision" TEXT,
    "reason" TEXT,
    "updatedInput" TEXT,
    "decidedBy" TEXT,
    "decidedAt" TEXT,

    PRIMARY KEY ("sessionId", "requestId"),
    CONSTRAINT "PermissionRequest_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "ChatRun_sessionId_startedAt_idx" ON "ChatRun"("sessionId", "startedAt");

-- CreateIndex
CREATE INDEX "ClaudeProcess_endedAt_idx" ON "ClaudeProcess"("endedAt");
