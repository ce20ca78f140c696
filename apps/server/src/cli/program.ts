import { Command } from "commander";
import { serve } from "../serve.ts";
import { SERVER_VERSION } from "../version.ts";
import { addConfigCommand } from "./config-command.ts";
import { addDoctorCommand } from "./doctor-command.ts";
import { cliConfig } from "./local-services.ts";
import { addSearchCommand } from "./search-command.ts";
import { addServiceCommand } from "./service/service-command.ts";
import { addSessionsCommand } from "./sessions-command.ts";
import { runSyncCommand } from "./sync-command.ts";
import { generateToken } from "./token.ts";

/** The `ils` command: every subcommand calls the same services the server runs; none of them writes SQL. */
export function createProgram(): Command {
  const program = new Command("ils")
    .description("ILS server: runs Claude Code on this machine for the ILS iOS app and typed clients, and keeps every session in SQLite")
    .version(SERVER_VERSION, "-V, --version", "print the version")
    .showHelpAfterError()
    // Commander errors become exit codes in main.ts (2 = bad usage) instead of exiting from inside the parser.
    .exitOverride();

  program
    .command("serve")
    .description("run the server (settings from ILS_* variables; see `ils config`)")
    .action(() => serve());

  program
    .command("sync")
    .description(
      "import Claude Code's own sessions (<claude-dir>/projects) into the ILS database; exit 3 when some files could not be read (listed on stderr)",
    )
    .option("--watch", "keep running and import new lines as Claude writes them")
    .option("--claude-dir <dir>", "Claude's config folder (default: ILS_CLAUDE_DIR, $CLAUDE_CONFIG_DIR or ~/.claude)")
    .option("--db <file>", "SQLite file (default: ILS_DB or ~/.ils/ils.db)")
    .option("--json", "print the scan report as one JSON object")
    .option(
      "--direct",
      "write the database from here even when a server runs on it (by default that server is asked to scan, with ILS_TOKEN)",
    )
    .action(async (opts: { watch?: boolean; json?: boolean; direct?: boolean; db?: string; claudeDir?: string }) => {
      const config = cliConfig(opts);
      const options = { watch: Boolean(opts.watch), json: Boolean(opts.json), direct: Boolean(opts.direct) };
      try {
        process.exitCode = await runSyncCommand(config, options);
      } catch (error) {
        process.stderr.write(`sync failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });

  addSessionsCommand(program);
  addSearchCommand(program);

  program
    .command("token")
    .description("print a new random token for ILS_TOKEN (32 bytes, base64url)")
    .action(() => console.log(generateToken()));

  addConfigCommand(program);
  addDoctorCommand(program);
  addServiceCommand(program);
  return program;
}
