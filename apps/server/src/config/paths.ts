import { homedir } from "node:os";
import { join } from "node:path";

export function defaultDatabasePath(): string {
  return join(homedir(), ".ils", "ils.db");
}

export function defaultClaudeDir(): string {
  return process.env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude");
}
