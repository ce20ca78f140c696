import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.ts";
import { isBusy, retryBusy } from "../../src/db/write-retry.ts";
import { REPO_ROOT, tempDir } from "../support/temp.ts";

/** Another process that takes the write lock, says "locked", and releases it after `holdMs`. */
function holdWriteLock(path: string, holdMs: number): Promise<{ child: ChildProcess; released: Promise<void> }> {
  const script = `
    const db = new (require("better-sqlite3"))(${JSON.stringify(path)});
    db.exec("BEGIN IMMEDIATE"); db.exec("INSERT INTO t VALUES ('other')");
    process.stdout.write("locked\\n");
    setTimeout(() => { db.exec("COMMIT"); db.close(); }, ${holdMs});`;
  const child = spawn(process.execPath, ["-e", script], { cwd: join(REPO_ROOT, "apps", "server"), stdio: ["ignore", "pipe", "inherit"] });
  const released = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve) => child.stdout!.once("data", () => resolve({ child, released })));
}

describe("retryBusy: a write waits for another process's write lock, bounded", () => {
  const dir = tempDir("ils-retry-");
  const path = join(dir.path, "retry.db");
  const db = openDatabase(path);
  db.exec("CREATE TABLE t (who TEXT)");
  const insert = db.prepare("INSERT INTO t VALUES (?)");
  afterAll(() => {
    db.close();
    dir.cleanup();
  });

  it("gets the lock once the other process commits, and both rows are there", async () => {
    const { released } = await holdWriteLock(path, 300);
    // Without the retry the same write fails at once (busy_timeout off makes SQLite's own wait visible).
    db.pragma("busy_timeout = 0");
    expect(() => insert.run("without retry")).toThrow(/database is locked/);
    db.pragma("busy_timeout = 5000");
    retryBusy(db, () => db.transaction(() => insert.run("me")).immediate());
    await released;
    expect(db.prepare("SELECT who FROM t ORDER BY rowid").pluck().all()).toEqual(["other", "me"]);
    // The connection's own busy_timeout is back for every other statement.
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });

  it("gives up after its budget with SQLITE_BUSY (a live run then fails instead of hanging the event loop)", async () => {
    const { child, released } = await holdWriteLock(path, 10_000);
    let error: unknown;
    try {
      retryBusy(db, () => insert.run("too late"), 100);
    } catch (e) {
      error = e;
    }
    child.kill("SIGKILL");
    await released;
    expect(isBusy(error)).toBe(true);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(db.prepare("SELECT count(*) FROM t WHERE who = 'too late'").pluck().get()).toBe(0);
  });

  it("does not retry other errors", () => {
    let calls = 0;
    expect(() =>
      retryBusy(db, () => {
        calls += 1;
        return db.prepare("INSERT INTO missing VALUES (1)").run();
      }),
    ).toThrow(/no such table/);
    expect(calls).toBe(1);
  });
});
