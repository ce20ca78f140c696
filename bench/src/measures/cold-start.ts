import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { CORPUS_ROOT, REPO_ROOT, SERVER_MAIN } from "../support/paths.ts";
import { startBareNodeServer, startBundledServer, startServer, type ServerProcess } from "../support/server.ts";
import { failed, type Row } from "../support/row.ts";
import { fmt, median } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";

const TARGET = "< 1,500 ms";

async function timeStarts(runs: number, start: () => Promise<ServerProcess>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const server = await start();
    times.push(server.startMs);
    await server.stop();
  }
  return times;
}

/**
 * Measure 6: spawn of the real server (`tsx apps/server/src/main.ts`, what `pnpm start` runs) to its first
 * 200 on /health, on the biggest database of the run. Also, for the analysis, the same server bundled by
 * esbuild and run by plain node (skipped when esbuild is not installed).
 */
export async function measureColdStart(ctx: BenchContext): Promise<Row[]> {
  const measure = "6. cold start to first /health";
  const db = ctx.largestDb;
  if (!db) return [failed(measure, TARGET, new Error("no database was built"))];
  const runs = ctx.mode === "quick" ? 2 : 5;
  const server = median(await timeStarts(runs, () => startServer({ ILS_DB: db })));
  const bare = median(await timeStarts(runs, () => startBareNodeServer()));
  const rows: Row[] = [
    {
      measure: `${measure} (${fmt(statSync(db).size / 1e6, 0)} MB database)`,
      result: `${fmt(server, 0)} ms (median of ${runs})`,
      baseline: `bare node http ${fmt(bare, 0)} ms`,
      ratio: `${fmt(server / bare, 1)}x`,
      target: TARGET,
      pass: server < 1500,
    },
  ];
  const esbuild = join(REPO_ROOT, "node_modules", ".bin", "esbuild");
  if (existsSync(esbuild)) {
    // In a folder four levels under the repo, as apps/server/src/db/ is: migrate.ts finds prisma/ by a relative URL.
    const bundle = join(CORPUS_ROOT, "server-bundle", ctx.mode, "main.mjs");
    const built = spawnSync(esbuild, [
      SERVER_MAIN, "--bundle", "--platform=node", "--format=esm", "--target=node20", "--external:better-sqlite3",
      `--outfile=${bundle}`, "--log-level=error",
      "--banner:js=import{createRequire as __cr}from'module';const require=__cr(import.meta.url);",
    ]);
    if (built.status === 0) {
      const bundled = median(await timeStarts(runs, () => startBundledServer(bundle, { ILS_DB: db })));
      rows.push({
        measure: "(info) cold start, same server as an esbuild bundle on plain node",
        result: `${fmt(bundled, 0)} ms (median of ${runs})`,
        baseline: `bare node http ${fmt(bare, 0)} ms`,
        ratio: `${fmt(bundled / bare, 1)}x`,
        target: TARGET,
        pass: null,
      });
    }
  }
  return rows;
}
