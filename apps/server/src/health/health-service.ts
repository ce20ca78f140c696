import { execFile } from "node:child_process";
import type { HealthStatus } from "@ils/contracts";
import type { Database } from "../db/database.ts";
import { SERVER_VERSION } from "../version.ts";

const CLAUDE_CHECK_TTL_MS = 60_000;

/** Liveness plus what a client needs to know before sending a prompt; says nothing private. */
export class HealthService {
  private claude: { at: number; value: Promise<HealthStatus["claude"]> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly claudeBin: string,
  ) {}

  async check(): Promise<HealthStatus> {
    let databaseOk = true;
    try {
      this.db.prepare("SELECT 1").get();
    } catch {
      databaseOk = false;
    }
    const claude = await this.claudeStatus();
    return { status: databaseOk ? "ok" : "degraded", version: SERVER_VERSION, database: { ok: databaseOk }, claude };
  }

  private claudeStatus(): Promise<HealthStatus["claude"]> {
    if (!this.claude || Date.now() - this.claude.at > CLAUDE_CHECK_TTL_MS) {
      this.claude = { at: Date.now(), value: probeClaude(this.claudeBin) };
    }
    return this.claude.value;
  }
}

/** Runs `<bin> --version`; `found` is false only when there is no such executable. */
export function probeClaude(bin: string): Promise<HealthStatus["claude"]> {
  return new Promise((resolve) => {
    execFile(bin, ["--version"], { timeout: 5_000 }, (error, stdout) => {
      if (error && (error as NodeJS.ErrnoException).code === "ENOENT") return resolve({ found: false, version: null });
      const version = String(stdout).trim().split("\n")[0] || null;
      resolve({ found: !error || Boolean(version), version });
    });
  });
}
