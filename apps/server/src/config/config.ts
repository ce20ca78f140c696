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
  /** The Claude Code executable; unset: `claude` on PATH, else the CLI bundled with the Agent SDK. */
  ILS_CLAUDE_BIN: z.string().min(1).optional(),
  ILS_CLAUDE_DIR: z.string().min(1).optional(),
  /** Where a session without a project directory runs Claude Code (the iOS app never sends a path). */
  ILS_DEFAULT_PROJECT_DIR: z.string().min(1).optional(),
  ILS_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ILS_SYNC: z.enum(["off", "start", "watch"]).default("watch"),
  /** A run with no output for this long is stopped (ms). */
  ILS_RUN_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(10 * 60_000),
  /** Cancel/shutdown interrupt the turn first; the whole process tree is killed after this grace period (ms). */
  ILS_KILL_GRACE_MS: z.coerce.number().int().positive().default(1_000),
  /** A Claude output line longer than this fails the run (bytes; never buffered whole). */
  ILS_MAX_LINE_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  /** An unanswered permission request is denied after this long: `600`, `600s`, `10m` or `500ms`. */
  ILS_PERMISSION_TIMEOUT: z
    .string()
    .regex(/^\d+(ms|s|m)?$/, "must be a duration like 600, 600s, 10m or 500ms")
    .default("10m"),
  /** A finished run's Claude process is kept this long for the session's next prompt (0: never). */
  ILS_WARM_SECONDS: z.coerce.number().int().min(0).default(300),
  /** At most this many warm processes (least recently used first out; 0: none). */
  ILS_WARM_MAX: z.coerce.number().int().min(0).default(4),
});

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text)!;
  const n = Number(match[1]);
  return match[2] === "ms" ? n : match[2] === "m" ? n * 60_000 : n * 1000;
}

export interface Config {
  host: string;
  port: number;
  databasePath: string;
  token: string | undefined;
  /** ILS_CLAUDE_BIN as given (undefined: found at start, see chat/claude-cli.ts). */
  claudeBin: string | undefined;
  claudeDir: string;
  defaultProjectDir: string;
  logLevel: z.infer<typeof EnvSchema>["ILS_LOG_LEVEL"];
  sync: z.infer<typeof EnvSchema>["ILS_SYNC"];
  runIdleTimeoutMs: number;
  killGraceMs: number;
  maxLineBytes: number;
  permissionTimeoutMs: number;
  warmSeconds: number;
  warmMax: number;
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
    maxLineBytes: e.ILS_MAX_LINE_BYTES,
    permissionTimeoutMs: durationMs(e.ILS_PERMISSION_TIMEOUT),
    warmSeconds: e.ILS_WARM_SECONDS,
    warmMax: e.ILS_WARM_MAX,
  };
}
