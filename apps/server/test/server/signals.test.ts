import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { serverFilePath } from "../../src/db/server-file.ts";
import { startServerProcess } from "../support/server-process.ts";
import { tempDir } from "../support/temp.ts";

describe("signals run the clean shutdown", () => {
  const dir = tempDir("ils-signals-");
  afterAll(() => dir.cleanup());

  for (const signal of ["SIGHUP", "SIGTERM", "SIGINT"] as const) {
    it(`${signal}: exits 0 with one "stopped" line, its server file removed and the WAL checkpointed`, async () => {
      const db = join(dir.path, `${signal}.db`);
      const server = await startServerProcess({ ILS_DB: db, ILS_LOG_LEVEL: "info" });
      expect(JSON.parse(readFileSync(serverFilePath(db), "utf8"))).toMatchObject({ pid: server.child.pid, url: server.url });
      const res = await fetch(`${server.url}/api/v1/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(res.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      server.child.kill(signal);
      expect(await exited).toBe(0);
      const stopped = server
        .output()
        .split("\n")
        .filter((line) => line.includes('"msg":"stopped"'));
      expect(stopped).toHaveLength(1);
      expect(JSON.parse(stopped[0]!)).toMatchObject({ signal });
      expect(existsSync(serverFilePath(db))).toBe(false);
      // The clean shutdown's TRUNCATE checkpoint ran: the WAL is empty and the row is in the main file.
      expect(existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0).toBe(0);
      const check = new BetterSqlite3(db, { readonly: true });
      expect(check.prepare(`SELECT count(*) FROM Session`).pluck().get()).toBe(1);
      check.close();
    });
  }
});
