-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "claudeSessionId" TEXT,
    "name" TEXT,
    "projectPath" TEXT,
    "projectName" TEXT,
    "model" TEXT,
    "permissionMode" TEXT NOT NULL DEFAULT 'default',
    "status" TEXT NOT NULL DEFAULT 'completed',
    "source" TEXT NOT NULL DEFAULT 'ils',
    "forkedFromId" TEXT,
    "parentSessionId" TEXT,
    "forkSourceClaudeId" TEXT,
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "lastSeq" INTEGER NOT NULL DEFAULT 0,
    "totalCostUsd" REAL NOT NULL DEFAULT 0,
    "numTurns" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheReadInputTokens" INTEGER NOT NULL DEFAULT 0,
    "cacheCreationInputTokens" INTEGER NOT NULL DEFAULT 0,
    "firstPrompt" TEXT,
    "gitBranch" TEXT,
    "claudeVersion" TEXT,
    "lastError" TEXT,
    "createdAt" TEXT NOT NULL,
    "lastActiveAt" TEXT NOT NULL,
    CONSTRAINT "Session_forkedFromId_fkey" FOREIGN KEY ("forkedFromId") REFERENCES "Session" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "subtype" TEXT,
    "role" TEXT,
    "uuid" TEXT,
    "content" TEXT NOT NULL,
    "timestamp" TEXT,
    "createdAt" TEXT NOT NULL,
    CONSTRAINT "Message_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SyncFile" (
    "path" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT,
    "size" INTEGER NOT NULL,
    "mtimeMs" REAL NOT NULL,
    "inode" TEXT NOT NULL,
    "offset" INTEGER NOT NULL,
    "lines" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TEXT NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Session_claudeSessionId_key" ON "Session"("claudeSessionId");

-- CreateIndex
CREATE INDEX "Session_lastActiveAt_idx" ON "Session"("lastActiveAt");

-- CreateIndex
CREATE INDEX "Session_projectPath_lastActiveAt_idx" ON "Session"("projectPath", "lastActiveAt");

-- CreateIndex
CREATE INDEX "Session_projectName_lastActiveAt_idx" ON "Session"("projectName", "lastActiveAt");

-- CreateIndex
CREATE INDEX "Session_source_lastActiveAt_idx" ON "Session"("source", "lastActiveAt");

-- CreateIndex
CREATE INDEX "Session_parentSessionId_idx" ON "Session"("parentSessionId");

-- CreateIndex
CREATE UNIQUE INDEX "Message_sessionId_seq_key" ON "Message"("sessionId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "Message_sessionId_uuid_key" ON "Message"("sessionId", "uuid");

