import type { Database } from "./database.ts";

/**
 * Whether the database answers a query. Raw on the main connection: /health answers before any Prisma query
 * runs (BENCHMARKS.md row 6 cold start; the first Prisma query in a process costs ~100-400 ms), and it checks
 * the connection every service writes through. Prepared per call: a failed prepare is itself the answer.
 */
export function databaseAnswers(db: Database): boolean {
  try {
    db.prepare("SELECT 1").get();
    return true;
  } catch {
    return false;
  }
}
