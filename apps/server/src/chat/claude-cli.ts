import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join, resolve } from "node:path";

export type ClaudeCliSource = "ILS_CLAUDE_BIN" | "PATH" | "bundled";

/** Which Claude Code executable runs, and where it was found. */
export interface ClaudeCli {
  bin: string;
  source: ClaudeCliSource;
}

/**
 * The user's own `claude` is preferred (ILS_CLAUDE_BIN, else `claude` on PATH); when there is none, the CLI
 * that `@anthropic-ai/claude-agent-sdk` installs (its per-platform package) is the fallback.
 */
export function findClaudeCli(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): ClaudeCli {
  // A relative path like `tools/fake-claude/fake-claude.mjs` means the server's cwd, not the project's.
  if (configured) return { bin: configured.includes("/") ? resolve(configured) : configured, source: "ILS_CLAUDE_BIN" };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "claude");
    if (isExecutable(candidate)) return { bin: candidate, source: "PATH" };
  }
  const bundled = bundledClaude();
  return bundled ? { bin: bundled, source: "bundled" } : { bin: "claude", source: "PATH" };
}

/** The SDK's platform binary, resolved from the SDK's own folder (pnpm links it there as an optional dependency). */
export function bundledClaude(): string | undefined {
  try {
    const sdk = createRequire(import.meta.url).resolve("@anthropic-ai/claude-agent-sdk");
    const fromSdk = createRequire(sdk);
    const base = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
    for (const name of [base, `${base}-musl`]) {
      try {
        const path = fromSdk.resolve(`${name}/claude${process.platform === "win32" ? ".exe" : ""}`);
        if (isExecutable(path)) return path;
      } catch {
        // not installed for this platform variant
      }
    }
  } catch {
    // the SDK is not installed
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `claude --version`'s first line; found false when the executable does not exist. */
export function probeClaude(bin: string): Promise<{ found: boolean; version: string | null }> {
  return new Promise((done) => {
    execFile(bin, ["--version"], { timeout: 10_000 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") return done({ found: false, version: null });
      const version = String(stdout).trim().split("\n")[0] || null;
      done({ found: !error || Boolean(version), version });
    });
  });
}
