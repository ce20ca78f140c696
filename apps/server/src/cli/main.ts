import { CommanderError } from "commander";
import { CliError } from "./local-services.ts";
import { createProgram } from "./program.ts";

/** Exit codes: 0 done, 1 the command failed, 2 bad usage or configuration. */
try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with exit code 0; everything else the parser rejects is bad usage.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof CliError) {
    process.stderr.write(`ils: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`ils: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
