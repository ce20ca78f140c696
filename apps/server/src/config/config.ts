import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defaultClaudeDir, defaultDatabasePath } from "./paths.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

const EnvSchema = z.object({
  ILS_HOST: z.string().min(1).default("127.0.0.1"),
  ILS_PORT: z.coerce.number().int().min(0).max(65535).default(9999),
  ILS_DB: z.string().min(1).optional(),
  ILS_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  ILS_CLAUDE_BIN: z.string().min(1).default("claude"),
  ILS_CLAUDE_DIR: z.string().min(1).optional(),
  /** Where a session without a project directory runs Claude Code (the iOS app never sends a path). */
  ILS_DEFAULT_PROJECT_DIR: z.string().min(1).optional(),
  ILS_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ILS_SYNC: z.enum(["off", "start", "watch"]).default("watch"),
  /** A run with no output for this long is stopped (ms). */
  ILS_RUN_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(10 * 60_000),
  /** SIGINT first; SIGKILL after this grace period (ms). */
  ILS_KILL_GRACE_MS: z.coerce.number().int().positive().default(5_000),
});

export interface Config {
  host: string;
  port: number;
  databasePath: string;
  token: string | undefined;
  claudeBin: string;
  claudeDir: string;
  defaultProjectDir: string;
  logLevel: z.infer<typeof EnvSchema>["ILS_LOG_LEVEL"];
  sync: z.infer<typeof EnvSchema>["ILS_SYNC"];
  runIdleTimeoutMs: number;
  killGraceMs: number;
}

export class ConfigError extends Error {}

/** Parses the environment once; a bad value names its variable. Empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith("ILS_") && value !== ""));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  if (!LOOPBACK.has(e.ILS_HOST) && !e.ILS_TOKEN) {
    throw new ConfigError(
      `ILS_HOST: refusing to listen on ${e.ILS_HOST} without ILS_TOKEN: anyone on the network could run Claude Code on this machine. Set ILS_TOKEN or bind 127.0.0.1.`,
    );
  }
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(p));
  return {
    host: e.ILS_HOST,
    port: e.ILS_PORT,
    databasePath: absolute(e.ILS_DB ?? defaultDatabasePath()),
    token: e.ILS_TOKEN,
    claudeBin: e.ILS_CLAUDE_BIN,
    claudeDir: absolute(e.ILS_CLAUDE_DIR ?? defaultClaudeDir()),
    defaultProjectDir: absolute(e.ILS_DEFAULT_PROJECT_DIR ?? homedir()),
    logLevel: e.ILS_LOG_LEVEL,
    sync: e.ILS_SYNC,
    runIdleTimeoutMs: e.ILS_RUN_IDLE_TIMEOUT_MS,
    killGraceMs: e.ILS_KILL_GRACE_MS,
  };
}
