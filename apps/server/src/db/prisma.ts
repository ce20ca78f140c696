import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { SqlDriverAdapter, SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "./generated/client.ts";

export type Prisma = PrismaClient;

/**
 * Prisma Client on its own better-sqlite3 connection to the same file, for the ordinary reads and writes (sessions,
 * projects, stats, sync state); the hot paths keep raw SQL on the main connection (src/db/tables, docs/architecture.md).
 *
 * The concurrency rule: Prisma runs single statements only, never a transaction. The main connection's writes are
 * synchronous (a BEGIN IMMEDIATE that cannot yield), so a Prisma transaction open on the second connection between
 * two awaits would make such a write wait on a lock only the blocked event loop could release (a stall of
 * `busy_timeout`, then SQLITE_BUSY). The adapter here refuses to start one, so an operation Prisma would wrap in a
 * transaction (`$transaction`, `updateMany`, nested writes) fails in the first test that runs it; a multi-statement
 * write belongs in a table module on the main connection. Single statements wait for the main connection's write
 * lock through `busy_timeout` like any other SQLite client.
 */
export function openPrisma(path: string): Prisma {
  return new PrismaClient({ adapter: withoutTransactions(new PrismaBetterSQLite3({ url: `file:${path}`, timeout: 5000 })) });
}

export class PrismaTransactionRefused extends Error {
  constructor() {
    super("Prisma transactions are refused on the second connection (src/db/prisma.ts): write it as one statement, or in a table module");
  }
}

function withoutTransactions(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    async connect(): Promise<SqlDriverAdapter> {
      const adapter = await factory.connect();
      adapter.startTransaction = () => Promise.reject(new PrismaTransactionRefused());
      return adapter;
    },
  };
}
