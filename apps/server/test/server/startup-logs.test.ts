import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { usePrettyLogs } from "../../src/logger.ts";
import * as ios from "../support/ios-decoders.ts";
import { freePort, runServerToExit, startServerProcess, type ServerProcess } from "../support/server-process.ts";
import { REPO_ROOT, TEST_PROJECT_ROOTS, tempDir } from "../support/temp.ts";

const FAKE_CLAUDE = join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs");
const MAIN = join(REPO_ROOT, "apps", "server", "src", "main.ts");
const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
/** `script` (util-linux) runs a command under a pseudo-terminal, as a person's terminal would. */
const HAS_SCRIPT = spawnSync("script", ["--version"]).status === 0;

const dirs: ReturnType<typeof tempDir>[] = [];
const servers: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  dirs.splice(0).forEach((dir) => dir.cleanup());
});

/** `<tmp>/data/ils.db`: the database in a data folder of its own, as the project-roots rule wants. */
function dataDb(): { root: string; db: string } {
  const dir = tempDir("ils-startup-logs-");
  dirs.push(dir);
  mkdirSync(join(dir.path, "data"));
  return { root: dir.path, db: join(dir.path, "data", "ils.db") };
}

interface LogLine {
  level: number;
  msg: string;
  startup?: { urls: string[]; database: string; claude: { found: boolean; version: string | null } };
}

function jsonLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** The start line is written once `claude --version` answered, which may be just after /health first answers. */
async function waitFor(output: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200; i++) {
    if (pattern.test(output())) return output();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${pattern} in:\n${output()}`);
}

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  servers.push(server);
  return server;
}

describe("the start line", () => {
  it("names the URL, the database and the Claude Code version found, as one JSON log line when piped", async () => {
    const { db } = dataDb();
    const server = await start({ ILS_DB: db, ILS_CLAUDE_BIN: FAKE_CLAUDE, ILS_LOG_LEVEL: "info" });
    const output = await waitFor(server.output, /"startup"/);

    const starts = jsonLines(output).filter((line) => line.startup);
    expect(starts).toHaveLength(1);
    const [line] = starts;
    expect(line!.level).toBe(30);
    for (const part of [server.url, db, "2.1.197 (Claude Code, fake)", FAKE_CLAUDE]) expect(line!.msg).toContain(part);
    expect(line!.startup).toMatchObject({
      urls: [server.url],
      database: db,
      claude: { found: true, version: "2.1.197 (Claude Code, fake)" },
    });
  });

  it("with ILS_CLAUDE_BIN=/nope: a warning naming it, and the server still starts and answers", async () => {
    const { db } = dataDb();
    const server = await start({ ILS_DB: db, ILS_CLAUDE_BIN: "/nope", ILS_LOG_LEVEL: "info" });
    const output = await waitFor(server.output, /"startup"/);

    const line = jsonLines(output).find((l) => l.startup)!;
    expect(line.level).toBe(40);
    expect(line.msg).toContain("Claude Code not found (/nope, from ILS_CLAUDE_BIN)");
    expect(line.msg).toContain(server.url);
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: "ok", claudeAvailable: false, database: { ok: true } });
    expect(health).not.toHaveProperty("claudeVersion");
  });
});

describe("GET /health as documented", () => {
  it("gives the iOS HealthResponse fields with Claude's version, the real port and the database state, and no path", async () => {
    const { db } = dataDb();
    const server = await start({ ILS_DB: db, ILS_CLAUDE_BIN: FAKE_CLAUDE });
    const health = (await (await fetch(`${server.url}/health`)).json()) as Record<string, unknown>;
    expect(health).toEqual({
      status: "ok",
      version: expect.any(String),
      database: { ok: true },
      claudeAvailable: true,
      claudeVersion: "2.1.197 (Claude Code, fake)",
      port: server.port,
    });
    expect(() => ios.health(health, "HealthResponse")).not.toThrow();
    expect(JSON.stringify(health)).not.toContain(db);
    expect(JSON.stringify(health)).not.toContain(FAKE_CLAUDE);
  });
});

describe("configuration errors quote the value and name the variable", () => {
  it('ILS_PORT=abc exits non-zero with `ILS_PORT: "abc" is not a port number`', async () => {
    const { db } = dataDb();
    const run = await runServerToExit({ ILS_DB: db, ILS_PORT: "abc" });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.output).toContain(`ILS_PORT: "abc" is not a port number (0-65535)`);
    expect(run.output).not.toContain("NaN");
    expect(existsSync(db)).toBe(false);
  });

  it("out of range and non-integer values are quoted too", async () => {
    const { db } = dataDb();
    const run = await runServerToExit({ ILS_DB: db, ILS_PORT: "70000", ILS_KILL_GRACE_MS: "1.5", ILS_SYNC: "sometimes" });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`ILS_PORT: "70000" is not a port number (0-65535)`);
    expect(run.output).toContain(`ILS_KILL_GRACE_MS: "1.5" is not a number of milliseconds`);
    expect(run.output).toContain(`ILS_SYNC: "sometimes" is not one of off, start, watch`);
  });

  it("a too-short ILS_TOKEN is refused without printing it", async () => {
    const { db } = dataDb();
    const run = await runServerToExit({ ILS_DB: db, ILS_PORT: "0", ILS_TOKEN: "short-secret" });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("ILS_TOKEN: must be at least 16 characters");
    expect(run.output).not.toContain("short-secret");
  });

  it("an ILS_DB under a regular file names ILS_DB and the file, not mkdir's EEXIST", async () => {
    const { root } = dataDb();
    const file = join(root, "a-file");
    writeFileSync(file, "not a folder");
    const run = await runServerToExit({ ILS_DB: join(file, "data", "ils.db"), ILS_PORT: "0" });
    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    expect(run.output).toContain(`ILS_DB: ${join(file, "data", "ils.db")} cannot be created: ${file} is a file, not a folder`);
    expect(run.output).not.toMatch(/EEXIST|ENOTDIR/);
  });

  it("an ILS_DB that is not an SQLite file names ILS_DB and leaves the file alone", async () => {
    const { db } = dataDb();
    writeFileSync(db, "some notes, not a database\n".repeat(100));
    const run = await runServerToExit({ ILS_DB: db, ILS_PORT: "0" });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`ILS_DB: ${db} is not an SQLite database`);
    expect(readFileSync(db, "utf8")).toBe("some notes, not a database\n".repeat(100));
  });
});

describe("log format", () => {
  it("decides pretty for a terminal and JSON otherwise, unless ILS_LOG_FORMAT says", () => {
    expect([usePrettyLogs("auto", true), usePrettyLogs("auto", false)]).toEqual([true, false]);
    expect([usePrettyLogs("json", true), usePrettyLogs("pretty", false)]).toEqual([false, true]);
  });

  it.skipIf(!HAS_SCRIPT)("under a pseudo-terminal: pretty lines, no JSON; with ILS_LOG_FORMAT=json: JSON", async () => {
    const pretty = await underTerminal({});
    expect(pretty).toMatch(
      // eslint-disable-next-line no-control-regex -- matches the terminal colour escapes (ESC) around the level
      /^\[\d\d:\d\d:\d\d\.\d{3}\] (\x1b\[\d+m)?INFO(\x1b\[\d+m)?: .*listening on http:\/\/127\.0\.0\.1:\d+; database .*2\.1\.197/m,
    );
    expect(pretty).not.toContain(`{"level"`);
    const json = await underTerminal({ ILS_LOG_FORMAT: "json" });
    expect(json).toMatch(/^\{"level":30,.*"startup"/m);
  });

  it("pretty lines are written synchronously: the last line before exit (`stopped`) is not lost", async () => {
    const { db } = dataDb();
    const server = await start({ ILS_DB: db, ILS_CLAUDE_BIN: FAKE_CLAUDE, ILS_LOG_LEVEL: "info", ILS_LOG_FORMAT: "pretty", NO_COLOR: "1" });
    await waitFor(server.output, /listening on/);
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    expect(server.output()).toMatch(/^\[[\d:.]+\] INFO: stopped \{"signal":"SIGTERM","ms":\d+\}$/m);
  });
});

/** Runs the server under `script` until its start line, then stops it with SIGTERM; returns what the terminal showed. */
async function underTerminal(env: Record<string, string>): Promise<string> {
  const { db } = dataDb();
  const port = await freePort();
  const child = spawn("script", ["-qec", `exec ${process.execPath} --import tsx ${MAIN}`, "/dev/null"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ILS_DB: db,
      ILS_PORT: String(port),
      ILS_SYNC: "off",
      ILS_LOG_LEVEL: "info",
      ILS_PROJECT_ROOTS: TEST_PROJECT_ROOTS,
      ILS_CLAUDE_BIN: FAKE_CLAUDE,
      ...env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitFor(() => output, /listening on/);
  } finally {
    child.kill("SIGTERM"); // `script` ends the server it runs

    await exited;
  }
  // The server is gone with it: the port is free again.
  await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  return output.replaceAll("\r\n", "\n");
}

describe("ils sync without transcripts", () => {
  function sync(claudeDir: string, db: string) {
    const env = { ...process.env, ILS_LOG_LEVEL: "", ILS_DB: "", ILS_CLAUDE_DIR: "" };
    return spawnSync(process.execPath, ["--import", "tsx", CLI, "sync", "--json", "--claude-dir", claudeDir, "--db", db], {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
  }

  it("warns on stderr for a missing --claude-dir and for one without projects/, and not for a real one", () => {
    const { root, db } = dataDb();
    const missing = sync("/nonexistent", db);
    expect(missing.status, missing.stderr).toBe(0);
    expect(missing.stderr).toContain("warning: /nonexistent does not exist");
    expect(JSON.parse(missing.stdout)).toMatchObject({ files: 0 });

    const claude = join(root, "claude");
    mkdirSync(claude);
    const empty = sync(claude, db);
    expect(empty.status, empty.stderr).toBe(0);
    expect(empty.stderr).toContain(`warning: ${claude} has no projects/ folder`);

    mkdirSync(join(claude, "projects"));
    const real = sync(claude, db);
    expect(real.status, real.stderr).toBe(0);
    expect(real.stderr).not.toContain("warning");
  });
});
