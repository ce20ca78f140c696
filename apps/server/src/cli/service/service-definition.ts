import { serverEnvironment } from "../../config/config-sources.ts";

/** What a service manager needs to run `ils serve` as it runs now. */
export interface ServiceDefinition {
  /** The program and its arguments: this node, its flags (e.g. `--import tsx` from sources), this CLI, `serve`. */
  command: string[];
  workingDirectory: string;
  /** ILS_* settings as now configured, plus PATH so `claude` (a node script) and `node` resolve. */
  environment: Record<string, string>;
  /** ILS_TOKEN, kept apart so it lands in a file only its owner can read. */
  token: string | undefined;
}

export function currentServiceDefinition(home: string): ServiceDefinition {
  const { ILS_TOKEN: token, ...settings } = serverEnvironment();
  const script = process.argv[1];
  if (!script) throw new Error("cannot tell which script is running");
  return {
    command: [process.execPath, ...process.execArgv, script, "serve"],
    // Flags like `--import tsx` resolve from the working folder, so a run from sources keeps it; an installed `ils` needs none.
    workingDirectory: process.execArgv.length ? process.cwd() : home,
    environment: { ...settings, ...(process.env.PATH ? { PATH: process.env.PATH } : {}) },
    token,
  };
}
