import { loadConfig, type Config } from "./config.ts";

export interface EffectiveSetting {
  variable: string;
  /** The value the server would use, secrets masked. */
  value: string;
  /** `env` (set in the environment), `env CLAUDE_CONFIG_DIR` or `default`. */
  source: string;
}

/** Every ILS_* variable, the Config field it sets, and whether it is a secret. */
const SETTINGS: { variable: string; key: keyof Config; secret?: true }[] = [
  { variable: "ILS_HOST", key: "host" },
  { variable: "ILS_PORT", key: "port" },
  { variable: "ILS_DB", key: "databasePath" },
  { variable: "ILS_TOKEN", key: "token", secret: true },
  { variable: "ILS_CLAUDE_BIN", key: "claudeBin" },
  { variable: "ILS_CLAUDE_DIR", key: "claudeDir" },
  { variable: "ILS_DEFAULT_PROJECT_DIR", key: "defaultProjectDir" },
  { variable: "ILS_SYNC", key: "sync" },
  { variable: "ILS_RUN_IDLE_TIMEOUT_MS", key: "runIdleTimeoutMs" },
  { variable: "ILS_KILL_GRACE_MS", key: "killGraceMs" },
  { variable: "ILS_LOG_LEVEL", key: "logLevel" },
];

/** What `ils config` prints: the parsed configuration (loadConfig's rules, errors included) with where each value came from. */
export function effectiveSettings(env: NodeJS.ProcessEnv = process.env): EffectiveSetting[] {
  const config = loadConfig(env);
  return SETTINGS.map(({ variable, key, secret }) => {
    const raw = config[key];
    const fromEnv = env[variable] !== undefined && env[variable] !== "";
    let source = fromEnv ? "env" : "default";
    if (!fromEnv && variable === "ILS_CLAUDE_DIR" && env.CLAUDE_CONFIG_DIR) source = "env CLAUDE_CONFIG_DIR";
    const value = raw === undefined ? "(none)" : secret ? mask(String(raw)) : String(raw);
    return { variable, value, source };
  });
}

/** Enough to tell two tokens apart, never enough to use one. */
function mask(secret: string): string {
  return `${secret.slice(0, 2)}${"*".repeat(8)} (${secret.length} characters)`;
}

/**
 * The variables a service definition must carry to run the server as now configured: each one set here (or,
 * for the Claude folder, implied by CLAUDE_CONFIG_DIR), with paths made absolute, since a service starts in
 * another folder and with another environment.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const config = loadConfig(env);
  const out: Record<string, string> = {};
  for (const { variable, key } of SETTINGS) {
    const set = env[variable] !== undefined && env[variable] !== "";
    if (set || (variable === "ILS_CLAUDE_DIR" && env.CLAUDE_CONFIG_DIR)) out[variable] = String(config[key]);
  }
  return out;
}
