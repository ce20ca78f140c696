import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations } from "../../src/db/migrate.ts";
import { AGENT_LINK_COLUMNS, AGENT_LINK_SQL } from "../../src/db/tables/agent-links.ts";
import { CHAT_RUN_COLUMNS, CHAT_RUN_SQL } from "../../src/db/tables/chat-runs.ts";
import { CLAUDE_PROCESS_COLUMNS, CLAUDE_PROCESS_SQL } from "../../src/db/tables/claude-processes.ts";
import { DATA_FIX_COLUMNS, DATA_FIX_SQL } from "../../src/db/tables/data-fixes.ts";
import {
  SEARCH_FILTERS,
  SEARCH_INDEX_SQL,
  SEARCH_MESSAGE_COLUMNS,
  SEARCH_SESSION_COLUMNS,
  SEARCH_TABLE_COLUMNS,
  searchSql,
} from "../../src/db/tables/message-search.ts";
import { MESSAGE_VIEW_COLUMNS, MESSAGE_VIEW_SQL } from "../../src/db/tables/message-views.ts";
import { MESSAGE_COLUMNS, MESSAGE_SQL } from "../../src/db/tables/messages.ts";
import { PERMISSION_REQUEST_COLUMNS, PERMISSION_REQUEST_SQL } from "../../src/db/tables/permission-requests.ts";
import { SESSION_COUNTER_COLUMNS, SESSION_COUNTER_SQL } from "../../src/db/tables/session-counters.ts";
import { SESSION_INSERT_COLUMNS, SESSION_META_SQL, SESSION_ROW_COLUMNS } from "../../src/db/tables/sessions.ts";
import { SYNC_FILE_COLUMNS, SYNC_FILE_SQL } from "../../src/db/tables/sync-files.ts";
import { TOOL_CALL_INDEX_COLUMNS, TOOL_CALL_INDEX_SQL } from "../../src/db/tables/tool-call-index.ts";
import { TOOL_RESULT_ATTACH_COLUMNS, TOOL_RESULT_ATTACH_SQL } from "../../src/db/tables/tool-result-attach.ts";

/**
 * The raw SQL of db/tables against prisma/schema.prisma: every column a module declares, and every column its
 * SQL text names, must be a column of the table it names. Prisma's model types make typecheck catch the
 * declared lists; this catches a column named only inside a SQL string (a rename in the schema alone).
 */
const SCHEMA = fileURLToPath(new URL("../../../../prisma/schema.prisma", import.meta.url));

type Columns = Map<string, Set<string>>;

