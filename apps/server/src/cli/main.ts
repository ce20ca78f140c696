import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../config/config.ts";
import { runSyncCommand } from "./sync-command.ts";

const USAGE = `usage: pnpm ils sync [--watch] [--claude-dir DIR] [--db FILE] [--json] [--direct]

  sync          import Claude Code's own sessions (<claude-dir>/projects) into the ILS database
  --watch       keep running and import new lines as Claude writes them
  --claude-dir  Claude's config folder (default: ILS_CLAUDE_DIR, $CLAUDE_CONFIG_DIR or ~/.claude)
  --db          SQLite file (default: ILS_DB or ~/.ils/ils.db)
  --json        print the scan report as one JSON object
  --direct      write the database from here even when a server runs on it (by default that server is
                asked to scan, with ILS_TOKEN when set)

exit codes: 0 imported, 1 could not run, 2 bad usage, 3 some files could not be read (listed on stderr)
`;

/** Exit codes: 0 the scan ran (even with malformed lines), 1 it could not run, 2 bad usage, 3 files failed. */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        watch: { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        direct: { type: "boolean", default: false },
        "claude-dir": { type: "string" },
        db: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "sync") {
    process.stderr.write(USAGE);
    return 2;
  }
  // `pnpm ils` runs in apps/server; relative paths mean the folder the user typed the command in.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  let config;
  try {
    config = loadConfig({
      ...process.env,
      ...(values.db ? { ILS_DB: resolve(cwd, values.db) } : {}),
      ...(values["claude-dir"] ? { ILS_CLAUDE_DIR: resolve(cwd, values["claude-dir"]) } : {}),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    return await runSyncCommand(config, { watch: values.watch, json: values.json, direct: values.direct });
  } catch (err) {
    process.stderr.write(`sync failed: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
