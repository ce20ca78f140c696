-- Full-text indexing moves out of each message's insert (written by hand, like the search migration).
-- Indexing a message inside its own transaction cost about half of storing a streamed line (FTS5 writes a new
-- segment per commit). Now the insert trigger only queues the message's rowid in `SearchPending`, and the
-- server's search indexer (apps/server/src/search/search-indexer.ts) moves queued messages into `MessageFts`
-- in batches: a moment after they are stored, and always before a search runs, so a search still sees every
-- stored message. Like `MessageFts`, this table is not in schema.prisma (Prisma cannot express the triggers).
CREATE TABLE "SearchPending" (
    "rid" INTEGER NOT NULL PRIMARY KEY
);

DROP TRIGGER "Message_search_insert";
CREATE TRIGGER "Message_search_insert" AFTER INSERT ON "Message" BEGIN
    INSERT INTO "SearchPending" ("rid") VALUES (new."rowid");
END;

-- A queued message is not in the index: removing it from the queue is enough (an FTS5 'delete' of text that
-- was never indexed would corrupt the index).
DROP TRIGGER "Message_search_delete";
CREATE TRIGGER "Message_search_delete" BEFORE DELETE ON "Message" BEGIN
    INSERT INTO "MessageFts" ("MessageFts", "rowid", "body")
    SELECT 'delete', "rid", "body" FROM "MessageSearchText"
     WHERE "rid" = old."rowid" AND "body" <> ''
       AND NOT EXISTS (SELECT 1 FROM "SearchPending" WHERE "rid" = old."rowid");
    DELETE FROM "SearchPending" WHERE "rid" = old."rowid";
END;

DROP TRIGGER "Message_search_update_before";
CREATE TRIGGER "Message_search_update_before" BEFORE UPDATE OF "content" ON "Message" BEGIN
    INSERT INTO "MessageFts" ("MessageFts", "rowid", "body")
    SELECT 'delete', "rid", "body" FROM "MessageSearchText"
     WHERE "rid" = old."rowid" AND "body" <> ''
       AND NOT EXISTS (SELECT 1 FROM "SearchPending" WHERE "rid" = old."rowid");
END;

-- A queued message is indexed with its new content by the indexer.
DROP TRIGGER "Message_search_update_after";
CREATE TRIGGER "Message_search_update_after" AFTER UPDATE OF "content" ON "Message" BEGIN
    INSERT INTO "MessageFts" ("rowid", "body")
    SELECT "rid", "body" FROM "MessageSearchText"
     WHERE "rid" = new."rowid" AND "body" <> ''
       AND NOT EXISTS (SELECT 1 FROM "SearchPending" WHERE "rid" = new."rowid");
END;
