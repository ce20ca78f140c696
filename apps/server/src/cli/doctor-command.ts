import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { MIGRATIONS_DIR, migrationStatus } from "../db/migrate.ts";
import { findClaudeCli, probeClaude } from "../chat/claude-cli.ts";
import { SERVER_VERSION } from "../version.ts";
import { formatBytes } from "./format.ts";
import { cliConfig } from "./local-services.ts";

type Level = "ok" | "warn" | "fail";
interface Check {
  level: Level;
  what: string;
  detail: string;
}

/** `ils doctor`: whether this machine can run the server as configured. Exit 1 only when it cannot start. */
export function addDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("check Claude Code, the database, the folders and the port the server would use")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .action(async (opts: { db?: string }) => {
      const config = cliConfig(opts);
      const checks = [
        { level: "ok", what: "ils", detail: `${SERVER_VERSION} on Node ${process.versions.node}` } satisfies Check,
        await checkClaude(config.claudeBin),
        checkDatabase(config.databasePath),
        ...checkFolders(config),
        await checkPort(config.host, config.port),
      ];
      for (const check of checks) process.stdout.write(`${check.level.padEnd(4)}  ${check.what.padEnd(14)}  ${check.detail}\n`);
      if (checks.some((check) => check.level === "fail")) process.exitCode = 1;
    });
}

async function checkClaude(configured: string | undefined): Promise<Check> {
  // The same lookup the server makes: ILS_CLAUDE_BIN, else `claude` on PATH, else the Agent SDK's bundled CLI.
  const cli = findClaudeCli(configured);
  const path = findExecutable(cli.bin);
  if (!path)
    return { level: "warn", what: "claude", detail: `${cli.bin} not found (set ILS_CLAUDE_BIN): the server starts, but chat cannot run` };
  const probe = await probeClaude(path);
  if (!probe.found) return { level: "warn", what: "claude", detail: `${path} did not run: the server starts, but chat cannot run` };
  return { level: "ok", what: "claude", detail: `${path} (${cli.source}, ${probe.version ?? "version unknown"})` };
}

/** Where a command name resolves on PATH (what spawn will run), or the path itself when it has a slash. */
function findExecutable(bin: string): string | undefined {
  const candidates = bin.includes("/")
    ? [resolve(bin)]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter(isAbsolute)
        .map((dir) => join(dir, bin));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/** Read only: never creates the file or applies a migration. */
function checkDatabase(path: string): Check {
  if (!existsSync(path)) return { level: "ok", what: "database", detail: `${path}: not created yet (created and migrated at first start)` };
  let db;
  try {
    db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
    const size = statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    const { applied, pending } = migrationStatus(db);
    const schema = pending.length
      ? `${pending.length} migration(s) pending, applied at next start: ${pending.join(", ")}`
      : `schema up to date (${applied} migrations)`;
    return { level: "ok", what: "database", detail: `${path} (${formatBytes(size)}), ${schema}` };
  } catch (error) {
    return { level: "fail", what: "database", detail: `${path}: ${(error as Error).message} (migrations: ${MIGRATIONS_DIR})` };
  } finally {
    db?.close();
  }
}

function checkFolders(config: Config): Check[] {
  const projects = join(config.claudeDir, "projects");
  const claudeDir: Check = existsSync(projects)
    ? { level: "ok", what: "claude folder", detail: `${config.claudeDir} (${readdirSync(projects).length} project folders to import)` }
    : { level: "warn", what: "claude folder", detail: `${projects} does not exist: nothing to import (set ILS_CLAUDE_DIR)` };
  const projectDir: Check = existsSync(config.defaultProjectDir)
    ? { level: "ok", what: "project folder", detail: `${config.defaultProjectDir} (where sessions without a project run)` }
    : { level: "fail", what: "project folder", detail: `${config.defaultProjectDir} does not exist (ILS_DEFAULT_PROJECT_DIR)` };
  return [claudeDir, projectDir];
}

async function checkPort(host: string, port: number): Promise<Check> {
  const address = `${host}:${port}`;
  const error = await new Promise<NodeJS.ErrnoException | undefined>((done) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => done(err));
    server.listen(port, host, () => server.close(() => done(undefined)));
  });
  if (!error) return { level: "ok", what: "port", detail: `${address} is free` };
  if (error.code !== "EADDRINUSE") return { level: "fail", what: "port", detail: `${address}: ${error.message}` };
  const running = await fetch(`http://${host.includes(":") ? `[${host}]` : host}:${port}/health`, { signal: AbortSignal.timeout(2_000) })
    .then(async (res) => ((await res.json()) as { version?: unknown }).version)
    .catch(() => undefined);
  return typeof running === "string"
    ? { level: "ok", what: "port", detail: `${address} is in use by a running ILS server (${running})` }
    : { level: "warn", what: "port", detail: `${address} is in use by another program (set ILS_PORT)` };
}
