import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SERVER_VERSION } from "../../src/version.ts";
import { freePort } from "../support/server-process.ts";
import { FIXTURES, REPO_ROOT, tempDir } from "../support/temp.ts";

const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
const FAKE_CLAUDE = join(REPO_ROOT, "tools", "fake-claude", "fake-claude.mjs");
const SID = "c278289d-b3a8-42bf-9ac2-43b544bebace";
const dir = tempDir("ils-cli-");
afterAll(() => dir.cleanup());

/** The environment of a user with nothing configured but a database and a Claude folder of the test's own. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: dir.path, HOME: dir.path, XDG_CONFIG_HOME: "" };
  for (const key of Object.keys(env)) if (key.startsWith("ILS_") || key === "CLAUDE_CONFIG_DIR") delete env[key];
  return { ...env, ILS_DB: join(dir.path, "data", "ils.db"), ILS_CLAUDE_DIR: join(dir.path, "claude"), ...extra };
}

function ils(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: REPO_ROOT,
    env: userEnv(extra),
    encoding: "utf8",
    timeout: 60_000,
  });
}

describe("ils (the command)", () => {
  it("--version prints the server's version; --help lists every command; each command has its --help", () => {
    const version = ils(["--version"]);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(SERVER_VERSION);

    const help = ils(["--help"]);
    expect(help.status).toBe(0);
    for (const command of ["serve", "sync", "sessions", "search", "token", "config", "doctor", "service"])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    const helps: [string[], RegExp][] = [
      [["serve"], /run the server/],
      [["sync"], /--direct/],
      [["sessions", "list"], /--project <path>/],
      [["sessions", "show"], /<id>/],
      [["sessions", "export"], /--format <format>/],
      [["search"], /<query\.\.\.>/],
      [["token"], /random token/],
      [["config"], /secrets masked/],
      [["doctor"], /port/],
      [["service", "install"], /--dry-run/],
    ];
    for (const [command, expected] of helps) {
      const result = ils([...command, "--help"]);
      expect(result.status, command.join(" ")).toBe(0);
      expect(result.stdout, command.join(" ")).toMatch(expected);
    }
  });

  it("bad usage exits 2 and says what was wrong", () => {
    const unknown = ils(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const badFormat = ils(["sessions", "export", SID, "--format", "pdf"]);
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toMatch(/--format: must be jsonl or markdown/);
    const badConfig = ils(["config"], { ILS_PORT: "abc" });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toMatch(/ILS_PORT/);
  });

  it("token prints a new 32-byte base64url token each time", () => {
    const first = ils(["token"]).stdout.trim();
    const second = ils(["token"]).stdout.trim();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(first, "base64url")).toHaveLength(32);
    expect(second).not.toBe(first);
  });

  it("config prints each effective setting with its source and masks the token", () => {
    const token = "s3cret-token-value-0123456789";
    const result = ils(["config"], { ILS_TOKEN: token, ILS_PORT: "4321" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(token);
    expect(result.stdout).toMatch(/^ILS_PORT\s+4321\s+env$/m);
    expect(result.stdout).toMatch(/^ILS_HOST\s+127\.0\.0\.1\s+default$/m);
    expect(result.stdout).toMatch(/^ILS_TOKEN\s+s3\*{8} \(29 characters\)\s+env$/m);
    const json = JSON.parse(ils(["config", "--json"], { ILS_TOKEN: token }).stdout) as {
      variable: string;
      value: string;
      source: string;
    }[];
    expect(json.find((s) => s.variable === "ILS_DB")).toEqual({
      variable: "ILS_DB",
      value: join(dir.path, "data", "ils.db"),
      source: "env",
    });
    expect(JSON.stringify(json)).not.toContain(token);
  });

  it("doctor reports Claude and its version, the database, the folders and the port, and never creates the database", () => {
    const result = ils(["doctor"], { ILS_CLAUDE_BIN: FAKE_CLAUDE, ILS_PORT: "0" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^ok\\s+claude\\s+${FAKE_CLAUDE.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(ILS_CLAUDE_BIN, 2\\.1\\.197 \\(Claude Code, fake\\)\\)$`,
        "m",
      ),
    );
    expect(result.stdout).toMatch(/^ok\s+database\s+.*ils\.db: not created yet/m);
    expect(result.stdout).toMatch(/^warn\s+claude folder\s+.*projects does not exist/m);
    expect(result.stdout).toMatch(/^ok\s+port\s+127\.0\.0\.1:0 is free$/m);
    expect(existsSync(join(dir.path, "data", "ils.db"))).toBe(false);

    const missing = ils(["doctor"], { ILS_CLAUDE_BIN: "/nope/claude" });
    expect(missing.status).toBe(0);
    expect(missing.stdout).toMatch(/^warn\s+claude\s+\/nope\/claude not found/m);
    const noProjectDir = ils(["doctor"], { ILS_DEFAULT_PROJECT_DIR: join(dir.path, "gone") });
    // The project roots check refuses it while reading the settings: a bad setting, named, exit 2.
    expect(noProjectDir.status).toBe(2);
    expect(noProjectDir.stderr).toContain("ILS_DEFAULT_PROJECT_DIR");
  });

  it("sync, then sessions list/show/export and search read what was imported; doctor sees the migrated schema", () => {
    const project = join(dir.path, "claude", "projects", "-home-user-project-simple");
    mkdirSync(project, { recursive: true });
    copyFileSync(
      join(FIXTURES, "generated/01-simple/transcripts/-home-user-project-simple", `${SID}.jsonl`),
      join(project, `${SID}.jsonl`),
    );
    const sync = ils(["sync", "--json"]);
    expect(sync.status, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ sessionsCreated: 1 });

    const list = JSON.parse(ils(["sessions", "list", "--json"]).stdout) as { items: { id: string; messageCount: number }[]; total: number };
    expect(list.total).toBe(1);
    const id = list.items[0]!.id;
    const table = ils(["sessions", "list"]);
    expect(table.stdout).toMatch(new RegExp(`^\\S+\\s+${id}\\s+${list.items[0]!.messageCount}\\s+external`, "m"));

    const show = ils(["sessions", "show", id]);
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^id\\s+${id}$`, "m"));
    expect(show.stdout).toMatch(/^source\s+external$/m);
    const unknown = ils(["sessions", "show", "00000000-0000-4000-8000-000000000000"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);

    // JSONL export: the transcript's lines byte for byte (what was imported), to stdout or a file.
    const source = readFileSync(join(project, `${SID}.jsonl`), "utf8")
      .split("\n")
      .filter(Boolean);
    const exported = ils(["sessions", "export", id]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout.split("\n").filter(Boolean)).toHaveLength(list.items[0]!.messageCount);
    for (const line of exported.stdout.split("\n").filter(Boolean)) expect(source).toContain(line);
    expect(ils(["sessions", "export", id, "--format", "markdown", "-o", "out.md"]).status).toBe(0);
    expect(readFileSync(join(dir.path, "out.md"), "utf8")).toMatch(/^# /);

    const firstWord = (
      JSON.parse(source.find((l) => l.includes('"type":"user"'))!) as { message: { content: string | { text?: string }[] } }
    ).message.content;
    const word = (typeof firstWord === "string" ? firstWord : (firstWord.find((b) => b.text)?.text ?? "")).match(/[A-Za-z]{4,}/)![0];
    const hits = JSON.parse(ils(["search", word, "--json"]).stdout) as { items: { sessionId: string }[] };
    expect(hits.items.length).toBeGreaterThan(0);
    expect(hits.items[0]!.sessionId).toBe(id);
    expect(ils(["search", "zzzqqqnotaword"]).stderr).toMatch(/^0 of 0 hits$/m);

    const doctor = ils(["doctor"]);
    expect(doctor.stdout).toMatch(/^ok\s+database\s+.*ils\.db \([\d.]+ [KM]B\), schema up to date \(\d+ migrations\)$/m);
    expect(doctor.stdout).toMatch(/^ok\s+claude folder\s+.*\(1 project folders to import\)$/m);
  });

  it("serve starts the server, which answers /health, and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "serve"], {
      cwd: REPO_ROOT,
      env: userEnv({ ILS_PORT: String(port), ILS_SYNC: "off", ILS_LOG_LEVEL: "warn", ILS_DB: join(dir.path, "data", "serve.db") }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let health: Response | undefined;
    for (let i = 0; i < 300 && !health?.ok; i++) {
      health = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
      if (!health?.ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(health?.status, output).toBe(200);
    expect(await health!.json()).toMatchObject({ version: SERVER_VERSION });
    // The port is taken by this server: doctor says so instead of calling it a conflict.
    expect(ils(["doctor"], { ILS_PORT: String(port) }).stdout).toMatch(
      new RegExp(`^ok\\s+port\\s+127\\.0\\.0\\.1:${port} is in use by a running ILS server \\(${SERVER_VERSION}\\)$`, "m"),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(statSync(join(dir.path, "data", "serve.db")).size).toBeGreaterThan(0);
  });
});
