import type { Database } from "../database.ts";

/**
 * The statements of a table module, prepared once per connection on first use and reused for its lifetime
 * (preparing costs more than running most of them). Keyed weakly: a closed, dropped connection takes its
 * statements with it.
 */
export function perConnection<T>(prepare: (db: Database) => T): (db: Database) => T {
  const prepared = new WeakMap<Database, T>();
  return (db) => {
    let statements = prepared.get(db);
    if (statements === undefined) {
      statements = prepare(db);
      prepared.set(db, statements);
    }
    return statements;
  };
}
