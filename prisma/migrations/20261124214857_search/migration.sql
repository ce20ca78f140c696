-- Full-text search over messages (written by hand: Prisma's schema cannot express FTS5).
-- See docs/search.md for the choice of tokenizer and the cost it adds to ingestion.
--
-- `MessageSearchText` derives the searchable text of each message from its raw JSON line: typed prompts,
-- text blocks, thinking, tool calls (tool name + the string values of their input), tool results (string
-- or text blocks), transcript summaries and custom titles, and lines that were not JSON objects.
-- Progress, snapshot, queue and result lines yield NULL (they repeat text found elsewhere or are noise),
-- as do injected `isMeta` lines. Malformed JSON yields NULL (json_valid guard): the index never makes an
-- insert fail.
CREATE VIEW "MessageSearchText" AS
SELECT
    "Message"."rowid" AS "rid",
    CASE WHEN json_valid("Message"."content") AND json_extract("Message"."content", '$.isMeta') IS NOT 1 THEN (
        SELECT group_concat("part", char(10)) FROM (
            SELECT json_extract("Message"."content", '$.message.content') AS "part"
             WHERE json_type("Message"."content", '$.message.content') = 'text'
            UNION ALL
            SELECT CASE json_extract("block"."value", '$.type')
                       WHEN 'text' THEN json_extract("block"."value", '$.text')
                       WHEN 'thinking' THEN json_extract("block"."value", '$.thinking')
                       WHEN 'tool_use' THEN concat_ws(' ', json_extract("block"."value", '$.name'),
                           (SELECT group_concat("leaf"."value", ' ') FROM json_tree("block"."value", '$.input') AS "leaf"
                             WHERE "leaf"."type" = 'text'))
                       WHEN 'tool_result' THEN CASE json_type("block"."value", '$.content')
                           WHEN 'text' THEN json_extract("block"."value", '$.content')
                           WHEN 'array' THEN (SELECT group_concat(json_extract("inner"."value", '$.text'), char(10))
                                                FROM json_each("block"."value", '$.content') AS "inner"
                                               WHERE json_extract("inner"."value", '$.type') = 'text')
                       END
                   END
              FROM json_each("Message"."content", '$.message.content') AS "block"
             WHERE json_type("Message"."content", '$.message.content') = 'array'
            UNION ALL
            SELECT json_extract("Message"."content", '$.summary') WHERE json_type("Message"."content", '$.summary') = 'text'
            UNION ALL
            SELECT json_extract("Message"."content", '$.customTitle') WHERE json_type("Message"."content", '$.customTitle') = 'text'
            UNION ALL
            SELECT json_extract("Message"."content", '$') WHERE json_type("Message"."content") = 'text'
        )
    ) END AS "body"
FROM "Message";

-- External-content FTS5 table: it stores only the index; snippets re-derive the text through the view.
-- unicode61 without extra tokenchars: `append_messages` and `src/app.ts` index as separate words, so a
-- search for any part finds them, and the whole name still matches as a phrase.
CREATE VIRTUAL TABLE "MessageFts" USING fts5(
    "body",
    content = 'MessageSearchText',
    content_rowid = 'rid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Kept in step by triggers, so every write path (live runs, sync, messages.append) is covered and a
-- session's cascade delete removes its messages from the index. Messages without text are not indexed;
-- the delete trigger skips them the same way (the text is derived deterministically from `content`).
CREATE TRIGGER "Message_search_insert" AFTER INSERT ON "Message" BEGIN
    INSERT INTO "MessageFts" ("rowid", "body")
    SELECT "rid", "body" FROM "MessageSearchText" WHERE "rid" = new."rowid" AND "body" <> '';
END;

CREATE TRIGGER "Message_search_delete" BEFORE DELETE ON "Message" BEGIN
    INSERT INTO "MessageFts" ("MessageFts", "rowid", "body")
    SELECT 'delete', "rid", "body" FROM "MessageSearchText" WHERE "rid" = old."rowid" AND "body" <> '';
END;

CREATE TRIGGER "Message_search_update_before" BEFORE UPDATE OF "content" ON "Message" BEGIN
    INSERT INTO "MessageFts" ("MessageFts", "rowid", "body")
    SELECT 'delete', "rid", "body" FROM "MessageSearchText" WHERE "rid" = old."rowid" AND "body" <> '';
END;

CREATE TRIGGER "Message_search_update_after" AFTER UPDATE OF "content" ON "Message" BEGIN
    INSERT INTO "MessageFts" ("rowid", "body")
    SELECT "rid", "body" FROM "MessageSearchText" WHERE "rid" = new."rowid" AND "body" <> '';
END;

-- Messages stored before this migration.
INSERT INTO "MessageFts" ("rowid", "body")
SELECT "rid", "body" FROM "MessageSearchText" WHERE "body" <> '';