/** Scalar columns per model (relation fields, whose type is another model, are not columns). */
function schemaColumns(schemaText: string): Columns {
  const models = [...schemaText.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const names = new Set(models.map((m) => m[1]!));
  const columns: Columns = new Map();
  for (const [, name, body] of models) {
    const fields = new Set<string>();
    for (const line of body!.split("\n")) {
      const field = /^\s*(\w+)\s+(\w+)(\[\])?\??/.exec(line);
      if (field && !names.has(field[2]!)) fields.add(field[1]!);
    }
    columns.set(name!, fields);
  }
  return columns;
}

/** The columns of the search tables the migrations create outside the schema, read from a migrated database. */
function searchTableColumns(): Columns {
  const db = new BetterSqlite3(":memory:");
  applyMigrations(db);
  const columns: Columns = new Map();
  for (const table of Object.keys(SEARCH_TABLE_COLUMNS)) {
    columns.set(table, new Set((db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name)));
  }
  db.close();
  return columns;
}

const KEYWORDS = new Set(
  `select from where and or not null is in as on join insert into values conflict do nothing update set delete order by
   asc desc limit offset case when then else end exists with group over partition ignore replace between match excluded`.split(/\s+/),
);

/** "Table.column" for every column a statement names that its tables do not have. */
function missingInSql(sql: string, columns: Columns): string[] {
  const text = sql.replace(/'[^']*'/g, "''").replace(/@\w+/g, "?");
  const ctes = new Set([...text.matchAll(/\bWITH\s+(\w+)\s+AS\s*\(/gi)].map((m) => m[1]!));
  const outputs = new Set([...text.matchAll(/\bAS\s+(\w+)/gi)].map((m) => m[1]!).filter((name) => !ctes.has(name)));
  const aliases = new Map<string, string>();
  for (const match of text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE)\s+(\w+)/gi)) {
    const table = match[1]!;
    aliases.set(table, table);
    // The word after a table is its alias unless it is a keyword (`FROM page JOIN ...`, `UPDATE Session SET`).
    const alias = /^\s+(?:AS\s+)?(\w+)/i.exec(text.slice(match.index + match[0].length))?.[1];
    if (alias && !KEYWORDS.has(alias.toLowerCase())) aliases.set(alias, table);
  }
  const tables = [...new Set(aliases.values())].filter((t) => !ctes.has(t));
  const has = (table: string, column: string) =>
    column === "rowid" || (ctes.has(table) ? outputs.has(column) : (columns.get(table)?.has(column) ?? false));
  const missing: string[] = [];
  // An upsert's `excluded.column` is the row it tried to insert: a column of the INSERT's table.
  const into = /\bINTO\s+(\w+)/i.exec(text)?.[1];
  for (const [, qualifier, column] of text.matchAll(/\b(\w+)\.(\w+)\b/g)) {
    const table = qualifier!.toLowerCase() === "excluded" && into ? into : (aliases.get(qualifier!) ?? qualifier!);
    if (!has(table, column!)) missing.push(`${table}.${column}`);
  }
  const bare = text.replace(/\b\w+\.\w+\b/g, " ");
  for (const [, word] of bare.matchAll(/\b([A-Za-z_]\w*)\b(?!\s*\()/g)) {
    if (KEYWORDS.has(word!.toLowerCase()) || aliases.has(word!) || ctes.has(word!) || outputs.has(word!)) continue;
    if (!tables.some((table) => has(table, word!))) missing.push(`${tables.length === 1 ? tables[0] : tables.join("|")}.${word}`);
  }
  return missing;
}

/** Every statement of db/tables (the search statements with every combination of filters). */
function allStatements(): string[] {
  const search = [];
  for (let mask = 0; mask < 1 << SEARCH_FILTERS.length; mask++) {
    const sql = searchSql(new Set(SEARCH_FILTERS.filter((_, i) => mask & (1 << i))));
    search.push(sql.hits, sql.count);
  }
  return [
    ...Object.values(MESSAGE_SQL),
    ...Object.values(MESSAGE_VIEW_SQL),
    ...Object.values(TOOL_CALL_INDEX_SQL),
    ...Object.values(TOOL_RESULT_ATTACH_SQL),
    ...Object.values(AGENT_LINK_SQL),
    ...Object.values(SESSION_COUNTER_SQL),
    ...Object.values(SEARCH_INDEX_SQL),
    ...Object.values(CHAT_RUN_SQL),
    ...Object.values(CLAUDE_PROCESS_SQL),
    ...Object.values(PERMISSION_REQUEST_SQL),
    ...Object.values(SYNC_FILE_SQL),
    ...Object.values(DATA_FIX_SQL),
    ...Object.values(SESSION_META_SQL),
    ...search,
  ];
}

const DECLARED: [string, readonly string[]][] = [
  ["Message", MESSAGE_COLUMNS],
  ["Message", SEARCH_MESSAGE_COLUMNS],
  ["MessageView", MESSAGE_VIEW_COLUMNS],
  ["ToolCallIndex", TOOL_CALL_INDEX_COLUMNS],
  ["ToolResultAttach", TOOL_RESULT_ATTACH_COLUMNS],
  ["AgentLink", AGENT_LINK_COLUMNS],
  ["Session", SESSION_COUNTER_COLUMNS],
  ["Session", SEARCH_SESSION_COLUMNS],
  ["ChatRun", CHAT_RUN_COLUMNS],
  ["ClaudeProcess", CLAUDE_PROCESS_COLUMNS],
  ["PermissionRequest", PERMISSION_REQUEST_COLUMNS],
  ["SyncFile", SYNC_FILE_COLUMNS],
  ["DataFix", DATA_FIX_COLUMNS],
  ["Session", SESSION_ROW_COLUMNS],
  ["Session", SESSION_INSERT_COLUMNS],
  ...Object.entries(SEARCH_TABLE_COLUMNS),
];

/** The drift check: sorted, distinct "Table.column" names the data layer uses and the schema lacks. */
function columnDrift(schemaText: string): string[] {
  const columns: Columns = new Map([...schemaColumns(schemaText), ...searchTableColumns()]);
  const missing = DECLARED.flatMap(([table, names]) =>
    names.filter((name) => !columns.get(table)?.has(name)).map((name) => `${table}.${name}`),
  );
  for (const sql of allStatements()) missing.push(...missingInSql(sql, columns));
  return [...new Set(missing)].sort();
}

describe("column drift between db/tables and prisma/schema.prisma", () => {
  const dir = mkdtempSync(join(tmpdir(), "ils-drift-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports exactly a column renamed in the schema only", () => {
    const renamed = join(dir, "schema.prisma");
    copyFileSync(SCHEMA, renamed);
    const text = readFileSync(renamed, "utf8");
    const message = /^model Message \{[\s\S]*?^\}/m.exec(text)![0];
    expect(message).toMatch(/^\s+content\s+String$/m);
    writeFileSync(renamed, text.replace(message, message.replace(/^(\s+)content(\s+String)$/m, "$1body$2")));
    expect(columnDrift(readFileSync(renamed, "utf8"))).toEqual(["Message.content"]);
  });

  it("catches a column named only in the SQL text, qualified or not", () => {
    const columns = schemaColumns(readFileSync(SCHEMA, "utf8"));
    expect(missingInSql(`SELECT seq, bogus FROM Message WHERE sessionId = ?`, columns)).toEqual(["Message.bogus"]);
    expect(missingInSql(`SELECT m.nope FROM MessageView v JOIN Message m ON m.seq = v.seq`, columns)).toEqual(["Message.nope"]);
    expect(missingInSql(`UPDATE Session SET lastSeqq = @n WHERE id = @id`, columns)).toEqual(["Session.lastSeqq"]);
    expect(missingInSql(`INSERT INTO SyncFile (path) VALUES (?) ON CONFLICT (path) DO UPDATE SET size = excluded.sise`, columns)).toEqual([
      "SyncFile.sise",
    ]);
  });

  it("finds no drift in the schema as it is", () => {
    expect(allStatements().length).toBeGreaterThan(30);
    expect(columnDrift(readFileSync(SCHEMA, "utf8"))).toEqual([]);
  });
});
