import { spawn } from "node:child_process";
import { join } from "node:path";
import { notBuilt, type Row } from "../support/row.ts";
import { REPO_ROOT } from "../support/paths.ts";
import { startServer } from "../support/server.ts";
import { createSession, lastSeq, wsRun } from "../support/stream-clients.ts";
import { fmt, median, percentile } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";
import { STAND_IN, streamingBuilt } from "./live-streams.ts";

const FAILED_TARGET = "0 failed runs";
const CLI = join(REPO_ROOT, "apps", "server", "src", "cli", "main.ts");
/** Concurrent chat streams while the sync writes. */
const STREAMS = 5;

/**
 * Measure 9. Chat runs while `ils sync --direct` imports the whole corpus into the server's own database file
 * (two processes, one file): failed runs (target 0), and the streaming latency during the sync beside the same
 * runs with no sync (first, on the same server).
 */
export async function measureChatBesideSync(ctx: BenchContext): Promise<Row[]> {
  const measure = "9. chat runs during a concurrent `ils sync --direct` (same DB)";
  if (!streamingBuilt()) return [notBuilt(measure, FAILED_TARGET, "chat streaming")];
  const lines = ctx.mode === "quick" ? 100 : 300;
  const prompt = `bench beside sync [bench lines=${lines} delay=2]`;
  const db = join(ctx.workDir, "beside-sync.db");
  const server = await startServer({ ILS_DB: db, ILS_CLAUDE_BIN: STAND_IN });
  try {
    const sessions = await Promise.all(Array.from({ length: STREAMS }, () => createSession(server.url, ctx.projectDir)));
    const runOnce = async (id: string) => wsRun(server.url, id, prompt, lines, 120_000, await lastSeq(server.url, id));
    // Warm-up, then the baseline: the same streams with no sync running.
    await Promise.all(sessions.map(runOnce));
    const quiet: number[] = [];
    for (let round = 0; round < 2; round += 1) quiet.push(...(await Promise.all(sessions.map(runOnce))).flatMap((r) => r.latencies));

    let syncing = true;
    let runs = 0;
    let failures = 0;
    let firstError: string | undefined;
    const during: number[] = [];
    const streams = sessions.map(async (id) => {
      while (syncing) {
        runs += 1;
        try {
          during.push(...(await runOnce(id)).latencies);
        } catch (error) {
          failures += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    });
    const started = performance.now();
    const sync = await runSync(db, ctx.manifest.claudeDir);
    const syncSeconds = (performance.now() - started) / 1000;
    syncing = false;
    await Promise.all(streams);
    const report = parseReport(sync.stdout);
    const failedFiles = report?.failedFiles.length ?? NaN;
    return [
      {
        measure,
        result: `${runs} runs (${STREAMS} streams), ${failures} failed; sync ${fmt(syncSeconds, 1)} s, exit ${sync.code}, ${report?.imported.toLocaleString("en-US") ?? "?"} rows, ${failedFiles} failed files`,
        baseline: "",
        ratio: "",
        target: `${FAILED_TARGET}, 0 failed files`,
        pass: failures === 0 && sync.code === 0 && failedFiles === 0,
        ...(firstError || sync.code !== 0 ? { note: (firstError ?? sync.stderr).slice(0, 200) } : {}),
      },
      {
        measure: `9. streaming latency during that sync, WS, ${during.length.toLocaleString("en-US")} msgs`,
        result: `p50 ${fmt(median(during))} / p99 ${fmt(percentile(during, 99))} ms stdout->client`,
        baseline: `no sync: p50 ${fmt(median(quiet))} / p99 ${fmt(percentile(quiet, 99))} ms (${quiet.length.toLocaleString("en-US")} msgs)`,
        ratio: `added p99 ${fmt(percentile(during, 99) - percentile(quiet, 99))} ms`,
        target: "(info)",
        pass: null,
      },
    ];
  } finally {
    await server.stop();
  }
}

/** The real CLI, as a user runs it beside the server. */
function runSync(db: string, claudeDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "sync", "--direct", "--json", "--db", db, "--claude-dir", claudeDir], {
      cwd: REPO_ROOT,
      env: { ...process.env, ILS_LOG_LEVEL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function parseReport(stdout: string): { imported: number; failedFiles: unknown[] } | undefined {
  try {
    return JSON.parse(stdout) as { imported: number; failedFiles: unknown[] };
  } catch {
    return undefined;
  }
}
