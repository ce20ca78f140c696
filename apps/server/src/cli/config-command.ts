import type { Command } from "commander";
import { effectiveSettings } from "../config/config-sources.ts";
import { ConfigError } from "../config/config.ts";
import { CliError } from "./local-services.ts";
import { formatTable } from "./table.ts";

/** `ils config`: what the server would run with, and where each value came from (secrets masked). */
export function addConfigCommand(program: Command): void {
  program
    .command("config")
    .description("print the effective settings (from the environment or defaults), secrets masked")
    .option("--json", "print them as JSON")
    .action((opts: { json?: boolean }) => {
      let settings;
      try {
        settings = effectiveSettings();
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message, 2);
        throw error;
      }
      if (opts.json) return void process.stdout.write(`${JSON.stringify(settings)}\n`);
      process.stdout.write(
        formatTable(
          ["variable", "value", "source"],
          settings.map((s) => [s.variable, s.value, s.source]),
        ),
      );
    });
}
