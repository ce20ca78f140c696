import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ScanReport } from "@ils/contracts";
import BetterSqlite3 from "better-sqlite3";
import { REPO_ROOT, FIXTURES, tempDir } from "../support/temp.ts";

const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");
const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
const SID = "c278289d-b3a8-42bf-9ac2-43b544bebace";

function cli(args: string[], cwd = REPO_ROOT) {
  const env = { ...process.env, ILS_LOG_LEVEL: "", ILS_DB: "", ILS_CLAUDE_DIR: "", INIT_CWD: cwd };
  return spawnSync(TSX, [CLI, ...args], { cwd, env, encoding: "utf8", timeout: 60_000 });
}

describe("ils sync (CLI)", () => {
  const dir = tempDir("ils-sync-cli-");
  afterAll(() => dir.cleanup());

  it("imports with --json (one JSON report on stdout), then re-scans reading nothing", () => {
    const project = join(dir.path, "claude", "projects", "-home-user-project-simple");
    mkdirSync(project, { recursive: true });
    copyFileSync(
      join(FIXTURES, "generated/01-simple/transcripts/-home-user-project-simple", `${SID}.jsonl`),
      join(project, `${SID}.jsonl`),
    );
    // Relative paths are taken from where the command was typed.
    const first = cli(["sync", "--json", "--claude-dir", "claude", "--db", "ils.db"], dir.path);
    expect(first.status, first.stderr).toBe(0);
    const report = ScanReport.parse(JSON.parse(first.stdout));
    expect(report).toMatchObject({ files: 1, filesRead: 1, sessionsCreated: 1, malformed: { count: 0 } });
    expect(report.imported).toBeGreaterThan(0);
    // The imported messages are in the search index when the command ends (nothing left queued for the server).
    const db = new BetterSqlite3(join(dir.path, "ils.db"), { readonly: true });
    try {
      expect(db.prepare(`SELECT count(*) FROM SearchPending`).pluck().get()).toBe(0);
      expect(db.prepare(`SELECT count(*) FROM MessageFts_docsize`).pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    const again = cli(["sync", "--claude-dir", join(dir.path, "claude"), "--db", join(dir.path, "ils.db")]);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^files\s+1 \(0 read\)$/m);
    expect(again.stdout).toMatch(/^imported\s+0$/m);
  });

  it("exits non-zero only when the scan cannot run", () => {
    const missing = cli(["sync", "--json", "--claude-dir", join(dir.path, "nowhere"), "--db", join(dir.path, "other.db")]);
    expect(missing.status, missing.stderr).toBe(0);
    expect(JSON.parse(missing.stdout)).toMatchObject({ files: 0, imported: 0 });
    // The database path is a folder: nothing can run.
    const broken = cli(["sync", "--claude-dir", join(dir.path, "claude"), "--db", dir.path]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/sync failed/);
    expect(cli(["unknown"]).status).toBe(2);
  });
});
