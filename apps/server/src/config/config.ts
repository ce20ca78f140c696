import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import {
  expandHome,
  isWithin,
  realDirectory,
  realPathOfMaybeMissing,
  resolveProjectDirectory,
  type ProjectRootRules,
} from "../projects/project-path.ts";
import { defaultClaudeDir, defaultDatabasePath } from "./paths.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const HOST_PATTERN = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;

function commaList(value: string): string[] {
  return value
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== "");
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value.replace(/\/$/, "");
  } catch {
    return false;
  }
}

/** A whole number written in decimal digits, so "abc", "1e3" or "12.5" are refused with the given text quoted (not "received NaN"). */
function wholeNumber(what: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `is not ${what}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `is not ${what}`);
}

/** An enum whose refusal lists the choices. */
function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, { error: `is not one of ${choices.join(", ")}` });
}

/** Variables whose value never appears in a message (or a log). */
const SECRET_VARIABLES = new Set(["ILS_TOKEN"]);

const EnvSchema = z.object({
  ILS_HOST: z.string().min(1).default("127.0.0.1"),
  ILS_PORT: wholeNumber("a port number (0-65535)", 0, 65535).default(9999),
  ILS_DB: z.string().min(1).optional(),
  ILS_TOKEN: z
    .string()
    .refine((token) => token.trim() !== "", "must not be all whitespace")
    .refine((token) => token.length >= 16, "must be at least 16 characters (`pnpm ils token` makes one)")
    .optional(),
  /** Extra `Host` names that reach this server (a tunnel's or a tailnet's name), comma separated. */
  ILS_ALLOWED_HOSTS: z
    .string()
    .transform(commaList)
    .refine(
      (hosts) => hosts.every((host) => HOST_PATTERN.test(host)),
      "is not a comma-separated list of host names or addresses, each optionally with :port ([::1]:9999 for IPv6)",
    )
    .default([]),
  /** Browser origins other than the server's own that may call it (`https://app.example`), comma separated. */
  ILS_ALLOWED_ORIGINS: z
    .string()
    .transform(commaList)
    .refine(
      (origins) => origins.every(isOrigin),
      "is not a comma-separated list of origins: http(s)://host[:port], no path (`null` is never allowed)",
    )
    .transform((origins) => origins.map((origin) => new URL(origin).origin))
    .default([]),
  /** The Claude Code executable; unset: `claude` on PATH, else the CLI bundled with the Agent SDK. */
  ILS_CLAUDE_BIN: z.string().min(1).optional(),
  ILS_CLAUDE_DIR: z.string().min(1).optional(),
  /** Where a session without a project directory runs Claude Code (the iOS app never sends a path). */
  ILS_DEFAULT_PROJECT_DIR: z.string().min(1).optional(),
  /** The folders Claude Code may run in (and below), separated by the path delimiter or commas. */
  ILS_PROJECT_ROOTS: z.string().min(1).optional(),
  ILS_LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `auto`: pretty lines when stderr (where logs go) is a terminal, JSON otherwise. */
  ILS_LOG_FORMAT: oneOf(["auto", "pretty", "json"]).default("auto"),
  ILS_SYNC: oneOf(["off", "start", "watch"]).default("watch"),
  /** A run with no output for this long is stopped (ms). */
  ILS_RUN_IDLE_TIMEOUT_MS: wholeNumber("a number of milliseconds (1 or more)", 1).default(10 * 60_000),
  /** Cancel/shutdown interrupt the turn first; the whole process tree is killed after this grace period (ms). */
  ILS_KILL_GRACE_MS: wholeNumber("a number of milliseconds (1 or more)", 1).default(1_000),
  /** A Claude output line longer than this fails the run (bytes; never buffered whole). */
  ILS_MAX_LINE_BYTES: wholeNumber("a number of bytes (1024 or more)", 1024).default(16 * 1024 * 1024),
  /** An unanswered permission request is denied after this long: `600`, `600s`, `10m` or `500ms`. */
  ILS_PERMISSION_TIMEOUT: z
    .string()
    .regex(/^\d+(ms|s|m)?$/, "is not a duration like 600, 600s, 10m or 500ms")
    .default("10m"),
  /** A finished run's Claude process is kept this long for the session's next prompt (0: never). */
  ILS_WARM_SECONDS: wholeNumber("a number of seconds (0 or more)", 0).default(300),
  /** At most this many warm processes (least recently used first out; 0: none). */
  ILS_WARM_MAX: wholeNumber("a whole number (0 or more)", 0).default(4),
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
  /** `Host` names served besides loopback and this machine's addresses (see http/request-guard.ts). */
  allowedHosts: string[];
  /** Browser origins allowed besides the server's own. */
  allowedOrigins: string[];
  /** ILS_CLAUDE_BIN as given (undefined: found at start, see chat/claude-cli.ts). */
  claudeBin: string | undefined;
  claudeDir: string;
  /** Real path, checked against the roots at start. */
  defaultProjectDir: string;
  /** Real paths of ILS_PROJECT_ROOTS. */
  projectRoots: string[];
  /** Real path of the folder of ILS_DB: excluded from every root. */
  dataDir: string;
  logLevel: z.infer<typeof EnvSchema>["ILS_LOG_LEVEL"];
  logFormat: z.infer<typeof EnvSchema>["ILS_LOG_FORMAT"];
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
    const lines = parsed.error.issues.map((issue) => describeIssue(issue, cleaned));
    throw new ConfigError(`invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  const e = parsed.data;
  if (!LOOPBACK.has(e.ILS_HOST) && !e.ILS_TOKEN) {
    throw new ConfigError(
      `ILS_HOST: refusing to listen on ${e.ILS_HOST} without ILS_TOKEN: anyone on the network could run Claude Code on this machine. Set ILS_TOKEN or bind 127.0.0.1.`,
    );
  }
  const absolute = (p: string) => (isAbsolute(p) ? p : resolve(p));
  const databasePath = absolute(e.ILS_DB ?? defaultDatabasePath());
  const rules = projectRootRules(e.ILS_PROJECT_ROOTS, databasePath);
  return {
    host: e.ILS_HOST,
    port: e.ILS_PORT,
    databasePath,
    token: e.ILS_TOKEN,
    allowedHosts: e.ILS_ALLOWED_HOSTS,
    allowedOrigins: e.ILS_ALLOWED_ORIGINS,
    claudeBin: e.ILS_CLAUDE_BIN,
    claudeDir: absolute(e.ILS_CLAUDE_DIR ?? defaultClaudeDir()),
    defaultProjectDir: defaultProjectDir(e.ILS_DEFAULT_PROJECT_DIR, rules),
    projectRoots: [...rules.roots],
    dataDir: rules.dataDir,
    logLevel: e.ILS_LOG_LEVEL,
    logFormat: e.ILS_LOG_FORMAT,
    sync: e.ILS_SYNC,
    runIdleTimeoutMs: e.ILS_RUN_IDLE_TIMEOUT_MS,
    killGraceMs: e.ILS_KILL_GRACE_MS,
    maxLineBytes: e.ILS_MAX_LINE_BYTES,
    permissionTimeoutMs: durationMs(e.ILS_PERMISSION_TIMEOUT),
    warmSeconds: e.ILS_WARM_SECONDS,
    warmMax: e.ILS_WARM_MAX,
  };
}

/** `ILS_PORT: "abc" is not a port number (0-65535)`: the variable, the value as given (unless secret), what is wrong. */
function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0]);
  const value = env[name];
  if (value === undefined || SECRET_VARIABLES.has(name)) return `${name}: ${issue.message}`;
  return `${name}: ${JSON.stringify(value)} ${issue.message}`;
}

/** Each root as a real, existing directory outside the data folder (a root may contain the data folder). */
function projectRootRules(value: string | undefined, databasePath: string): ProjectRootRules {
  const dataDir = realPathOfMaybeMissing(dirname(databasePath));
  const entries =
    value === undefined
      ? [homedir()]
      : value
          .split(new RegExp(`[,${delimiter}]`))
          .map((r) => r.trim())
          .filter(Boolean);
  if (entries.length === 0) throw new ConfigError("ILS_PROJECT_ROOTS: names no folder");
  const roots = entries.map((entry) => {
    const real = asConfigError(() => realDirectory(resolve(expandHome(entry)), "ILS_PROJECT_ROOTS"));
    if (isWithin(real, dataDir)) {
      throw new ConfigError(
        `ILS_PROJECT_ROOTS: ${entry} is the server's data folder ${dataDir} (the folder of ILS_DB) or inside it, where Claude Code never runs; keep ILS_DB in a folder of its own`,
      );
    }
    return real;
  });
  return { roots, dataDir };
}

/** ILS_DEFAULT_PROJECT_DIR must pass the same check as any project; unset, it is home (or the first root when home is outside them). */
function defaultProjectDir(value: string | undefined, rules: ProjectRootRules): string {
  const chosen = value ?? (rules.roots.some((root) => isWithin(realPathOfMaybeMissing(homedir()), root)) ? homedir() : rules.roots[0]!);
  return asConfigError(() => resolveProjectDirectory(resolve(expandHome(chosen)), "ILS_DEFAULT_PROJECT_DIR", rules));
}

/** The path checks throw AppErrors naming the variable; at start they stop the server as a ConfigError. */
function asConfigError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw error instanceof AppError ? new ConfigError(error.message) : error;
  }
}
