import type { HealthStatus } from "@ils/contracts";
import { probeClaude, type ClaudeCli } from "../chat/claude-cli.ts";
import type { Database } from "../db/database.ts";
import { databaseAnswers } from "../db/health-probe.ts";
import { SERVER_VERSION } from "../version.ts";

const CLAUDE_CHECK_TTL_MS = 60_000;

/** Liveness plus what a client needs to know before sending a prompt; says nothing private. */
export class HealthService {
  private claude: { at: number; value: Promise<HealthStatus["claude"]> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly cli: ClaudeCli,
  ) {}

  async check(): Promise<HealthStatus> {
    const databaseOk = databaseAnswers(this.db);
    const claude = await this.claudeStatus();
    return { status: databaseOk ? "ok" : "degraded", version: SERVER_VERSION, database: { ok: databaseOk }, claude };
  }

  private claudeStatus(): Promise<HealthStatus["claude"]> {
    if (!this.claude || Date.now() - this.claude.at > CLAUDE_CHECK_TTL_MS) {
      const { bin, source } = this.cli;
      this.claude = { at: Date.now(), value: probeClaude(bin).then((p) => ({ ...p, path: bin, source })) };
    }
    return this.claude.value;
  }
}
