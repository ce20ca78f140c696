import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");
/** The transports: they parse, call one service function and map the result (docs/architecture.md). */
const TRANSPORTS = ["rest", "trpc", "http"];

/** What a transport must not reach: the database modules, the SQLite driver, Prisma, or SQL of its own. */
const FORBIDDEN: Array<[string, RegExp]> = [
  ["imports a db/ module", /from\s+["'][^"']*\/db\/[^"']*["']/],
  ["imports better-sqlite3", /from\s+["']better-sqlite3["']/],
  ["imports Prisma", /from\s+["']@prisma\/[^"']*["']/],
  ["imports the generated client", /from\s+["'][^"']*\/generated\/[^"']*["']/],
  ["prepares SQL", /\.prepare\(/],
  // (a RegExp `.exec(` is not SQL: only a database handle's `exec` and Prisma's raw queries are.)
  ["runs SQL", /\bdb\.exec\(|\$(queryRaw|executeRaw)/],
  ["reaches services.db or services.prisma", /services\.(db|prisma)\b/],
];

function violations(source: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(source)).map(([why]) => why);
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("transports never touch the database", () => {
  it("finds each forbidden reach in a sample source (the scan can fail)", () => {
    expect(violations(`import type { Database } from "../../../db/database.ts";`)).toEqual(["imports a db/ module"]);
    expect(violations(`import Database from "better-sqlite3";`)).toEqual(["imports better-sqlite3"]);
    expect(violations(`import { PrismaClient } from "../../db/generated/client.ts";`)).toEqual([
      "imports a db/ module",
      "imports the generated client",
    ]);
    expect(violations(`const n = db.prepare("SELECT 1").get();`)).toEqual(["prepares SQL"]);
    expect(violations(`return services.prisma.session.count();`)).toEqual(["reaches services.db or services.prisma"]);
    expect(violations(`await prisma.$queryRaw\`SELECT 1\`;`)).toEqual(["runs SQL"]);
    expect(violations(`import { z } from "zod";\nreturn services.stats.home();`)).toEqual([]);
  });

  it("no file under rest/, trpc/ or http/ imports a db module, Prisma or the driver, or prepares SQL", () => {
    const files = TRANSPORTS.flatMap((dir) => sourcesUnder(join(SRC, dir)));
    expect(files.length).toBeGreaterThan(30);
    const found = files.flatMap((file) => violations(readFileSync(file, "utf8")).map((why) => `${relative(SRC, file)} ${why}`));
    expect(found).toEqual([]);
  });
});
