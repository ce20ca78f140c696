import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScanReport } from "@ils/contracts";
import { serverFilePath } from "../../src/db/server-file.ts";
import { startServerProcess } from "../support/server-process.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";

const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
const SIMPLE = "c278289d-b3a8-42bf-9ac2-43b544bebace";
/** Root reads any file whatever its mode: the unreadable-file case runs the CLI as `nobody` then. */
const AS_ROOT = process.getuid?.() === 0;

function cli(args: string[], env: Record<string, string> = {}, asNobody = false) {
  return spawnSync(TSX, [CLI, "sync", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ILS_LOG_LEVEL: "", ILS_DB: "", ILS_CLAUDE_DIR: "", ILS_TOKEN: "", ...env },
    encoding: "utf8",
    timeout: 60_000,
    ...(asNobody ? { uid: 65534, gid: 65534 } : {}),
  });
}

function claudeDirWith(root: string, name: string): string {
  const project = join(root, name, "projects", "-home-user-project-simple");
  mkdirSync(project, { recursive: true });
  copyFileSync(
    join(FIXTURES, "generated/01-simple/transcripts/-home-user-project-simple", `${SIMPLE}.jsonl`),
    join(project, `${SIMPLE}.jsonl`),
  );
  return join(root, name);
}

describe("ils sync: failed files and a server on the same database", () => {
  const dir = tempDir("ils-sync-server-");
  chmodSync(dir.path, 0o777); // the CLI may run as nobody below
  afterAll(() => dir.cleanup());

  it("a file that cannot be read: exit 3, listed on stderr and in the report; the others are imported", () => {
    const claudeDir = claudeDirWith(dir.path, "claude-unreadable");
    const bad = join(claudeDir, "projects", "-home-user-project-simple", "0d4ab5fb-0000-4000-8000-000000000000.jsonl");
    copyFileSync(join(claudeDir, "projects", "-home-user-project-simple", `${SIMPLE}.jsonl`), bad);
    chmodSync(bad, 0o000);
    const result = cli(["--claude-dir", claudeDir, "--db", join(dir.path, "unreadable.db")], {}, AS_ROOT);
    expect(result.status, `${result.error?.message ?? ""} ${result.stderr}`).toBe(3);
    expect(result.stderr).toMatch(/1 file\(s\) could not be read/);
    expect(result.stderr).toContain("-home-user-project-simple/0d4ab5fb-0000-4000-8000-000000000000.jsonl: EACCES");
    expect(result.stdout).toMatch(/not read: -home-user-project-simple\/0d4ab5fb/);
    expect(result.stdout).toMatch(/^sessions\s+1 \(1 new\)$/m);
  });

  it("beside a running server: says so and has the server scan (with ILS_TOKEN); without the token exit 1 naming it", async () => {
    const claudeDir = claudeDirWith(dir.path, "claude-server");
    const db = join(dir.path, "server.db");
    const token = "a-test-token-123";
    const server = await startServerProcess({ ILS_DB: db, ILS_CLAUDE_DIR: claudeDir, ILS_TOKEN: token });
    try {
      const refused = cli(["--json", "--claude-dir", claudeDir, "--db", db]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`a server is running on ${db} (pid ${server.child.pid}, ${server.url}): asking it to scan`);
      expect(refused.stderr).toMatch(/needs its token: set ILS_TOKEN/);

      const asked = cli(["--json", "--claude-dir", claudeDir, "--db", db], { ILS_TOKEN: token });
      expect(asked.status, asked.stderr).toBe(0);
      expect(asked.stderr).toContain("asking it to scan");
      const report = ScanReport.parse(JSON.parse(asked.stdout));
      expect(report).toMatchObject({ files: 1, filesRead: 1, sessionsCreated: 1 });
      // It was the server's scan: its own next scan has nothing new, and it lists the session.
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const again = (await (await fetch(`${server.url}/api/v1/sessions/scan`, { method: "POST", headers, body: "{}" })).json()) as {
        data: ScanReport;
      };
      expect(again.data).toMatchObject({ filesRead: 0, imported: 0 });

      // Another Claude folder than the server's: the CLI writes itself, beside the server, and says why.
      const other = claudeDirWith(dir.path, "claude-other");
      const beside = cli(["--json", "--claude-dir", other, "--db", db]);
      expect(beside.status, beside.stderr).toBe(0);
      expect(beside.stderr).toContain(`but it imports ${claudeDir}: writing the database from here`);
    } finally {
      await server.stop();
    }
    expect(existsSync(serverFilePath(db))).toBe(false);
  });

  it("a server file left by a crash (its pid is gone) is ignored: the CLI writes the database itself", () => {
    const claudeDir = claudeDirWith(dir.path, "claude-stale");
    const db = join(dir.path, "stale.db");
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(
      serverFilePath(db),
      JSON.stringify({ pid: Number(gone.stdout), url: "http://127.0.0.1:9", claudeDir, startedAt: "2026-01-01T00:00:00Z" }),
    );
    const result = cli(["--json", "--claude-dir", claudeDir, "--db", db]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/server is running/);
    expect(ScanReport.parse(JSON.parse(result.stdout)).imported).toBeGreaterThan(0);
  });

  it("--direct writes from here even beside a running server, and says so", async () => {
    const claudeDir = claudeDirWith(dir.path, "claude-direct");
    const db = join(dir.path, "direct.db");
    const server = await startServerProcess({ ILS_DB: db, ILS_CLAUDE_DIR: claudeDir });
    try {
      const result = cli(["--json", "--direct", "--claude-dir", claudeDir, "--db", db]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toContain("--direct, writing the database from here beside it");
      expect(ScanReport.parse(JSON.parse(result.stdout)).imported).toBeGreaterThan(0);
      // The server's own scan then finds it all stored (by the CLI, through the shared file).
      const again = (await (
        await fetch(`${server.url}/api/v1/sessions/scan`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
      ).json()) as { data: ScanReport };
      expect(again.data).toMatchObject({ filesRead: 0, imported: 0 });
    } finally {
      await server.stop();
    }
  });
});
