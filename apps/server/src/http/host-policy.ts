import { networkInterfaces } from "node:os";
import type { Config } from "../config/config.ts";

/**
 * Which `Host` and `Origin` values name this server. A foreign Host is DNS rebinding (a page on evil.example
 * whose name now resolves to 127.0.0.1); a foreign Origin is a web page calling us (CSRF, cross-site WebSocket).
 */
export interface HostPolicy {
  hostAllowed(host: string | undefined): boolean;
  /** `own`: this server's origin; `listed`: in ILS_ALLOWED_ORIGINS (gets CORS headers); `false`: refused. */
  origin(origin: string): "own" | "listed" | false;
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];
const ALL_IPV4 = "0.0.0.0";
const ALL_INTERFACES = new Set([ALL_IPV4, "::", "[::]"]);

/** `Example.com:9999` -> `{ name: "example.com", port: 9999 }`; `[::1]:80` keeps the brackets. */
export function splitHost(value: string): { name: string; port: number | undefined } | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  return { name: match[1]!, port: match[2] === undefined ? undefined : Number(match[2]) };
}

const bracketed = (address: string) => (address.includes(":") && !address.startsWith("[") ? `[${address}]` : address);

/** The addresses the server listens on: the bind address, or every interface's when bound to all of them. */
export function boundAddresses(bindHost: string): string[] {
  if (!ALL_INTERFACES.has(bindHost)) return [bracketed(bindHost.toLowerCase())];
  // Read at each call: a laptop changes networks while the server runs. `0.0.0.0` accepts IPv4 only;
  // `::` accepts both (dual stack).
  return Object.values(networkInterfaces())
    .flat()
    .filter((info) => info !== undefined && (bindHost !== ALL_IPV4 || info.family === "IPv4"))
    .map((info) => bracketed(info!.address.toLowerCase()));
}

export function createHostPolicy(config: Pick<Config, "host" | "allowedHosts" | "allowedOrigins">, port: () => number): HostPolicy {
  const listed = config.allowedHosts.map((entry) => splitHost(entry)!);

  const hostAllowed = (value: string | undefined): boolean => {
    const host = value === undefined ? undefined : splitHost(value);
    if (!host) return false;
    // A Host without a port means the scheme's default: only right when we listen on 80.
    const ownPort = (host.port ?? 80) === port();
    if (ownPort && (LOOPBACK_NAMES.includes(host.name) || boundAddresses(config.host).includes(host.name))) return true;
    // A listed name without a port matches any port (a tunnel answers on 443 and forwards to us).
    return listed.some((entry) => entry.name === host.name && (entry.port === undefined || entry.port === host.port));
  };

  return {
    hostAllowed,
    origin(value) {
      if (value === "null") return false; // sandboxed iframes, file: pages, some redirects: never ours
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return false;
      }
      if (config.allowedOrigins.includes(url.origin)) return "listed";
      const web = url.protocol === "http:" || url.protocol === "https:";
      return web && hostAllowed(url.host) ? "own" : false;
    },
  };
}
