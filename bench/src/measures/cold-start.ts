import { statSync } from "node:fs";
import { startBareNodeServer, startDevServer, startServer, type ServerProcess } from "../support/server.ts";
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
 * Measure 6: spawn of the real server (`node apps/server/dist/main.mjs`, what `pnpm start` runs after its
 * build step) to its first 200 on /health, on the biggest database of the run; and, for the record, the
 * development mode that compiles the TypeScript at start.
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
  const dev = median(await timeStarts(runs, () => startDevServer({ ILS_DB: db })));
  rows.push({
    measure: "(info) cold start in development mode (tsx compiles the TypeScript at start)",
    result: `${fmt(dev, 0)} ms (median of ${runs})`,
    baseline: `bare node http ${fmt(bare, 0)} ms`,
    ratio: `${fmt(dev / bare, 1)}x`,
    target: TARGET,
    pass: null,
  });
  return rows;
}
