import type { HealthStatus } from "@ils/contracts";
import type { Config } from "../config/config.ts";
import { boundAddresses } from "./host-policy.ts";

const WILDCARD = /^http:\/\/(0\.0\.0\.0|\[::\])(?=:)/;

export interface StartLine {
  /** `warn` when Claude Code was not found: the server answers, but every run would fail. */
  level: "info" | "warn";
  /** Under one key, which pretty logs leave out (the message says it all); JSON logs keep it. */
  fields: { startup: Record<string, unknown> };
  message: string;
}

/**
 * The one log line at start: where to reach the server, which database it uses and which Claude Code it runs
 * (from the same health check `/health` answers). Never the token: the banner on stdout is the only place for it.
 */
export function startLine(url: string, config: Pick<Config, "host" | "databasePath" | "token">, health: HealthStatus): StartLine {
  const urls = reachableUrls(url, config.host);
  const fields = {
    startup: {
      urls,
      database: config.databasePath,
      databaseOk: health.database.ok,
      auth: config.token ? "token" : "none",
      claude: health.claude,
    },
  };
  const where = `listening on ${urls.join(", ")}; database ${config.databasePath}${health.database.ok ? "" : " (not answering)"}`;
  if (!health.claude.found) {
    return {
      level: "warn",
      fields,
      message: `${where}; Claude Code not found (${health.claude.path}, from ${health.claude.source}): runs will fail until it is installed or ILS_CLAUDE_BIN names it`,
    };
  }
  return {
    level: "info",
    fields,
    message: `${where}; Claude Code ${health.claude.version ?? "(version unknown)"} (${health.claude.path}, from ${health.claude.source})`,
  };
}

/** A wildcard bind is reached at each interface's address (link-local IPv6 left out: a URL cannot carry its zone). */
function reachableUrls(url: string, bindHost: string): string[] {
  if (!WILDCARD.test(url)) return [url];
  const port = new URL(url).port;
  const addresses = boundAddresses(bindHost).filter((address) => !address.startsWith("[fe80:"));
  return addresses.length ? [...new Set(addresses)].map((address) => `http://${address}:${port}`) : [url];
}
