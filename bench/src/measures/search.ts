import { spawnSync } from "node:child_process";
import { notBuilt, type Row } from "../support/row.ts";
import { openServices, optionalService } from "../support/services.ts";
import { fmt, median, nowMs, percentile } from "../support/stats.ts";
import type { BenchContext } from "./context.ts";

const TARGET = "p99 < 50 ms; >= 50x grep";
/** Common and rare words of a coding session; FTS is case-insensitive, so grep runs with -i. */
const TERMS = [
  "error",
  "function",
  "test",
  "import",
  "readme",
  "deploy",
  "config",
  "permission",
  "typescript",
  "kubernetes",
  "migration",
  "timeout",
];

interface SearchLike {
  query(input: { q: string; limit?: number }): { items: unknown[] };
}

/** Measure 8: `services.search.query` (first page, 20 hits) on the synced corpus vs `grep -ric` over the files. */
export async function measureSearch(ctx: BenchContext): Promise<Row[]> {
  if (!ctx.syncDb) return [notBuilt("8. search", TARGET, "a synced database (services.sync)")];
  const services = openServices(ctx.syncDb);
  try {
    const search = optionalService<SearchLike>(services, "search");
    if (!search || typeof search.query !== "function") return [notBuilt("8. search", TARGET, "services.search")];
    const rounds = ctx.mode === "quick" ? 5 : 10;
    for (const q of TERMS) search.query({ q, limit: 20 }); // warm the page cache
    const times: number[] = [];
    let hits = 0;
    for (let round = 0; round < rounds; round += 1) {
      for (const q of TERMS) {
        const started = nowMs();
        hits += search.query({ q, limit: 20 }).items.length;
        times.push(nowMs() - started);
      }
    }
    const grepTimes: number[] = [];
    for (const q of TERMS) {
      const started = nowMs();
      // stdout must be a pipe: GNU grep stops at the first match when it sees its output is /dev/null.
      const counted = spawnSync("grep", ["-r", "-i", "-c", "-F", q, ctx.manifest.claudeDir], {
        stdio: ["ignore", "pipe", "ignore"],
        maxBuffer: 64 * 1024 * 1024,
      });
      grepTimes.push(nowMs() - started);
      if (counted.stdout.length === 0) throw new Error(`grep printed nothing for ${q}`);
    }
    const p50 = median(times);
    const p99 = percentile(times, 99);
    const speedup = median(grepTimes) / p50;
    return [
      {
        measure: `8. search, ${TERMS.length} terms x ${rounds}, first 20 hits`,
        result: `p50 ${fmt(p50)} / p99 ${fmt(p99)} ms (${fmt(hits / times.length, 1)} hits/query)`,
        baseline: `grep -ric ${fmt(median(grepTimes))} ms`,
        ratio: `${fmt(speedup, 0)}x faster`,
        target: TARGET,
        pass: p99 < 50 && speedup >= 50,
      },
    ];
  } finally {
    services.db.close();
  }
}
